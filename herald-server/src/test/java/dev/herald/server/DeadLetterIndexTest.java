package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.DeadLetterIndex.Position;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link DeadLetterIndex} with several partitions, as Kafka's dead-letter topic has (the log's one
 * partition: {@code LogDeadLettersTest}).
 */
class DeadLetterIndexTest {
  @Test
  void partitionsAreMergedByOrderKeyThenPartitionThenOffset() {
    DeadLetterIndex index = new DeadLetterIndex(100);
    index.add("a", 0, 10, 3_000);
    index.add("a", 0, 11, 5_000);
    index.add("a", 1, 4, 1_000);
    index.add("b", 2, 7, 2_000);
    index.add("a", 2, 9, 5_000);
    assertThat(index.oldestPositions("a", 10))
        .containsExactly(
            new Position(1, 4), new Position(0, 10), new Position(0, 11), new Position(2, 9));
    assertThat(index.oldestPositions(null, 3))
        .containsExactly(new Position(1, 4), new Position(2, 7), new Position(0, 10));
    assertThat(index.resolve(new Position(0, 10))).isTrue();
    assertThat(index.contains(new Position(0, 10))).isFalse();
    assertThat(index.contains(new Position(1, 10))).isFalse();
    assertThat(index.oldestPositions("a", 1)).containsExactly(new Position(1, 4));
    assertThat(index.size()).isEqualTo(4);
  }

  @Test
  void aMarkReadBeforeItsDeadLetterResolvesItWhenItComes() {
    DeadLetterIndex index = new DeadLetterIndex(100);
    index.indexedTo(0, 5);
    // Partition 1 read first: its mark names a dead letter of partition 0 not read yet.
    assertThat(index.resolveMark(new Position(0, 8))).isFalse();
    // A mark for what was read already and is not held (resolved before) is no more than that.
    assertThat(index.resolveMark(new Position(0, 2))).isFalse();
    assertThat(index.add("a", 0, 6, 1)).isTrue();
    assertThat(index.add("a", 0, 8, 2)).isTrue();
    assertThat(index.oldestPositions("a", 10)).containsExactly(new Position(0, 6));
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.resolveMark(new Position(0, 6))).isTrue();
    assertThat(index.size()).isZero();
  }

  @Test
  void aRequestWaitsForEveryPartitionItNames() throws Exception {
    DeadLetterIndex index = new DeadLetterIndex(100);
    index.indexedTo(0, 4);
    assertThat(index.awaitIndexedTo(Map.of(0, 4L, 1, 0L), 0)).isTrue();
    assertThat(index.awaitIndexedTo(Map.of(0, 4L, 1, 2L), 1)).isFalse();
    index.indexedTo(1, 2);
    assertThat(index.awaitIndexedTo(Map.of(0, 4L, 1, 2L), 0)).isTrue();
    assertThat(index.progress()).isEqualTo(Map.of(0, 4L, 1, 2L));
  }
}
