package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The durable log's part of a report, from the JMH results of {@code dev.herald.bench.log} and the
 * results of {@code DurableLatencyAtFixedRate}: appends (with their baselines), the disk's fsync
 * latency, publish → durable subscriber latency, and issue 4's speed targets, met or not.
 */
final class LogReport {
  static final String PACKAGE = "dev.herald.bench.log.";
  static final double INTERVAL_TARGET = 1_000_000;
  static final double GROUP_COMMIT_TARGET = 50_000;
  static final double LATENCY_P99_TARGET_MICROS = 2_000;

  private LogReport() {}

  /**
   * One line of the appends table.
   *
   * @param perSecond records written (baselines) or acknowledged (the log) per second
   * @param error JMH's 99.9% confidence half-width, NaN with too few iterations
   * @param fsyncsPerSecond the log's file fsyncs per second, NaN for the baselines
   * @param bytesPerRecord JMH {@code gc.alloc.rate.norm} per record, NaN without {@code -prof gc}
   */
  record AppendRow(
      String what,
      String flush,
      int publishers,
      double perSecond,
      double error,
      double fsyncsPerSecond,
      double bytesPerRecord) {
    double recordsPerFsync() {
      return fsyncsPerSecond > 0 ? perSecond / fsyncsPerSecond : Double.NaN;
    }
  }

  /** The disk's fsync latency in microseconds (JMH sample mode). */
  record Fsync(double mean, double p50, double p99, double p999, double max, long samples) {}

  /** One of issue 4's targets. */
  record Target(String target, String measured, boolean met) {}

  static List<AppendRow> appendRows(JsonNode jmh) {
    List<AppendRow> rows = new ArrayList<>();
    JsonNode buffered = find(jmh, "FileChannelWriteOnePublisher.buffered", null);
    JsonNode perRecord = find(jmh, "FileChannelWriteOnePublisher.perRecord", null);
    JsonNode interval = find(jmh, "LogAppendOnePublisher.append", "INTERVAL");
    JsonNode always = find(jmh, "LogAppendOnePublisher.append", "ALWAYS");
    JsonNode group = find(jmh, "LogAppendSixtyFourPublishers.appendAndWait", null);
    add(rows, buffered, "`FileChannel.write`, 256 KiB buffer (upper bound)", "none");
    add(rows, perRecord, "`FileChannel.write`, one call per record", "none");
    if (interval != null) {
      String ms = interval.path("params").path("intervalMillis").asText("?");
      add(rows, interval, "`Log.append`, 4,096 in flight", "INTERVAL(" + ms + " ms)");
    }
    add(rows, always, "`Log.append`, 4,096 in flight", "ALWAYS");
    add(rows, group, "`Log.append(..).join()` per thread", "ALWAYS");
    return rows;
  }

  static Fsync fsync(JsonNode jmh) {
    JsonNode b = find(jmh, "FsyncLatency.writeAndForce", null);
    if (b == null) {
      return null;
    }
    JsonNode m = b.path("primaryMetric");
    JsonNode p = m.path("scorePercentiles");
    long samples = 0;
    for (JsonNode fork : m.path("rawDataHistogram")) {
      for (JsonNode iteration : fork) {
        for (JsonNode bucket : iteration) {
          samples += bucket.path(1).asLong();
        }
      }
    }
    return new Fsync(
        BenchReport.number(m.path("score")),
        BenchReport.number(p.path("50.0")),
        BenchReport.number(p.path("99.0")),
        BenchReport.number(p.path("99.9")),
        BenchReport.number(p.path("100.0")),
        samples);
  }

