package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The section of {@code dev.herald.batchpublish.BatchPublishBenchmark}: Herald's {@code emitAll}
 * against its own {@code emit} one event at a time and against the Disruptor's batch claim, 1→1,
 * events delivered per second, with each ratio's bounds (JMH's interval, or the slowest and fastest
 * rounds when there is none). Every figure and ratio in it is computed from the run's JSON.
 */
final class BatchReport {
  static final String EMIT_ALL = "herald-emitAll";
  static final String EMIT = "herald-emit";
  static final String DISRUPTOR = "disruptor-batch";

  private BatchReport() {}

  /** A contender's score with its bounds, and the bytes it allocated per event (NaN if unknown). */
  private record Score(double score, double low, double high, double allocated) {}

  static String markdown(JsonNode jmh) {
    if (jmh.size() == 0) {
      return "";
    }
    Map<String, Score> scores = new LinkedHashMap<>();
    int batch = 0;
    for (JsonNode b : jmh) {
      JsonNode primary = b.path("primaryMetric");
      double score = BenchReport.number(primary.path("score"));
      double error = BenchReport.number(primary.path("scoreError"));
      double[] rounds = BenchReport.rounds(primary.path("rawData"));
      JsonNode alloc = b.path("secondaryMetrics").path("gc.alloc.rate.norm");
      // An operation is a whole round of events (OperationsPerInvocation): JMH's per-op figure is
      // already per event.
      scores.put(
          b.path("params").path("contender").asText("?"),
          new Score(
              score,
              Math.max(0, Double.isNaN(error) ? rounds[0] : score - error),
              Double.isNaN(error) ? rounds[1] : score + error,
              alloc.isMissingNode() ? Double.NaN : BenchReport.number(alloc.path("score"))));
      batch = b.path("params").path("batch").asInt(batch);
    }
    StringBuilder sb = new StringBuilder();
    sb.append("## Batch publish, 1→1 (events delivered per second)\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "One publisher hands over %d events at a time: `%s` is `bus.emitAll(list)` of %d new"
                + " `Event`s (each built as a user builds it), `%s` the same events through"
                + " `bus.emit` one by one, `%s` the Disruptor's batch claim (`next(%d)`, a"
                + " reference written into each pre-allocated slot, `publish(lo, hi)`). Both"
                + " buses hold 65,536 events, make the publisher wait when full and let an idle"
                + " consumer sleep; an operation ends once the subscriber received every event"
                + " (`BatchPublishBenchmark`).%n%n",
            batch,
            EMIT_ALL,
            batch,
            EMIT,
            DISRUPTOR,
            batch));
    sb.append("| publisher | events/s | bounds | B allocated/event | × Disruptor batch |\n");
    sb.append("|---|---:|---:|---:|---:|\n");
    Score disruptor = scores.get(DISRUPTOR);
    for (Map.Entry<String, Score> e : scores.entrySet()) {
      Score s = e.getValue();
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s–%s | %s | %s |%n",
              e.getKey(),
              BenchReport.count(s.score),
              BenchReport.count(s.low),
              BenchReport.count(s.high),
              Double.isNaN(s.allocated) ? "–" : String.format(Locale.ROOT, "%.1f", s.allocated),
              disruptor == null || e.getKey().equals(DISRUPTOR) ? "" : ratio(s, disruptor)));
    }
    Score all = scores.get(EMIT_ALL);
    Score one = scores.get(EMIT);
    sb.append("\n");
    if (all != null && one != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "In this run `emitAll` delivered %s the rate of `emit` one by one",
              ratio(all, one)));
      sb.append(
          disruptor != null
              ? String.format(
                  Locale.ROOT,
                  ", and %s the rate of the Disruptor's batch publish",
                  ratio(all, disruptor))
              : "");
      sb.append(
          ". A batch makes the bus's closed check once, writes each run of events bound for"
              + " one ring or one subscription's own mailbox with one claim, and wakes each lane at most once, after the whole"
              + " batch is in its mailbox; each event is still routed on its own and is an object"
              + " of its own (the Disruptor's slots are reused and hold only a reference here).\n");
    }
    return sb.toString();
  }

  /** a / b as "0.42× (0.30–0.61×)": a's bounds over b's, crosswise. */
  private static String ratio(Score a, Score b) {
    return String.format(
        Locale.ROOT,
        "%.2f× (%.2f–%s×)",
        a.score / b.score,
        a.low / b.high,
        BusTargets.upper(b.low <= 0 ? Double.POSITIVE_INFINITY : a.high / b.low));
  }
}
