package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one run's raw results (JMH's JSON, the latency harnesses' JSON) into the published forms: a
 * combined JSON and a markdown report under {@code bench/results/} (timestamped, and copied to
 * {@code latest.*}), the throughput chart as SVG, and optionally {@code docs/benchmarks.md}. The
 * bus results ({@code --jmh}), the durable log's ({@code --log-jmh}, see {@link LogReport}) and
 * Kafka's ({@code --kafka-jmh}, see {@link KafkaReport}; {@code --kafka-load} is the load average
 * seen while they ran) are each optional; the chart and the page need the bus results. {@code
 * --paired} lists {@link BusPairedRatio}'s results, which decide the ratio targets they cover.
 *
 * <pre>
 * java -cp herald-benchmarks.jar dev.herald.bench.BenchReport [--jmh jmh.json] \
 *     [--latency latency.json] [--log-jmh log-jmh.json] [--log-latency log-latency.json] \
 *     [--kafka-jmh kafka-jmh.json] [--kafka-load "4.1 → 6.3"] [--queue-jmh queue-jmh.json] \
 *     [--batch-jmh batch-jmh.json] \
 *     [--paired paired-1to1.json,paired-1to4.json] \
 *     --out bench/results --stamp 20250101T000000Z --mode quick \
 *     [--svg docs/benchmarks-throughput.svg] [--docs docs/benchmarks.md]
 * </pre>
 */
public final class BenchReport {
  /** The topologies in table order, with the names people read. */
  static final Map<String, String> TOPOLOGIES = new LinkedHashMap<>();

  static {
    TOPOLOGIES.put("OnePublisherOneSubscriber", "1→1");
    TOPOLOGIES.put("OnePublisherFourSubscribers", "1→4");
    TOPOLOGIES.put("FourPublishersOneSubscriber", "4→1");
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BenchReport() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    JsonNode jmhRaw = readOrEmpty(opts.get("jmh"));
    JsonNode latencyRaw = readOrEmpty(opts.get("latency"));
    JsonNode logJmhRaw = readOrEmpty(opts.get("log-jmh"));
    JsonNode logLatencyRaw = readOrEmpty(opts.get("log-latency"));
    JsonNode kafkaJmhRaw = readOrEmpty(opts.get("kafka-jmh"));
    JsonNode queueJmhRaw = readOrEmpty(opts.get("queue-jmh"));
    JsonNode batchJmhRaw = readOrEmpty(opts.get("batch-jmh"));
    JsonNode pairedRaw = readAll(opts.get("paired"));
    String kafkaLoad = opts.get("kafka-load");
    Path out = Path.of(required(opts, "out"));
    String stamp = required(opts, "stamp");
    String mode = opts.getOrDefault("mode", "full");
    String svg = opts.get("svg");
    String docs = opts.get("docs");
    boolean bus = jmhRaw.size() > 0;
    boolean log = logJmhRaw.size() > 0 || logLatencyRaw.size() > 0;
    boolean kafka = kafkaJmhRaw.size() > 0;
    if (!bus && (svg != null || docs != null)) {
      throw new IllegalArgumentException("--svg and --docs need the bus results (--jmh)");
    }

    List<ThroughputRow> rows = throughputRows(jmhRaw);
    MachineInfo machine = MachineInfo.current();

    Files.createDirectories(out);
    Map<String, Object> combined = new LinkedHashMap<>();
    combined.put("mode", mode);
    combined.put("machine", machine.toMap());
    combined.put("throughput", rows);
    combined.put("latency", latencyRaw);
    combined.put("jmh", jmhRaw);
    combined.put("queues", queueJmhRaw);
    combined.put("batchPublish", batchJmhRaw);
    combined.put("paired", pairedRaw);
    if (log) {
      combined.put("log", LogReport.toMap(logJmhRaw, logLatencyRaw));
    }
    if (kafka) {
      combined.put("kafka", KafkaReport.toMap(kafkaJmhRaw, kafkaLoad));
    }
    Path json = out.resolve(stamp + ".json");
    JSON.writeValue(json.toFile(), combined);
    Files.copy(json, out.resolve("latest.json"), StandardCopyOption.REPLACE_EXISTING);

    String busTables =
        bus
            ? throughputTable(rows)
                + "\n"
                + latencyTable(latencyRaw)
                + "\n"
                + BusTargets.markdown(rows, latencyRaw, pairedRaw)
                + (queueJmhRaw.size() > 0 ? "\n" + QueueReport.markdown(queueJmhRaw) : "")
                + (batchJmhRaw.size() > 0 ? "\n" + BatchReport.markdown(batchJmhRaw) : "")
            : "";
    String logSections = log ? LogReport.markdown(logJmhRaw, logLatencyRaw) : "";
    String logTables = log ? "## Durable log\n\n" + LogReport.storage() + "\n" + logSections : "";
    String kafkaSections = kafka ? KafkaReport.markdown(kafkaJmhRaw, kafkaLoad) : "";
    String kafkaTables = kafka ? "## Kafka\n\n" + kafkaSections : "";
    String tables =
        busTables
            + (bus && log ? "\n" : "")
            + logTables
            + ((bus || log) && kafka ? "\n" : "")
            + kafkaTables;
    String md =
        "# Herald benchmarks: "
            + mode
            + " run "
            + stamp
            + "\n\n"
            + machine.markdown()
            + "\n"
            + tables;
    Path mdFile = out.resolve(stamp + ".md");
    Files.writeString(mdFile, md, StandardCharsets.UTF_8);
    Files.copy(mdFile, out.resolve("latest.md"), StandardCopyOption.REPLACE_EXISTING);

    if (bus) {
      String chart = ThroughputChart.render(rows, mode + " run " + stamp);
      Files.writeString(out.resolve(stamp + "-throughput.svg"), chart, StandardCharsets.UTF_8);
      if (svg != null) {
        writeCreatingParents(Path.of(svg), chart);
      }
    }
    if (docs != null) {
      writeCreatingParents(
          Path.of(docs),
          BenchmarksPage.render(
              machine,
              stamp,
              busTables,
              BusTargets.settings(rows),
              BusTargets.limits(rows, latencyRaw, pairedRaw),
              logSections,
              kafkaSections));
    }
    System.out.println(tables);
    System.out.println("Results: " + json + ", " + mdFile + " (and latest.json, latest.md)");
  }

