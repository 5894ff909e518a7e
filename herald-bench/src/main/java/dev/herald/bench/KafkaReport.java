package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Kafka part of a report, from the JMH results of {@code dev.herald.bench.kafka}: Herald on
 * Kafka against kafka-clients used directly (produce; publish → consumer group), the durable log
 * against a one-node Kafka broker (append; append → read), and issue 5's speed target, met or not.
 */
final class KafkaReport {
  static final String PACKAGE = "dev.herald.bench.kafka.";
  static final String HERALD = "herald";
  static final String PLAIN = "kafka-clients";

  /** Herald may cost at most this fraction of the plain client's throughput. */
  static final double OVERHEAD_TARGET = 0.10;

  private static final String PRODUCE = "KafkaProduceOnePublisher.produce";
  private static final String END_TO_END = "KafkaOnePublisherOneGroup.publishAndConsume";
  private static final String APPEND = "StoreAppendOnePublisher.append";
  private static final String APPEND_READ = "StoreOnePublisherOneReader.appendAndRead";

  private KafkaReport() {}

  /**
   * One line of the Herald-against-kafka-clients table.
   *
   * @param perSecond acknowledged (produce) or fully delivered (end to end) events per second
   * @param ratioToPlain {@code perSecond} over the plain client's in the same path
   * @param bytesPerEvent JMH {@code gc.alloc.rate.norm}: every thread of the JVM, the broker's too
   */
  record ClientRow(
      String path,
      String client,
      double perSecond,
      double error,
      double ratioToPlain,
      double bytesPerEvent) {
    /** Herald's overhead: the share of the plain client's throughput it loses. */
    double overhead() {
      return 1 - ratioToPlain;
    }
  }

  /** One line of the log-against-Kafka table. */
  record StoreRow(
      String path,
      String store,
      String flush,
      double perSecond,
      double error,
      double ratioToKafka) {}

  static List<ClientRow> clientRows(JsonNode jmh) {
    List<ClientRow> rows = new ArrayList<>();
    addClients(rows, jmh, PRODUCE, "produce, acknowledged (`acks=all`, idempotent)");
    addClients(rows, jmh, END_TO_END, "publish → consumer group, fully delivered");
    return rows;
  }

  static List<StoreRow> storeRows(JsonNode jmh) {
    List<StoreRow> rows = new ArrayList<>();
    addStores(rows, jmh, APPEND, "append, acknowledged");
    addStores(rows, jmh, APPEND_READ, "append → read");
    return rows;
  }

  static List<LogReport.Target> targets(List<ClientRow> rows) {
    List<LogReport.Target> targets = new ArrayList<>();
    for (ClientRow r : rows) {
      if (r.client().equals(HERALD) && !Double.isNaN(r.ratioToPlain())) {
        targets.add(
            new LogReport.Target(
                "Herald on Kafka, " + r.path() + ": overhead ≤ 10% of kafka-clients' throughput",
                String.format(
                    Locale.ROOT,
                    "%s/s against %s/s: %.0f%% overhead",
                    BenchReport.count(r.perSecond()),
                    BenchReport.count(r.perSecond() / r.ratioToPlain()),
                    100 * r.overhead()),
                r.overhead() <= OVERHEAD_TARGET));
      }
    }
    return targets;
  }

  static Map<String, Object> toMap(JsonNode jmh, String load) {
    List<ClientRow> clients = clientRows(jmh);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("load", load);
    m.put("clients", clients);
    m.put("stores", storeRows(jmh));
    m.put("targets", targets(clients));
    m.put("jmh", jmh);
    return m;
  }