  static List<Target> targets(List<AppendRow> rows, JsonNode latency) {
    List<Target> targets = new ArrayList<>();
    for (AppendRow r : rows) {
      if (r.flush().startsWith("INTERVAL")) {
        targets.add(
            new Target(
                "100-byte appends, INTERVAL, one publisher: ≥ 1,000,000 acknowledged/s",
                BenchReport.count(r.perSecond()) + "/s",
                r.perSecond() >= INTERVAL_TARGET));
      } else if (r.publishers() > 1) {
        targets.add(
            new Target(
                "ALWAYS, " + r.publishers() + " publishers: ≥ 50,000 acknowledged/s",
                BenchReport.count(r.perSecond())
                    + "/s, "
                    + String.format(Locale.ROOT, "%.1f", r.recordsPerFsync())
                    + " records per fsync",
                r.perSecond() >= GROUP_COMMIT_TARGET));
      }
    }
    for (JsonNode r : latency) {
      if (r.path("library").asText().equals("herald-log-interval")) {
        double p99 = r.path("p99Micros").asDouble();
        targets.add(
            new Target(
                "publish → durable subscriber, INTERVAL, "
                    + BenchReport.count(r.path("offeredPerSecond").asDouble())
                    + "/s offered: p99 < 2 ms",
                r.hasNonNull("failure")
                    ? "failed: " + r.path("failure").asText()
                    : String.format(Locale.ROOT, "p99 %.0f µs", p99)
                        + (r.path("saturated").asBoolean() ? ", saturated" : ""),
                p99 < LATENCY_P99_TARGET_MICROS && !r.path("saturated").asBoolean()));
      }
    }
    return targets;
  }

  /** The JSON form: rows, fsync latency, latency results and targets. */
  static Map<String, Object> toMap(JsonNode jmh, JsonNode latency) {
    List<AppendRow> rows = appendRows(jmh);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("appends", rows);
    m.put("fsync", fsync(jmh));
    m.put("latency", latency);
    m.put("targets", targets(rows, latency));
    m.put("jmh", jmh);
    return m;
  }

