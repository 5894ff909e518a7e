package dev.herald.kafka;

import static dev.herald.kafka.KafkaTransportTest.freshPrefix;
import static dev.herald.kafka.KafkaTransportTest.transport;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A transport's assignment listener hears of every partition a feed is given: at its first join,
 * and again when another member of the group leaves and its partitions move here.
 */
@Timeout(value = 120, unit = SECONDS)
@ExtendWith(TestClusters.Shared.class)
class KafkaAssignmentListenerTest {
  final String prefix = freshPrefix("assigned");

  record Assignment(String groupId, Collection<TopicPartition> partitions) {}

  @Test
  void membersHearOfThePartitionsTheyAreGiven() throws Exception {
    List<Assignment> first = new CopyOnWriteArrayList<>();
    List<Assignment> second = new CopyOnWriteArrayList<>();
    try (KafkaTransport a =
        transport(prefix)
            .partitions(4)
            .onAssigned((g, p) -> first.add(new Assignment(g, List.copyOf(p))))
            .build()) {
      a.feed("g", e -> true, (e, done) -> done.run());
      a.feedsAssigned().get(60, SECONDS);
      assertThat(first).hasSize(1);
      assertThat(first.get(0).groupId()).isEqualTo(prefix + "g");
      assertThat(partitionsOf(first)).hasSize(4 + deadLetterPartitions(a));

      try (KafkaTransport b =
          transport(prefix)
              .partitions(4)
              .onAssigned((g, p) -> second.add(new Assignment(g, List.copyOf(p))))
              .build()) {
        b.feed("g", e -> true, (e, done) -> done.run());
        b.feedsAssigned().get(60, SECONDS);
        assertThat(partitionsOf(second)).isNotEmpty();
      }
      // b left: its partitions come back to a, which is told.
      List<TopicPartition> ofB = partitionsOf(second);
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> first.size() > 1 && lastOf(first).containsAll(ofB));
    }
  }

  private static int deadLetterPartitions(KafkaTransport t) {
    return t.feedTopics().size() == 1 ? 0 : 4;
  }

  private static List<TopicPartition> partitionsOf(List<Assignment> assignments) {
    return assignments.stream().flatMap(a -> a.partitions().stream()).distinct().toList();
  }

  private static Collection<TopicPartition> lastOf(List<Assignment> assignments) {
    return partitionsOf(assignments.subList(1, assignments.size()));
  }
}