  static String markdown(JsonNode jmh, String load) {
    StringBuilder sb = new StringBuilder();
    if (load != null && !load.isEmpty()) {
      sb.append("- Load average (1 min) during this section: ").append(load).append("\n\n");
    }
    List<ClientRow> clients = clientRows(jmh);
    if (!clients.isEmpty()) {
      sb.append("### Herald on Kafka against kafka-clients (events per second)\n\n");
      sb.append(
          "One publisher, 1,024 sends in flight, 100-byte JSON payloads, the same in-JVM broker"
              + " and client settings; `× kafka-clients` is Herald's score over the plain client's"
              + " in the same run.\n\n");
      sb.append(
          "| path | client | events/s | ± (99.9%) | × kafka-clients | overhead | B allocated/event |\n");
      sb.append("|---|---|---:|---:|---:|---:|---:|\n");
      for (ClientRow r : clients) {
        boolean herald = r.client().equals(HERALD);
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s | %s |%n",
                r.path(),
                r.client(),
                BenchReport.count(r.perSecond()),
                BenchReport.count(r.error()),
                decimal(r.ratioToPlain(), 2),
                herald && !Double.isNaN(r.ratioToPlain())
                    ? String.format(Locale.ROOT, "%.0f%%", 100 * r.overhead())
                    : "–",
                decimal(r.bytesPerEvent(), 0)));
      }
    }
    List<StoreRow> stores = storeRows(jmh);
    if (!stores.isEmpty()) {
      sb.append("\n### The durable log against a one-node Kafka broker (records per second)\n\n");
      sb.append(
          "One publisher, 4,096 appends in flight, 100-byte payloads without key or headers;"
              + " Kafka with `acks=1`, one partition. `× Kafka` is the row's score over Kafka's in the"
              + " same path and run.\n\n");
      sb.append("| path | store | flush | records/s | ± (99.9%) | × Kafka |\n");
      sb.append("|---|---|---|---:|---:|---:|\n");
      for (StoreRow r : stores) {
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s |%n",
                r.path(),
                r.store(),
                r.flush(),
                BenchReport.count(r.perSecond()),
                BenchReport.count(r.error()),
                decimal(r.ratioToKafka(), 2)));
      }
    }
    List<LogReport.Target> targets = targets(clients);
    if (!targets.isEmpty()) {
      sb.append("\n### Issue 5's speed target, in this run\n\n");
      sb.append("| target | measured | met |\n|---|---|---|\n");
      for (LogReport.Target t : targets) {
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

  private static void addClients(
      List<ClientRow> rows, JsonNode jmh, String benchmark, String path) {
    JsonNode herald = find(jmh, benchmark, "client", HERALD);
    JsonNode plain = find(jmh, benchmark, "client", PLAIN);
    double reference = plain == null ? Double.NaN : score(plain);
    for (JsonNode b : new JsonNode[] {herald, plain}) {
      if (b != null) {
        JsonNode alloc = b.path("secondaryMetrics").path("gc.alloc.rate.norm");
        rows.add(
            new ClientRow(
                path,
                b.path("params").path("client").asText(),
                score(b),
                BenchReport.number(b.path("primaryMetric").path("scoreError")),
                score(b) / reference,
                alloc.isMissingNode() ? Double.NaN : BenchReport.number(alloc.path("score"))));
      }
    }
  }

  private static void addStores(List<StoreRow> rows, JsonNode jmh, String benchmark, String path) {
    JsonNode kafka = find(jmh, benchmark, "store", "kafka-acks1");
    double reference = kafka == null ? Double.NaN : score(kafka);
    String[][] stores = {
      {"log-interval", "herald-log", "`INTERVAL(1000 ms)`: fsync once a second"},
      {"log-always", "herald-log", "`ALWAYS`: fsync before acknowledging (group commit)"},
      {"kafka-acks1", "Kafka, `acks=1`", "none: the OS page cache (Kafka's default)"}
    };
    for (String[] s : stores) {
      JsonNode b = find(jmh, benchmark, "store", s[0]);
      if (b != null) {
        rows.add(
            new StoreRow(
                path,
                s[1],
                s[2],
                score(b),
                BenchReport.number(b.path("primaryMetric").path("scoreError")),
                score(b) / reference));
      }
    }
  }

  private static JsonNode find(JsonNode jmh, String benchmark, String param, String value) {
    for (JsonNode b : jmh) {
      if (b.path("benchmark").asText().equals(PACKAGE + benchmark)
          && value.equals(b.path("params").path(param).asText())) {
        return b;
      }
    }
    return null;
  }

  private static double score(JsonNode b) {
    return BenchReport.number(b.path("primaryMetric").path("score"));
  }

  private static String decimal(double v, int places) {
    return Double.isNaN(v) || Double.isInfinite(v)
        ? "–"
        : String.format(Locale.ROOT, "%,." + places + "f", v);
  }
}