  /** One row per library and topology, in table order; ratios against herald-emit. */
  static List<ThroughputRow> throughputRows(JsonNode jmh) {
    Map<String, Map<String, JsonNode>> byTopology = new LinkedHashMap<>();
    for (String t : TOPOLOGIES.keySet()) {
      byTopology.put(t, new LinkedHashMap<>());
    }
    for (JsonNode b : jmh) {
      String name = b.path("benchmark").asText();
      String[] parts = name.split("\\.");
      String topology = parts.length >= 2 ? parts[parts.length - 2] : name;
      String library = b.path("params").path("library").asText("?");
      byTopology.computeIfAbsent(topology, t -> new LinkedHashMap<>()).put(library, b);
    }
    List<ThroughputRow> rows = new ArrayList<>();
    for (Map.Entry<String, Map<String, JsonNode>> t : byTopology.entrySet()) {
      JsonNode herald = t.getValue().get(Library.HERALD_EMIT.id);
      double reference = herald == null ? Double.NaN : score(herald);
      for (String library : orderedLibraries(t.getValue())) {
        JsonNode b = t.getValue().get(library);
        JsonNode primary = b.path("primaryMetric");
        JsonNode alloc = b.path("secondaryMetrics").path("gc.alloc.rate.norm");
        double error = number(primary.path("scoreError"));
        double[] rounds = rounds(primary.path("rawData"));
        // An interval reaching below zero says only that the score is at least zero.
        double low = Math.max(0, Double.isNaN(error) ? rounds[0] : score(b) - error);
        double high = Double.isNaN(error) ? rounds[1] : score(b) + error;
        rows.add(
            new ThroughputRow(
                t.getKey(),
                library,
                score(b),
                error,
                score(b) / reference,
                alloc.isMissingNode() ? Double.NaN : number(alloc.path("score")),
                low,
                high));
      }
    }
    return rows;
  }

