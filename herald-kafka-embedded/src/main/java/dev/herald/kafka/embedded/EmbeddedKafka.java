package dev.herald.kafka.embedded;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-node KRaft Kafka broker (combined broker and controller) inside this JVM, on temporary
 * directories, from Kafka's own test kit: what {@code herald demo --kafka embedded} and the
 * benchmarks run on, so that Herald on Kafka can be tried and measured with nothing installed. Not
 * for production: everything it stored is deleted when it closes.
 *
 * <p>Its configuration is Kafka's default but for what one node needs (internal topics of one
 * replica, no rebalance delay) and what the caller adds. In particular it never forces its logs: an
 * acknowledged record is in the OS page cache, and durability comes from replication, of which one
 * node has none. Safe for use from any thread.
 *
 * <p>Logs through SLF4J: the broker's own loggers ({@code kafka}, {@code org.apache.kafka}), and
 * {@code dev.herald.kafka.embedded} at {@code INFO} for the storage formatting that Kafka's test
 * kit prints on standard output (see {@link #start(Map)}).
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.kafka.embedded");

  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Formats and starts a broker with the one-node defaults; returns once it serves clients. */
  public static EmbeddedKafka start() {
    return start(Map.of());
  }

  /**
   * Formats and starts a broker; returns once it serves clients.
   *
   * <p>Kafka's test kit formats the node's storage with a {@code Formatter} that prints its steps
   * on {@link System#out}, with no way to pass it another stream, from the kit's own threads: on
   * standard output they would mix with what a demo or JMH reports there. So for the length of the
   * formatting (milliseconds, before the broker starts) {@code System.out} is a stream whose lines
   * go to the logger {@code dev.herald.kafka.embedded} at {@code INFO}; a line another thread of
   * the process prints in that window goes there too, rather than being lost.
   *
   * @param config broker settings over the one-node defaults, e.g. {@code
   *     auto.create.topics.enable}
   * @throws IllegalStateException if the broker cannot start
   */
  public static EmbeddedKafka start(Map<String, String> config) {
    KafkaClusterTestKit cluster = null;
    try {
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setCombined(true)
              .setNumControllerNodes(1)
              .setNumBrokerNodes(1)
              .build();
      KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes);
      Map<String, String> settings =
          new HashMap<>(
              Map.of(
                  "group.initial.rebalance.delay.ms", "0",
                  "offsets.topic.replication.factor", "1",
                  "offsets.topic.num.partitions", "3",
                  "transaction.state.log.replication.factor", "1",
                  "transaction.state.log.min.isr", "1"));
      settings.putAll(config);
      settings.forEach(b::setConfigProp);
      cluster = b.build();
      formatLogged(cluster);
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster);
    } catch (Exception e) {
      if (cluster != null) {
        try {
          cluster.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new IllegalStateException("cannot start the embedded Kafka broker", e);
    }
  }

  /** Formats the cluster's storage with standard output going to the logger (see start). */
  private static void formatLogged(KafkaClusterTestKit cluster) throws Exception {
    PrintStream stdout = System.out;
    // Not auto-flushing: a flush must not cut a line in two; closing hands on the unfinished one.
    PrintStream logged =
        new PrintStream(
            new LoggedLines(line -> LOG.info("{}", line)), false, StandardCharsets.UTF_8);
    System.setOut(logged);
    try {
      cluster.format();
    } finally {
      System.setOut(stdout);
      logged.close();
    }
  }

  /** The bootstrap servers of the broker. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /**
   * Creates {@code topics} with {@code partitions} partitions each (one replica), and returns once
   * every partition's leader serves it, so the first batch produced is not refused.
   */
  public void createTopics(List<String> topics, int partitions) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      admin
          .createTopics(
              topics.stream()
                  .map(t -> new NewTopic(t, Optional.of(partitions), Optional.empty()))
                  .toList())
          .all()
          .get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (String t : topics) {
        for (int p = 0; p < partitions; p++) {
          latest.put(new TopicPartition(t, p), OffsetSpec.latest());
        }
      }
      awaitLeaders(admin, latest);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics " + topics, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating topics " + topics, e);
    }
  }

  /**
   * Returns once each partition's leader answers a ListOffsets request, which only a leader does.
   * Right after creation the broker may not know the topic yet ({@code UNKNOWN_TOPIC_OR_PARTITION},
   * which the admin client does not retry): such retriable errors are retried for up to 30 s.
   */
  private static void awaitLeaders(Admin admin, Map<TopicPartition, OffsetSpec> partitions)
      throws ExecutionException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        admin.listOffsets(partitions).all().get();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      // The broker is still applying the new topic's metadata, and there is nothing to wait on.
      Thread.sleep(20);
    }
  }

  /** Stops the broker and deletes what it stored. */
  @Override
  public void close() {
    closeQuietly(cluster);
  }

  private static void closeQuietly(KafkaClusterTestKit cluster) {
    try {
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the embedded Kafka broker", e);
    }
  }
}
