package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The buses' targets, judged from one run's own figures: each line names the target, what this run
 * measured, and whether it is met. Computed, never typed, so the page cannot claim a target the
 * tables beside it contradict. A figure the run did not measure (a quick run without latency, a
 * library left out) shows as not measured.
 *
 * <p>A ratio target is met only when the ratio's lower bound clears it: Herald's least score over
 * the other library's greatest, each from JMH's 99.9% confidence interval, or from the slowest and
 * fastest measured rounds when JMH computed no interval (a quick run).
 */
final class BusTargets {
  /** Herald as a user gets it: emit, default options with {@code Backpressure.block}. */
  static final String HERALD = "herald-emit";

  static final String ONE_TO_ONE = "OnePublisherOneSubscriber";
  static final String ONE_TO_FOUR = "OnePublisherFourSubscribers";
  static final String FOUR_TO_ONE = "FourPublishersOneSubscriber";
  static final double GUAVA_TIMES = 3;
  static final double DISRUPTOR_TIMES = 0.6;

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
    return markdown(rows, latency, MissingNode.getInstance());
  }

  /**
   * The targets table. {@code paired}: the results of {@link BusPairedRatio} in this run (an array
   * of its JSON documents, one per topology), or a missing node; where it has the ratio, the paired
   * interval decides whether a ratio target is met, and JMH's bounds are shown beside it.
   */
  static String markdown(List<ThroughputRow> rows, JsonNode latency, JsonNode paired) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Against the targets\n\n");
    sb.append(
        "Herald is `herald-emit` at its default options (mailbox 8,192, `Backpressure.block`). A"
            + " ratio target is met only when its lower bound clears it. Where the run has paired"
            + " rounds (`BusPairedRatio`: Herald and the other library take turns in one JVM, so"
            + " the load drift of a shared machine moves both alike), the bound is the lowest of"
            + " the paired ratio's 95% intervals over the JVMs that ran them (JVMs differ more than"
            + " one JVM's interval says). Otherwise it is Herald's lower bound over the other"
            + " library's upper bound from the tables above (JMH's 99.9% interval, or the slowest"
            + " and fastest rounds when there is none).\n\n");
    sb.append("| target | this run (bounds) | met |\n");
    sb.append("|---|---|---|\n");
    ratioLine(
        sb,
        String.format(Locale.ROOT, "Herald ≥ %s× Guava `AsyncEventBus`, 1→1", times(GUAVA_TIMES)),
        row(rows, ONE_TO_ONE, HERALD),
        row(rows, ONE_TO_ONE, "guava-async"),
        pairedRow(paired, 1, "guava-async"),
        GUAVA_TIMES);
    ratioLine(
        sb,
        String.format(Locale.ROOT, "Herald ≥ %s× Disruptor, 1→1", times(DISRUPTOR_TIMES)),
        row(rows, ONE_TO_ONE, HERALD),
        row(rows, ONE_TO_ONE, "disruptor"),
        pairedRow(paired, 1, "disruptor"),
        DISRUPTOR_TIMES);
    ratioLine(
        sb,
        String.format(Locale.ROOT, "Herald ≥ %s× Disruptor, 1→4", times(DISRUPTOR_TIMES)),
        row(rows, ONE_TO_FOUR, HERALD),
        row(rows, ONE_TO_FOUR, "disruptor"),
        pairedRow(paired, 4, "disruptor"),
        DISRUPTOR_TIMES);
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
                Locale.ROOT, " (Disruptor %.1f µs)", disruptorLatency.path("p99Micros").asDouble());
      }
      boolean met = p99 < LATENCY_P99_MICROS && !heraldLatency.path("saturated").asBoolean();
      line(sb, target, measured, met ? "yes" : "no");
    }
    ThroughputRow herald = row(rows, ONE_TO_ONE, HERALD);
    double bytes = herald == null ? Double.NaN : herald.bytesPerEvent();
    line(
        sb,
        "No allocation per event beyond the `Event` (" + EVENT_BYTES + " B), 1→1",
        Double.isNaN(bytes) ? "not measured" : String.format(Locale.ROOT, "%.1f B/event", bytes),
        Double.isNaN(bytes) ? "–" : bytes <= EVENT_BYTES + 0.5 ? "yes" : "no");
    return sb.toString();
  }

  /**
   * What this run says about Herald's settings, as sentences: the defaults against the tuned
   * mailbox, tracked publish against emit, and its own pool against a {@code ForkJoinPool}, each in
   * every topology the run measured, with the ratio's bounds. Empty when the run measured none.
   */
  static String settings(List<ThroughputRow> rows) {
    StringBuilder sb = new StringBuilder();
    for (String topology : List.of(ONE_TO_ONE, ONE_TO_FOUR, FOUR_TO_ONE)) {
      ThroughputRow defaults = row(rows, topology, HERALD);
      if (defaults == null) {
        continue;
      }
      String name = BenchReport.topologyName(topology);
      sb.append(
          String.format(
              Locale.ROOT,
              "- %s: Herald emit at its defaults %s events/s",
              name,
              BenchReport.count(defaults.eventsPerSecond())));
      compare(sb, "with a mailbox of 65,536", row(rows, topology, "herald-emit-tuned"), defaults);
      compare(sb, "publish (tracked)", row(rows, topology, "herald-publish"), defaults);
      compare(
          sb,
          "on a `ForkJoinPool` in async mode instead of its `WorkerPool`",
          row(rows, topology, "herald-emit-fj"),
          defaults);
      compare(sb, "Guava `AsyncEventBus`", row(rows, topology, "guava-async"), defaults);
      compare(sb, "the Disruptor", row(rows, topology, "disruptor"), defaults);
      sb.append(".\n");
    }
    String verdict = poolVerdict(rows);
    if (!verdict.isEmpty()) {
      sb.append("\n").append(verdict);
    }
    return sb.toString();
  }

  /**
   * Which executor stays: Herald's {@code WorkerPool}, unless the {@code ForkJoinPool} beats it
   * beyond the bounds (the ratio's lower bound above 1) in every topology measured.
   */
  static String poolVerdict(List<ThroughputRow> rows) {
    int measured = 0;
    int fjFaster = 0;
    for (String topology : List.of(ONE_TO_ONE, ONE_TO_FOUR, FOUR_TO_ONE)) {
      ThroughputRow own = row(rows, topology, HERALD);
      ThroughputRow fj = row(rows, topology, "herald-emit-fj");
      if (own != null && fj != null) {
        measured++;
        if (lowerBound(fj, own) > 1) {
          fjFaster++;
        }
      }
    }
    if (measured == 0) {
      return "";
    }
    return fjFaster == measured
        ? String.format(
            Locale.ROOT,
            "The `ForkJoinPool` beat the `WorkerPool` beyond the bounds in all %d topologies"
                + " measured: the evidence is for replacing the `WorkerPool`.%n",
            measured)
        : String.format(
            Locale.ROOT,
            "The `ForkJoinPool` beat the `WorkerPool` beyond the bounds in %d of %d topologies"
                + " measured, so the `WorkerPool` stays (it also keeps the most recently idle"
                + " thread for the next lane, and never wakes a thread while one is already"
                + " looking for work).%n",
            fjFaster,
            measured);
  }

  /**
   * Why Herald misses the targets it misses, as far as this run shows: each sentence's figures are
   * taken from {@code rows} and {@code latency}; the rest is the design.
   */
  static String limits(List<ThroughputRow> rows, JsonNode latency) {
    return limits(rows, latency, MissingNode.getInstance());
  }

  /**
   * As {@link #limits(List, JsonNode)}, with the run's paired results ({@link #markdown(List,
   * JsonNode, JsonNode)}'s {@code paired}) where they give a ratio too.
   */
  static String limits(List<ThroughputRow> rows, JsonNode latency, JsonNode paired) {
    StringBuilder sb = new StringBuilder();
    ThroughputRow g11 = row(rows, ONE_TO_ONE, "guava-async");
    ThroughputRow d11 = row(rows, ONE_TO_ONE, "disruptor");
    ThroughputRow herald11 = row(rows, ONE_TO_ONE, HERALD);
    if (g11 != null && d11 != null && herald11 != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "- **%s× Guava `AsyncEventBus`, 1→1.** For scale: the Disruptor used directly, the"
                  + " upper bound here, ran at %s of Guava's rate in this run%s, and Herald at %s"
                  + " of the Disruptor's.%n",
              times(GUAVA_TIMES),
              ratio(d11, g11),
              disruptorOverGuavaPaired(paired),
              ratio(herald11, d11)));
    }
    ThroughputRow h11 = row(rows, ONE_TO_ONE, HERALD);
    ThroughputRow tuned11 = row(rows, ONE_TO_ONE, "herald-emit-tuned");
    if (h11 != null && tuned11 != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "- **A full mailbox.** A benchmark operation publishes 10,000 events into a mailbox of"
                  + " 8,192, so at the defaults the publisher outruns the handler and waits for"
                  + " room (parked, then woken by the lane) in every operation; with a mailbox of"
                  + " 65,536 it never waits. In this run the defaults reached %s of the tuned"
                  + " mailbox's score, 1→1.%n",
              ratio(h11, tuned11)));
    }
    ThroughputRow h14 = row(rows, ONE_TO_FOUR, HERALD);
    ThroughputRow d14 = row(rows, ONE_TO_FOUR, "disruptor");
    if (h14 != null && d14 != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "- **1→4 fan-out against the Disruptor** (%s in this run). The four"
                  + " subscriptions select the same payload class and block alike, so they share"
                  + " one ring, as the Disruptor's four consumers do: the publisher writes each"
                  + " event once; but where the Disruptor runs four dedicated threads, the pool's"
                  + " two threads take turns over the four subscriptions' lanes.%n",
              ratio(h14, d14)));
    }
    JsonNode hl = latencyAt(latency, HERALD, LATENCY_RATE);
    JsonNode dl = latencyAt(latency, "disruptor", LATENCY_RATE);
    if (hl != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "- **p99 at %s events/s.** A lane parks its thread when its mailbox is empty rather"
                  + " than spin (a spinning drainer and a spinning publisher hold both cores, and"
                  + " whatever else needs one preempts a spinner for a scheduler slice), so an"
                  + " event arriving at an idle lane pays a wake-up: in this run Herald's median"
                  + " was %.1f µs and its p99 %.1f µs",
              BenchReport.count(LATENCY_RATE),
              hl.path("p50Micros").asDouble(),
              hl.path("p99Micros").asDouble()));
      if (dl != null) {
        sb.append(
            String.format(
                Locale.ROOT,
                ", the Disruptor's (whose blocking strategy pays the same wake-up) %.1f µs and"
                    + " %.1f µs",
                dl.path("p50Micros").asDouble(),
                dl.path("p99Micros").asDouble()));
      }
      sb.append(".\n");
    }
    return sb.length() == 0 ? "Not measured in this run.\n" : sb.toString();
  }

  /**
   * The Disruptor's rate over Guava's from the paired 1→1 runs: each JVM's Herald-over-Guava ratio
   * over its Herald-over-Disruptor ratio (both paired with Herald's rounds), as " (paired, N JVMs:
   * 1.85× (1.50–2.30×))": the geometric mean, and the bounds each JVM's intervals allow at their
   * widest. Empty when no JVM ran both.
   */
  static String disruptorOverGuavaPaired(JsonNode paired) {
    int runs = 0;
    double logSum = 0;
    double low = Double.POSITIVE_INFINITY;
    double high = 0;
    for (JsonNode run : paired) {
      if (run.path("subscribers").asInt() != 1 || !run.path("reference").asText().equals(HERALD)) {
        continue;
      }
      JsonNode g = null;
      JsonNode d = null;
      for (JsonNode r : run.path("rows")) {
        switch (r.path("library").asText()) {
          case "guava-async" -> g = r;
          case "disruptor" -> d = r;
          default -> {}
        }
      }
      if (g == null || d == null) {
        continue;
      }
      runs++;
      logSum += Math.log(g.path("times").asDouble() / d.path("times").asDouble());
      low = Math.min(low, g.path("low").asDouble() / d.path("high").asDouble());
      high = Math.max(high, g.path("high").asDouble() / d.path("low").asDouble());
    }
    if (runs == 0) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        " (paired%s %.2f× (%.2f–%s×))",
        runs == 1 ? ":" : ", " + runs + " JVMs:",
        Math.exp(logSum / runs),
        low,
        upper(high));
  }

  private static void compare(
      StringBuilder sb, String what, ThroughputRow other, ThroughputRow reference) {
    if (other == null) {
      return;
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "; %s %s (%s of it)",
            what,
            BenchReport.count(other.eventsPerSecond()),
            ratio(other, reference)));
  }

  /** "0.62× (0.55–0.70×)": the ratio of the scores, then its lower and upper bounds. */
  static String ratio(ThroughputRow a, ThroughputRow b) {
    String r = String.format(Locale.ROOT, "%.2f×", a.eventsPerSecond() / b.eventsPerSecond());
    double low = lowerBound(a, b);
    double high = a.high() / b.low();
    if (Double.isNaN(low) || Double.isNaN(high)) {
      return r;
    }
    // b's lower bound at zero: the ratio has no upper bound.
    return r + String.format(Locale.ROOT, " (%.2f–%s×)", low, upper(high));
  }

  /** An upper bound as "1.25", or "∞" when the divisor's lower bound is zero. */
  static String upper(double high) {
    return Double.isInfinite(high) ? "∞" : String.format(Locale.ROOT, "%.2f", high);
  }

  /** The least the ratio a / b may be: a's lower bound over b's upper; NaN when unknown. */
  static double lowerBound(ThroughputRow a, ThroughputRow b) {
    double low = a.low() / b.high();
    return Double.isNaN(low) || b.high() <= 0 ? Double.NaN : Math.max(0, low);
  }

  private static String times(double t) {
    return t == Math.rint(t) ? String.format(Locale.ROOT, "%.0f", t) : String.valueOf(t);
  }

  private static void ratioLine(
      StringBuilder sb,
      String target,
      ThroughputRow herald,
      ThroughputRow other,
      List<JsonNode> paired,
      double wanted) {
    boolean jmh = herald != null && other != null && other.eventsPerSecond() > 0;
    if (!paired.isEmpty()) {
      // Each JVM's interval is narrow, but JVMs differ more than their intervals say (where the
      // JIT and the scheduler put things): the verdict takes the lowest bound of them all.
      double low = Double.POSITIVE_INFINITY;
      double high = 0;
      double logSum = 0;
      for (JsonNode r : paired) {
        low = Math.min(low, r.path("low").asDouble());
        high = Math.max(high, r.path("high").asDouble());
        logSum += Math.log(r.path("times").asDouble());
      }
      String measured =
          String.format(
              Locale.ROOT,
              "paired%s %.2f× (%.2f–%.2f×)",
              paired.size() == 1 ? "" : ", " + paired.size() + " JVMs,",
              Math.exp(logSum / paired.size()),
              low,
              high);
      if (jmh) {
        measured += "; JMH " + ratio(herald, other);
      }
      line(sb, target, measured, low >= wanted ? "yes" : "no");
      return;
    }
    if (!jmh) {
      line(sb, target, "not measured", "–");
      return;
    }
    double low = lowerBound(herald, other);
    String met = Double.isNaN(low) ? "unknown (no bounds)" : low >= wanted ? "yes" : "no";
    line(sb, target, ratio(herald, other), met);
  }

  /**
   * The paired rows of {@code library} against Herald (the reference) with one publisher and {@code
   * subscribers} subscribers, one per JVM run; empty when the run has none.
   */
  static List<JsonNode> pairedRow(JsonNode paired, int subscribers, String library) {
    List<JsonNode> rows = new ArrayList<>();
    for (JsonNode run : paired) {
      if (run.path("subscribers").asInt() != subscribers
          || !run.path("reference").asText().equals(HERALD)) {
        continue;
      }
      for (JsonNode r : run.path("rows")) {
        if (r.path("library").asText().equals(library)) {
          rows.add(r);
        }
      }
    }
    return rows;
  }

  private static void line(StringBuilder sb, String target, String measured, String met) {
    sb.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met);
    sb.append(" |\n");
  }

  static ThroughputRow row(List<ThroughputRow> rows, String topology, String library) {
    for (ThroughputRow r : rows) {
      if (r.topology().equals(topology) && r.library().equals(library)) {
        return r;
      }
    }
    return null;
  }

  static JsonNode latencyAt(JsonNode latency, String library, long rate) {
    for (JsonNode r : latency) {
      if (r.path("library").asText().equals(library)
          && r.path("offeredPerSecond").asLong() == rate) {
        return r;
      }
    }
    return null;
  }
}
