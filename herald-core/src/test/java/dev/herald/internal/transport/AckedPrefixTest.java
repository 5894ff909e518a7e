package dev.herald.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AckedPrefixTest {
  @Test
  void onlyTheContiguousPrefixAdvances() {
    AckedPrefix p = new AckedPrefix(10);
    assertThat(p.ack(12, 13)).isEqualTo(10);
    assertThat(p.ack(11, 12)).isEqualTo(10);
    assertThat(p.ack(10, 11)).isEqualTo(13);
    assertThat(p.ack(5, 6)).isEqualTo(13); // below the prefix: already finished
    assertThat(p.ack(13, 20)).isEqualTo(20); // a range, as when retention skipped records
    assertThat(p.ack(21, 22)).isEqualTo(20);
    assertThat(p.ack(21, 22)).isEqualTo(20); // duplicates are harmless
    assertThat(p.ack(20, 21)).isEqualTo(22);
    assertThat(p.next()).isEqualTo(22);
  }

  @Test
  void knowsWhichOffsetsAheadOfThePrefixAreAcknowledged() {
    AckedPrefix p = new AckedPrefix(0);
    p.ack(3, 5);
    p.ack(8, 9);
    assertThat(p.isAcked(0)).isFalse();
    assertThat(p.isAcked(3)).isTrue();
    assertThat(p.isAcked(4)).isTrue();
    assertThat(p.isAcked(5)).isFalse();
    assertThat(p.isAcked(8)).isTrue();
    assertThat(p.isAcked(9)).isFalse();
    p.ack(0, 3);
    assertThat(p.isAcked(2)).isTrue();
    assertThat(p.next()).isEqualTo(5);
  }
}
