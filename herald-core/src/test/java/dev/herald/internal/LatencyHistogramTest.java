package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Property
  void bucketsBoundTheirValuesWithinThreePercent(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long v) {
    long upper = LatencyHistogram.upperBound(LatencyHistogram.index(v));
    assertThat(upper).isGreaterThanOrEqualTo(v);
    assertThat((double) (upper - v)).isLessThanOrEqualTo(Math.max(1.0, v * 0.032));
  }

  @Test
  void percentilesOfAKnownDistribution() {
    LatencyHistogram h = new LatencyHistogram();
    for (long i = 1; i <= 1000; i++) {
      h.record(i * 1000);
    }
    long[] counts = LatencyHistogram.newCounts();
    h.addTo(counts);
    assertThat(LatencyHistogram.percentile(counts, 50, h.max())).isBetween(500_000L, 516_000L);
    assertThat(LatencyHistogram.percentile(counts, 99, h.max())).isBetween(990_000L, 1_000_000L);
    assertThat(h.max()).isEqualTo(1_000_000L);
    assertThat(LatencyHistogram.percentile(LatencyHistogram.newCounts(), 99, 0)).isZero();
  }
}
