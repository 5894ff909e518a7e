package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * The buses' targets, judged from one run's own figures: each line names the target, what this
 * run measured, and whether it is met. Computed, never typed, so the page cannot claim a target the
 * tables beside it contradict. A figure the run did not measure (a quick run without latency, a
 * library left out) shows as not measured.
 */
final class BusTargets {
  static final String HERALD = "herald-emit";
  /** The offered rate of the latency target, events per second. */
  static final long LATENCY_RATE = 1_000_000;
  static final double LATENCY_P99_MICROS = 50;

  /**
   * The size of one {@code Event} on a 64-bit HotSpot JVM with compressed references: a 12-byte
   * header, three longs (the id's two halves, the time) and eight references, rounded up to 8.
   */
  static final int EVENT_BYTES = 72;

  private BusTargets() {}

  static String markdown(List<ThroughputRow> rows, JsonNode latency) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Against the targets\n\n");
    sb.append("Ratios from this run's tables above; Herald is `herald-emit` (fire-and-forget).\n\n");
    sb.append("| target | this run | met |\n");
    sb.append("|---|---|---|\n");
    double guava = score(rows, "OnePublisherOneSubscriber", "guava-async");
    double herald11 = score(rows, "OnePublisherOneSubscriber", HERALD);
    double disruptor11 = score(rows, "OnePublisherOneSubscriber", "disruptor");
    double herald14 = score(rows, "OnePublisherFourSubscribers", HERALD);
    double disruptor14 = score(rows, "OnePublisherFourSubscribers", "disruptor");
    ratioLine(sb, "Herald ≥ 10× Guava `AsyncEventBus`, 1→1", herald11, guava, 10);
    ratioLine(sb, "Herald ≥ 0.5× Disruptor, 1→1", herald11, disruptor11, 0.5);
    ratioLine(sb, "Herald ≥ 0.5× Disruptor, 1→4", herald14, disruptor14, 0.5);
    JsonNode heraldLatency = latencyAt(latency, HERALD, LATENCY_RATE);
    JsonNode disruptorLatency = latencyAt(latency, "disruptor", LATENCY_RATE);
    String target =
        String.format(
            Locale.ROOT,
            "Herald p99 < %.0f µs at %s events/s offered, 1→1",
            LATENCY_P99_MICROS,
            BenchReport.count(LATENCY_RATE));
    if (heraldLatency == null) {
      line(sb, target, "not measured", "–");
    } else {
      double p99 = heraldLatency.path("p99Micros").asDouble();
      String measured = String.format(Locale.ROOT, "%.1f µs", p99);
      if (disruptorLatency != null) {
        measured +=
            String.format(
                Locale.ROOT,
                " (Disruptor %.1f µs)",
                disruptorLatency.path("p99Micros").asDouble());
      }
      boolean met =
          p99 < LATENCY_P99_MICROS && !heraldLatency.path("saturated").asBoolean();
      line(sb, target, measured, met ? "yes" : "no");
    }
    ThroughputRow herald = row(rows, "OnePublisherOneSubscriber", HERALD);
    double bytes = herald == null ? Double.NaN : herald.bytesPerEvent();
    line(
        sb,
        "No allocation per event beyond the `Event` (" + EVENT_BYTES + " B), 1→1",
        Double.isNaN(bytes) ? "not measured" : String.format(Locale.ROOT, "%.1f B/event", bytes),
        Double.isNaN(bytes) ? "–" : bytes <= EVENT_BYTES + 0.5 ? "yes" : "no");
    if (!Double.isNaN(guava) && !Double.isNaN(disruptor11) && guava > 0) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%nTen times Guava `AsyncEventBus` would be %s events/s 1→1, %.1f× the raw Disruptor"
                  + " in the same run: the Disruptor is the upper bound for handing an event from"
                  + " one thread to another, so no bus that hands events over can reach that target"
                  + " on this machine.%n",
              BenchReport.count(10 * guava),
              10 * guava / disruptor11));
    }
    return sb.toString();
  }

  private static void ratioLine(
      StringBuilder sb, String target, double herald, double other, double wanted) {
    if (Double.isNaN(herald) || Double.isNaN(other) || other <= 0) {
      line(sb, target, "not measured", "–");
      return;
    }
    double ratio = herald / other;
    line(
        sb,
        target,
        String.format(Locale.ROOT, "%.2f×", ratio),
        ratio >= wanted ? "yes" : "no");
  }

  private static void line(StringBuilder sb, String target, String measured, String met) {
    sb.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met);
    sb.append(" |\n");
  }

  /** The row's events per second, or NaN when the run did not measure it. */
  private static double score(List<ThroughputRow> rows, String topology, String library) {
    ThroughputRow r = row(rows, topology, library);
    return r == null ? Double.NaN : r.eventsPerSecond();
  }

  private static ThroughputRow row(List<ThroughputRow> rows, String topology, String library) {
    for (ThroughputRow r : rows) {
      if (r.topology().equals(topology) && r.library().equals(library)) {
        return r;
      }
    }
    return null;
  }

  private static JsonNode latencyAt(JsonNode latency, String library, long rate) {
    for (JsonNode r : latency) {
      if (r.path("library").asText().equals(library)
          && r.path("offeredPerSecond").asLong() == rate) {
        return r;
      }
    }
    return null;
  }
}
