package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a replay over --url reads the gateway's positions, on the log's form and Kafka's. */
class ReadPositionTest {

  @Test
  void onTheLogARangeEndsAtItsOffset() {
    ReadPosition to = ReadPosition.of("7");
    ReadPosition at = ReadPosition.of("earliest");
    ReadPosition next = ReadPosition.of("0");
    assertThat(at.recordTo(next)).isEqualTo(Map.entry("", 0L));
    assertThat(to.includes(at.recordTo(next))).isTrue();
    assertThat(next.reached(to)).isFalse();
    assertThat(ReadPosition.of("9").reached(to)).as("past an offset a repair dropped").isTrue();
    assertThat(to.includes(Map.entry("", 8L))).isFalse();
  }

  @Test
  void onKafkaEachPartitionEndsAtItsOwnOffset() {
    ReadPosition to = ReadPosition.of("0.0.3_0.1.5");
    ReadPosition at = ReadPosition.of("0.0.1_0.1.5");
    ReadPosition next = ReadPosition.of("0.0.1_0.1.5_0.2.0");
    // The record read is the entry that changed: partition 2's first, which the range leaves out.
    assertThat(at.recordTo(next)).isEqualTo(Map.entry("0.2", 0L));
    assertThat(to.includes(at.recordTo(next))).isFalse();
    ReadPosition then = ReadPosition.of("0.0.2_0.1.5_0.2.0");
    assertThat(next.recordTo(then)).isEqualTo(Map.entry("0.0", 2L));
    assertThat(to.includes(next.recordTo(then))).isTrue();
    assertThat(then.reached(to)).isFalse();
    assertThat(ReadPosition.of("0.0.3_0.1.5_0.2.0").reached(to)).isTrue();
  }

  @Test
  void aPublishsPositionNamesItsPartitionOnly() {
    ReadPosition to = ReadPosition.of("0.2.4");
    assertThat(ReadPosition.of("0.0.9_0.1.9_0.2.3").reached(to)).isFalse();
    assertThat(ReadPosition.of("0.2.4").reached(to)).isTrue();
    assertThat(to.includes(Map.entry("0.0", 0L))).isFalse();
  }

  @Test
  void anotherFormIsRefused() {
    assertThatThrownBy(() -> ReadPosition.of("0.0.x")).isInstanceOf(UsageError.class);
  }
}