  /**
   * The slowest and the fastest measured round in JMH's {@code rawData} (one array of iteration
   * scores per fork); NaN and NaN when there is none.
   */
  static double[] rounds(JsonNode rawData) {
    double min = Double.NaN;
    double max = Double.NaN;
    for (JsonNode fork : rawData) {
      for (JsonNode iteration : fork) {
        double v = number(iteration);
        if (Double.isNaN(v)) {
          continue;
        }
        min = Double.isNaN(min) ? v : Math.min(min, v);
        max = Double.isNaN(max) ? v : Math.max(max, v);
      }
    }
    return new double[] {min, max};
  }

  private static List<String> orderedLibraries(Map<String, JsonNode> present) {
    List<String> order = new ArrayList<>();
    for (String id : Library.ids()) {
      if (present.containsKey(id)) {
        order.add(id);
      }
    }
    for (String id : present.keySet()) {
      if (!order.contains(id)) {
        order.add(id);
      }
    }
    return order;
  }

  private static double score(JsonNode benchmark) {
    return number(benchmark.path("primaryMetric").path("score"));
  }

  /** JMH writes NaN as the string "NaN". */
  static double number(JsonNode n) {
    if (n.isNumber()) {
      return n.asDouble();
    }
    try {
      return Double.parseDouble(n.asText());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  static String throughputTable(List<ThroughputRow> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Throughput (events delivered to every subscriber per second)\n\n");
    sb.append(
        "| topology | library | events/s | ± (99.9%) | × Herald emit | B allocated/event |\n");
    sb.append("|---|---|---:|---:|---:|---:|\n");
    for (ThroughputRow r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s |%n",
              TOPOLOGIES.getOrDefault(r.topology(), r.topology()),
              r.library(),
              count(r.eventsPerSecond()),
              Double.isNaN(r.error()) ? "–" : count(r.error()),
              Double.isNaN(r.ratioToHerald())
                  ? "–"
                  : String.format(Locale.ROOT, "%.2f", r.ratioToHerald()),
              Double.isNaN(r.bytesPerEvent())
                  ? "–"
                  : String.format(Locale.ROOT, "%.1f", r.bytesPerEvent())));
    }
    return sb.toString();
  }

  static String latencyTable(JsonNode latency) {
    if (latency.size() == 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("## Latency, publish to handler, 1→1 at a fixed offered rate (µs)\n\n");
    sb.append(
        "Measured from each event's intended send time (HdrHistogram), so stalls are not hidden.\n\n");
    sb.append("| library | offered/s | achieved/s | p50 | p99 | p99.9 | max | JIT ms | |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (JsonNode r : latency) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %s | %s |%n",
              r.path("library").asText(),
              count(r.path("offeredPerSecond").asDouble()),
              count(r.path("achievedPerSecond").asDouble()),
              r.path("p50Micros").asDouble(),
              r.path("p99Micros").asDouble(),
              r.path("p999Micros").asDouble(),
              r.path("maxMicros").asDouble(),
              jitMillis(r),
              r.path("saturated").asBoolean() ? "saturated" : ""));
    }
    sb.append(
        "\nJIT ms: time the JIT compilers spent during the measured round (compiling competes with"
            + " the measured threads for the cores).\n");
    return sb.toString();
  }

  /** A latency row's JIT milliseconds during its measured round, or "–" when not recorded. */
  static String jitMillis(JsonNode row) {
    long ms = row.path("jitMillis").asLong(-1);
    return ms < 0 ? "–" : String.valueOf(ms);
  }

  /** "1→1" for "OnePublisherOneSubscriber"; the name itself for a topology it does not know. */
  static String topologyName(String topology) {
    return TOPOLOGIES.getOrDefault(topology, topology);
  }

  /** 1234567 as "1,234,567". */
  static String count(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static void writeCreatingParents(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** The JSON array in {@code file}, or an empty array when the option or the file is absent. */
  private static JsonNode readOrEmpty(String file) throws IOException {
    return file != null && Files.exists(Path.of(file))
        ? JSON.readTree(Path.of(file).toFile())
        : JSON.createArrayNode();
  }

  /** The JSON documents of a comma-separated list of files, as one array; missing ones left out. */
  private static JsonNode readAll(String files) throws IOException {
    ArrayNode all = JSON.createArrayNode();
    if (files != null) {
      for (String f : files.split(",")) {
        if (!f.isBlank() && Files.exists(Path.of(f.trim()))) {
          all.add(JSON.readTree(Path.of(f.trim()).toFile()));
        }
      }
    }
    return all;
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }
}
