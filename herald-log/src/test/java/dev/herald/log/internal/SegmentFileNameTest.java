package dev.herald.log.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentFileNameTest {
  @Test
  void aNameGivesBackItsBaseOffset() {
    for (long base : new long[] {0, 1, 1234, 10_000_000_000L, Long.MAX_VALUE}) {
      String name = SegmentFileName.of(base, SegmentFileName.LOG);
      assertThat(name).hasSize(24).matches("[0-9]{20}\\.log");
      assertThat(SegmentFileName.baseOffset(name)).isEqualTo(base);
    }
    assertThat(SegmentFileName.of(1234, SegmentFileName.TIME_INDEX))
        .isEqualTo("00000000000000001234.timeindex");
  }

  @Test
  void namesSortAsTheirOffsets() {
    List<String> names = new ArrayList<>();
    for (long base : new long[] {9, 10, 99, 100, 123_456, Long.MAX_VALUE}) {
      names.add(SegmentFileName.of(base, SegmentFileName.LOG));
    }
    assertThat(names).isSorted();
  }

  @Test
  void anythingButTwentyDigitsAndLogIsNotASegment() {
    for (String name :
        List.of(
            "1234.log",
            "000000000000000001234.log",
            "0000000000000000123a.log",
            "-0000000000000000001.log",
            "00000000000000001234.index",
            "00000000000000001234.log.tmp",
            "recovery-point",
            "99999999999999999999.log",
            "09223372036854775808.log",
            "\u0660".repeat(20) + ".log")) {
      assertThat(SegmentFileName.baseOffset(name))
          .as(name)
          .isEqualTo(SegmentFileName.NOT_A_SEGMENT);
    }
    assertThat(SegmentFileName.isLog("99999999999999999999.log")).isTrue();
    assertThat(SegmentFileName.isLog("00000000000000001234.index")).isFalse();
  }

  @Test
  void aNegativeBaseOffsetHasNoName() {
    assertThatThrownBy(() -> SegmentFileName.of(-1, SegmentFileName.LOG))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
