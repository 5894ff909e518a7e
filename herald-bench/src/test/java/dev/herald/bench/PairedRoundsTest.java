package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class PairedRoundsTest {
  @Test
  void aRoundCountsInOnePlacementOnlyWhenItsProbesBeforeAndAfterAgree() {
    double[][] perSecond = {{1, 2, 3, 4, 5}};
    double[] before = {70, 70, 330, 330, Double.NaN};
    double[] after = {70, 330, 330, 70, 70};
    PairedRounds.Measured m = new PairedRounds.Measured(perSecond, before, after);

    assertThat(m.placed(true, 150)).containsExactly(0);
    assertThat(m.placed(false, 150)).containsExactly(2);
  }

  @Test
  void eachRoundIsProbedBeforeAndAfterAndOneProbeServesTwoRounds() {
    List<LongSupplier> setups = List.of(() -> 10, () -> 10);

    PairedRounds.Measured m = PairedRounds.measure(setups, 0, 3, 1, true);

    assertThat(m.perSecond()[0]).hasSize(3);
    assertThat(m.perSecond()[1]).hasSize(3);
    assertThat(m.tripBefore()).hasSize(3);
    assertThat(m.tripAfter()).hasSize(3);
    // The probe after one round is the probe before the next.
    assertThat(m.tripBefore()[1]).isEqualTo(m.tripAfter()[0]);
    assertThat(m.tripBefore()[2]).isEqualTo(m.tripAfter()[1]);
  }

  @Test
  void withoutProbesNoRoundIsPlaced() {
    PairedRounds.Measured m = PairedRounds.measure(List.of(() -> 10), 0, 2, 1, false);

    assertThat(m.placed(true, 150)).isEmpty();
    assertThat(m.placed(false, 150)).isEmpty();
  }

  @Test
  void aProbeMeasuresARoundTripBetweenTwoThreads() {
    // NaN when the machine descheduled a side for the probe's whole deadline: tried again then.
    double nanos = Double.NaN;
    for (int i = 0; i < 3 && Double.isNaN(nanos); i++) {
      nanos = CoreDistance.roundTripNanos();
    }

    // A hand-off and back costs at least a few nanoseconds; a mean of 50,000 stays far under 10 µs.
    assertThat(nanos).isBetween(1.0, 10_000.0);
  }
}
