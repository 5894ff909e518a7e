package dev.herald.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node Kafka broker (KRaft, broker and controller in one) inside this JVM, on temporary
 * directories, for {@code herald demo --kafka embedded}: Kafka's own test kit, so that anyone can try
 * the shop on Kafka with nothing installed. Not for production; everything it stored is gone when it
 * closes.
 */
final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Formats and starts the broker; returns once it serves clients. */
  static EmbeddedKafka start() throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumControllerNodes(1)
            .setNumBrokerNodes(1)
            .build();
    KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes);
    // One node: internal topics of one replica, and no waiting for more group members to join.
    for (Map.Entry<String, String> x :
        Map.of(
                "group.initial.rebalance.delay.ms", "0",
                "offsets.topic.replication.factor", "1",
                "offsets.topic.num.partitions", "3",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1")
            .entrySet()) {
      b.setConfigProp(x.getKey(), x.getValue());
    }
    KafkaClusterTestKit cluster = b.build();
    PrintStream stdout = System.out;
    try {
      // The test kit prints its formatting steps on standard output, where the demo's summary goes.
      System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
      try {
        cluster.format();
      } finally {
        System.setOut(stdout);
      }
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster);
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /** The bootstrap servers of the broker. */
  String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Stops the broker and deletes what it stored. */
  @Override
  public void close() throws IOException {
    try {
      cluster.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("stopping the embedded Kafka broker", e);
    }
  }
}
