package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The targets section judges each target from the figures it is given, and only from them. */
class BusTargetsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ThroughputRow row(
      String topology, String library, double perSecond, double bytes) {
    // An interval of zero width: the bounds are the score.
    return new ThroughputRow(topology, library, perSecond, 0, Double.NaN, bytes);
  }

  private static ThroughputRow unbounded(String topology, String library, double perSecond) {
    return new ThroughputRow(topology, library, perSecond, Double.NaN, Double.NaN, 0);
  }

  private static JsonNode latency(String library, long rate, double p99, boolean saturated) {
    return JSON.createObjectNode()
        .put("library", library)
        .put("offeredPerSecond", rate)
        .put("p99Micros", p99)
        .put("saturated", saturated);
  }

  @Test
  void judgesRatiosLatencyAndAllocationFromTheRun() {
    List<ThroughputRow> rows =
        List.of(
            row("OnePublisherOneSubscriber", "herald-emit", 8_000_000, 72.0),
            row("OnePublisherOneSubscriber", "guava-async", 2_000_000, 232),
            row("OnePublisherOneSubscriber", "disruptor", 12_000_000, 0),
            row("OnePublisherFourSubscribers", "herald-emit", 3_000_000, 72.4),
            row("OnePublisherFourSubscribers", "disruptor", 9_000_000, 0));
    JsonNode lat =
        JSON.createArrayNode()
            .add(latency("herald-emit", 100_000, 10, false))
            .add(latency("herald-emit", 1_000_000, 40, false))
            .add(latency("disruptor", 1_000_000, 170, false));

    String md = BusTargets.markdown(rows, lat);

    assertThat(md)
        .contains("| Herald ≥ 3× Guava `AsyncEventBus`, 1→1 | 4.00× (4.00–4.00×) | yes |")
        .contains("| Herald ≥ 0.6× Disruptor, 1→1 | 0.67× (0.67–0.67×) | yes |")
        .contains("| Herald ≥ 0.6× Disruptor, 1→4 | 0.33× (0.33–0.33×) | no |")
        .contains(
            "| Herald p99 < 50 µs at 1,000,000 events/s offered, 1→1 | 40.0 µs"
                + " (Disruptor 170.0 µs) | yes |")
        .contains("72.0 B/event | yes |");
  }

  @Test
  void aRatioIsMetOnlyWhenItsLowerBoundClearsTheTarget() {
    // 0.67× by the scores, but Herald's slowest round over the Disruptor's fastest is 0.5×.
    List<ThroughputRow> rows =
        List.of(
            bounded("OnePublisherOneSubscriber", "herald-emit", 8_000_000, 6_500_000, 9_000_000),
            bounded("OnePublisherOneSubscriber", "disruptor", 12_000_000, 11_000_000, 13_000_000),
            unbounded("OnePublisherFourSubscribers", "herald-emit", 6_000_000),
            unbounded("OnePublisherFourSubscribers", "disruptor", 9_000_000));

    String md = BusTargets.markdown(rows, JSON.createArrayNode());

    assertThat(md)
        .contains("| Herald ≥ 0.6× Disruptor, 1→1 | 0.67× (0.50–0.82×) | no |")
        // Without bounds (no interval, no rounds), a ratio above the target is not claimed.
        .contains("| Herald ≥ 0.6× Disruptor, 1→4 | 0.67× | unknown (no bounds) |");
  }

  @Test
  void pairedRoundsDecideTheRatiosTheyCoverAndJmhTheRest() {
    // JMH alone would claim 1→1 against the Disruptor (0.67×, bounds of zero width); the paired
    // interval reaches below 0.6, so it is not met. 1→4 has no paired rounds: JMH decides.
    List<ThroughputRow> rows =
        List.of(
            row("OnePublisherOneSubscriber", "herald-emit", 8_000_000, 72.0),
            row("OnePublisherOneSubscriber", "guava-async", 2_000_000, 232),
            row("OnePublisherOneSubscriber", "disruptor", 12_000_000, 0),
            row("OnePublisherFourSubscribers", "herald-emit", 6_000_000, 72.0),
            row("OnePublisherFourSubscribers", "disruptor", 9_000_000, 0));
    JsonNode paired =
        JSON.createArrayNode()
            .add(pairedRun(1, 3.4, 3.1, 3.7, 0.65, 0.62, 0.72))
            // A second JVM: its lower bound decides the Disruptor's target.
            .add(pairedRun(1, 3.4, 3.2, 3.6, 0.65, 0.58, 0.70));

    String md = BusTargets.markdown(rows, JSON.createArrayNode(), paired);

    assertThat(md)
        .contains(
            "| Herald ≥ 3× Guava `AsyncEventBus`, 1→1 | paired, 2 JVMs, 3.40× (3.10–3.70×); JMH"
                + " 4.00×"
                + " (4.00–4.00×) | yes |")
        .contains(
            "| Herald ≥ 0.6× Disruptor, 1→1 | paired, 2 JVMs, 0.65× (0.58–0.72×); JMH 0.67×"
                + " (0.67–0.67×) | no |")
        .contains("| Herald ≥ 0.6× Disruptor, 1→4 | 0.67× (0.67–0.67×) | yes |");
  }

  /** A {@link BusPairedRatio} result: Herald against Guava and the Disruptor. */
  private static JsonNode pairedRun(
      int subscribers,
      double guava,
      double guavaLow,
      double guavaHigh,
      double disruptor,
      double disruptorLow,
      double disruptorHigh) {
    var run =
        JSON.createObjectNode().put("subscribers", subscribers).put("reference", "herald-emit");
    var r = run.putArray("rows");
    r.addObject().put("library", "herald-emit").put("times", 1).put("low", 1).put("high", 1);
    r.addObject()
        .put("library", "guava-async")
        .put("times", guava)
        .put("low", guavaLow)
        .put("high", guavaHigh);
    r.addObject()
        .put("library", "disruptor")
        .put("times", disruptor)
        .put("low", disruptorLow)
        .put("high", disruptorHigh);
    return run;
  }

  @Test
  void theSettingsAndLimitsProseIsComputedFromTheRun() {
    List<ThroughputRow> rows =
        List.of(
            bounded("OnePublisherOneSubscriber", "herald-emit", 6_000_000, 5_000_000, 7_000_000),
            bounded(
                "OnePublisherOneSubscriber", "herald-emit-tuned", 8_000_000, 7_000_000, 9_000_000),
            bounded("OnePublisherOneSubscriber", "herald-emit-fj", 3_000_000, 2_000_000, 4_000_000),
            bounded("OnePublisherFourSubscribers", "herald-emit", 2_000_000, 1_000_000, 3_000_000),
            bounded("OnePublisherFourSubscribers", "disruptor", 4_000_000, 3_000_000, 5_000_000));
    JsonNode lat = JSON.createArrayNode().add(latency("herald-emit", 1_000_000, 61.5, false));

    assertThat(BusTargets.settings(rows))
        .contains(
            "- 1→1: Herald emit at its defaults 6,000,000 events/s; with a mailbox of 65,536"
                + " 8,000,000 (1.33× (1.00–1.80×) of it); on a `ForkJoinPool` in async mode instead of"
                + " its `WorkerPool` 3,000,000 (0.50× (0.29–0.80×) of it).")
        .contains("- 1→4: Herald emit at its defaults 2,000,000 events/s; the Disruptor 4,000,000");
    assertThat(BusTargets.limits(rows, lat))
        .contains("the defaults reached 0.75× (0.56–1.00×) of the tuned mailbox's score")
        .contains("(0.50× (0.20–1.00×) in this run)")
        .contains("its p99 61.5 µs");
  }

  @Test
  void theGuavaTargetIsSetBesideTheDisruptorsOwnRatioOverGuava() {
    List<ThroughputRow> rows =
        List.of(
            bounded("OnePublisherOneSubscriber", "herald-emit", 10_000_000, 8_000_000, 12_000_000),
            bounded("OnePublisherOneSubscriber", "guava-async", 5_000_000, 4_000_000, 6_000_000),
            bounded("OnePublisherOneSubscriber", "disruptor", 12_500_000, 10_000_000, 15_000_000));
    // Two JVMs: Herald over Guava 2.0× and 2.2×, over the Disruptor 0.8× and 1.1×, so the
    // Disruptor over Guava is 2.5× and 2.0× (geometric mean 2.24×); the widest bounds are the
    // second JVM's 2.0 / 1.2 = 1.67 and the first's 2.2 / 0.7 = 3.14.
    JsonNode paired =
        JSON.createArrayNode()
            .add(pairedRun(1, 2.0, 1.8, 2.2, 0.8, 0.7, 0.9))
            .add(pairedRun(1, 2.2, 2.0, 2.6, 1.1, 0.9, 1.2))
            .add(pairedRun(4, 9.0, 8.0, 10.0, 0.1, 0.05, 0.2));

    assertThat(BusTargets.limits(rows, JSON.createArrayNode(), paired))
        .contains(
            "- **3× Guava `AsyncEventBus`, 1→1.** For scale: the Disruptor used directly, the"
                + " upper bound here, ran at 2.50× (1.67–3.75×) of Guava's rate in this run"
                + " (paired, 2 JVMs: 2.24× (1.67–3.14×)), and Herald at 0.80× (0.53–1.20×) of the"
                + " Disruptor's.");
    // Without paired results, the JMH rows alone.
    assertThat(BusTargets.limits(rows, JSON.createArrayNode()))
        .contains("ran at 2.50× (1.67–3.75×) of Guava's rate in this run, and Herald");
  }

  @Test
  void anIntervalReachingBelowZeroLeavesTheRatioUnboundedAbove() {
    // Guava's interval, 1,800,000 ± 2,100,000, reaches below zero: it is only known to be ≥ 0.
    List<ThroughputRow> rows =
        List.of(
            new ThroughputRow(
                "OnePublisherOneSubscriber", "herald-emit", 4_000_000, 1_000_000, 1, 72),
            new ThroughputRow(
                "OnePublisherOneSubscriber", "guava-async", 1_800_000, 2_100_000, 1, 0));

    assertThat(BusTargets.markdown(rows, JSON.createArrayNode()))
        .contains("| Herald ≥ 3× Guava `AsyncEventBus`, 1→1 | 2.22× (0.77–∞×) | no |");
  }

  private static ThroughputRow bounded(
      String topology, String library, double perSecond, double low, double high) {
    return new ThroughputRow(topology, library, perSecond, Double.NaN, Double.NaN, 0, low, high);
  }

  @Test
  void aSaturatedRunOrAMissingFigureIsNeverMet() {
    List<ThroughputRow> rows = List.of(row("OnePublisherOneSubscriber", "herald-emit", 1, 96));
    JsonNode lat = JSON.createArrayNode().add(latency("herald-emit", 1_000_000, 1, true));

    String md = BusTargets.markdown(rows, lat);

    assertThat(md)
        .contains("| Herald ≥ 3× Guava `AsyncEventBus`, 1→1 | not measured | – |")
        .contains("| Herald p99 < 50 µs at 1,000,000 events/s offered, 1→1 | 1.0 µs | no |")
        .contains("96.0 B/event | no |");
  }
}
