package dev.herald.kafka;

import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * In-JVM KRaft clusters for the tests (no Docker). Start-up costs seconds, so the one-broker
 * cluster is started once per test JVM and shared by every class (each test isolates itself with
 * topics and groups of its own). A class that uses it registers {@link Shared}, which stops it when
 * the whole test run ends, before the JVM exits (stopping brokers in a shutdown hook races the
 * JVM's exit).
 */
final class TestClusters {
  private static KafkaClusterTestKit single;

  private TestClusters() {}

  /** The shared one-broker cluster, started on first use. */
  static synchronized KafkaClusterTestKit single() {
    if (single == null) {
      single = start(1);
    }
    return single;
  }

  /** Stops the shared cluster once the test run ends: JUnit closes the root store's values then. */
  static final class Shared implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      context
          .getRoot()
          .getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent(Shared.class, k -> (AutoCloseable) TestClusters::closeSingle);
    }
  }

  private static synchronized void closeSingle() {
    if (single != null) {
      close(single);
      single = null;
    }
  }

  /**
   * A new cluster of {@code brokers} brokers and one separate controller; the caller closes it.
   * Internal topics are replicated {@code min(brokers, 3)} times.
   */
  static KafkaClusterTestKit start(int brokers) {
    try {
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setCombined(brokers == 1)
              .setNumControllerNodes(1)
              .setNumBrokerNodes(brokers)
              .build();
      String rf = Integer.toString(Math.min(brokers, 3));
      KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes);
      for (Map.Entry<String, String> x :
          Map.of(
                  "group.initial.rebalance.delay.ms", "0",
                  "offsets.topic.replication.factor", rf,
                  "offsets.topic.num.partitions", "3",
                  "transaction.state.log.replication.factor", rf,
                  "transaction.state.log.min.isr", "1",
                  "auto.create.topics.enable", "false")
              .entrySet()) {
        b.setConfigProp(x.getKey(), x.getValue());
      }
      KafkaClusterTestKit c = b.build();
      c.format();
      c.startup();
      c.waitForReadyBrokers();
      return c;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the test Kafka cluster", e);
    }
  }

  static void close(KafkaClusterTestKit c) {
    try {
      c.close();
    } catch (Exception e) {
      // The JVM is going away, or the test already failed.
    }
  }
}
