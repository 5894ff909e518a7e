package dev.herald.kafka;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three brokers, replication 3, min.insync.replicas 2: the partition leader stops while events are
 * stored.
 */
@Timeout(value = 180, unit = SECONDS)
class LeaderFailoverTest {
  static KafkaClusterTestKit cluster;

  @BeforeAll
  static void start() {
    cluster = TestClusters.start(3);
  }

  @AfterAll
  static void stop() {
    TestClusters.close(cluster);
  }

  @Test
  void everyAcknowledgedEventIsConsumedAfterTheLeaderStops() throws Exception {
    String topic = "failover.events";
    KafkaTransport t =
        KafkaTransport.builder(cluster.bootstrapServers())
            .eventsTopic(topic)
            .deadLetterTopic("failover.deadletter")
            .partitions(1)
            .replicationFactor(3)
            .topicConfig("min.insync.replicas", "2")
            .closeTimeout(Duration.ofSeconds(5))
            .build();
    int leader;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      leader =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get()
              .get(topic)
              .partitions()
              .get(0)
              .leader()
              .id();
    }

    int total = 2_000;
    List<CompletableFuture<Void>> stores = new CopyOnWriteArrayList<>();
    Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    Thread publisher =
        new Thread(
            () -> {
              for (int i = 0; i < total; i++) {
                int n = i;
                CompletableFuture<Void> f = t.store(Event.of("fo.e", "k" + (i % 10), n));
                f.thenRun(() -> acknowledged.add(n));
                stores.add(f);
                if (i % 100 == 99) {
                  f.handle((v, e) -> null).join(); // spread the stores over the failover
                }
              }
            },
            "test-publisher");
    publisher.start();
    await().atMost(60, SECONDS).until(() -> acknowledged.size() >= total / 4);
    cluster.brokers().get(leader).shutdown();
    publisher.join(120_000);
    CompletableFuture.allOf(stores.toArray(new CompletableFuture<?>[0]))
        .handle((v, e) -> null)
        .get(120, SECONDS);
    assertThat(acknowledged.size()).as("acknowledged stores").isGreaterThan(total / 4);

    Set<Integer> consumed = ConcurrentHashMap.newKeySet();
    KafkaFeed f =
        t.feed(
            "check",
            e -> true,
            (e, done) -> {
              consumed.add((Integer) e.data());
              done.run();
            });
    try {
      await().atMost(90, SECONDS).until(() -> consumed.containsAll(acknowledged));
    } finally {
      f.close();
    }
    List<Integer> lost = new ArrayList<>(acknowledged);
    lost.removeAll(consumed);
    assertThat(lost).as("acknowledged but never consumed").isEmpty();
    t.close();
  }
}