  static String markdown(JsonNode jmh, JsonNode latency) {
    List<AppendRow> rows = appendRows(jmh);
    StringBuilder sb = new StringBuilder();
    sb.append("### Appends, 100-byte payloads (records per second)\n\n");
    sb.append(
        "The log's rows count acknowledged appends (the future completed: written, and fsynced"
            + " if the policy says so); the `FileChannel` rows count records handed to the OS.\n\n");
    sb.append(
        "| what | flush | publishers | records/s | ± (99.9%) | × buffered write | fsyncs/s |"
            + " records/fsync | B allocated/record |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    double reference = rows.isEmpty() ? Double.NaN : rows.get(0).perSecond();
    for (AppendRow r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %s | %s | %s | %s | %s | %s |%n",
              r.what(),
              r.flush(),
              r.publishers(),
              BenchReport.count(r.perSecond()),
              BenchReport.count(r.error()),
              decimal(r.perSecond() / reference, 2),
              decimal(r.fsyncsPerSecond(), 1),
              decimal(r.recordsPerFsync(), 1),
              decimal(r.bytesPerRecord(), 1)));
    }
    Fsync f = fsync(jmh);
    if (f != null) {
      sb.append("\n### fsync latency of this disk (µs)\n\n");
      sb.append(
          "One thread writes a 138-byte record after the previous one and calls"
              + " `FileChannel.force(true)`, as the log's writer forces a segment.\n\n");
      sb.append("| operation | mean | p50 | p99 | p99.9 | max | samples |\n");
      sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
      sb.append(
          String.format(
              Locale.ROOT,
              "| write 138 B + `force(true)` | %.1f | %.1f | %.1f | %.1f | %.1f | %s |%n",
              f.mean(),
              f.p50(),
              f.p99(),
              f.p999(),
              f.max(),
              BenchReport.count(f.samples())));
    }
    if (latency.size() > 0) {
      sb.append("\n### Latency, publish to subscriber at a fixed offered rate (µs)\n\n");
      sb.append(
          "Through `EventBus.emit` and, for the log, `LogTransport` and a durable subscription"
              + " (consumer group); from each event's intended send time (HdrHistogram).\n\n");
      sb.append(
          "| setup | path | offered/s | achieved/s | p50 | p99 | p99.9 | max | |"
              + " append queue | commit every | file fsyncs | fsync p99 | fsync max | JIT ms |\n");
      sb.append("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
      for (JsonNode r : latency) {
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s |%n",
                r.path("library").asText(),
                r.path("topology").asText().replace("->", "→"),
                BenchReport.count(r.path("offeredPerSecond").asDouble()),
                BenchReport.count(r.path("achievedPerSecond").asDouble()),
                r.path("p50Micros").asDouble(),
                r.path("p99Micros").asDouble(),
                r.path("p999Micros").asDouble(),
                r.path("maxMicros").asDouble(),
                r.hasNonNull("failure")
                    ? "failed: " + r.path("failure").asText()
                    : r.path("saturated").asBoolean() ? "saturated" : "",
                r.path("appendQueueCapacity").asLong() > 0
                    ? BenchReport.count(r.path("appendQueueCapacity").asDouble())
                    : "–",
                r.path("appendQueueCapacity").asLong() > 0
                    ? commitEvery(r.path("commitEvery").asInt())
                    : "–",
                BenchReport.count(r.path("fsyncs").asDouble()),
                decimal(BenchReport.number(r.path("fsyncP99Micros")), 1),
                decimal(BenchReport.number(r.path("fsyncMaxMicros")), 1),
                BenchReport.jitMillis(r)));
      }
      sb.append(
          "\nFile fsyncs are the log's (flush policy, segment rolls) and the consumer group's offset"
              + " commits, over warm-up and measurement; their durations are in µs. JIT ms: time the"
              + " JIT compilers spent during the measured round.\n");
    }
    List<Target> targets = targets(rows, latency);
    if (!targets.isEmpty()) {
      sb.append("\n### Issue 4's speed targets, in this run\n\n");
      sb.append("| target | measured | met |\n|---|---|---|\n");
      for (Target t : targets) {
        sb.append("| ")
            .append(t.target())
            .append(" | ")
            .append(t.measured())
            .append(" | ")
            .append(t.met() ? "yes" : "**no**")
            .append(" |\n");
      }
    }
    return sb.toString();
  }

  /**
   * Where the benchmarks' scratch directories live, as one markdown line: the base directory and
   * its file system, as seen by this JVM (a benchmark run with {@code -Dherald.bench.dir} elsewhere
   * is not reflected).
   */
  static String storage() {
    String base = System.getProperty("herald.bench.dir", System.getProperty("java.io.tmpdir"));
    String store;
    try {
      FileStore fs = Files.getFileStore(Path.of(base));
      store = fs.type() + " on " + fs.name();
    } catch (IOException | RuntimeException e) {
      store = "file system unknown";
    }
    return "- Log files: a fresh directory under `"
        + base
        + "` ("
        + store
        + "), deleted afterwards\n";
  }

  private static void add(List<AppendRow> rows, JsonNode b, String what, String flush) {
    if (b == null) {
      return;
    }
    JsonNode secondary = b.path("secondaryMetrics");
    JsonNode fsyncs = secondary.path("fsyncs");
    JsonNode alloc = secondary.path("gc.alloc.rate.norm");
    rows.add(
        new AppendRow(
            what,
            flush,
            b.path("threads").asInt(1),
            BenchReport.number(b.path("primaryMetric").path("score")),
            BenchReport.number(b.path("primaryMetric").path("scoreError")),
            fsyncs.isMissingNode() ? Double.NaN : BenchReport.number(fsyncs.path("score")),
            alloc.isMissingNode() ? Double.NaN : BenchReport.number(alloc.path("score"))));
  }

  /**
   * The result of {@code benchmark} (class.method under {@link #PACKAGE}) with that flush param.
   */
  private static JsonNode find(JsonNode jmh, String benchmark, String flush) {
    for (JsonNode b : jmh) {
      if (b.path("benchmark").asText().equals(PACKAGE + benchmark)
          && (flush == null || flush.equals(b.path("params").path("flush").asText()))) {
        return b;
      }
    }
    return null;
  }

  /** The group's commit period; 0 is the transport's default: 65,536, or the 100 ms timer. */
  private static String commitEvery(int acknowledgements) {
    return acknowledgements > 0
        ? BenchReport.count(acknowledgements)
        : "65,536 or 100 ms (default)";
  }

  private static String decimal(double v, int places) {
    return Double.isNaN(v) || Double.isInfinite(v)
        ? "–"
        : String.format(Locale.ROOT, "%,." + places + "f", v);
  }
}
