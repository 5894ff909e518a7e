package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The table of {@code dev.herald.bench.queue.QueueOfferPoll}: Herald's mailbox queues against
 * JCTools', elements polled per second, each Herald queue's ratio to its JCTools counterpart with
 * the ratio's bounds (JMH's interval, or the slowest and fastest rounds), and which one is kept.
 */
final class QueueReport {
  private QueueReport() {}

  static String markdown(JsonNode jmh) {
    if (jmh.size() == 0) {
      return "";
    }
    // group ("oneProducer") -> queue -> [score, low, high]
    Map<String, Map<String, double[]>> byGroup = new LinkedHashMap<>();
    for (JsonNode b : jmh) {
      String name = b.path("benchmark").asText();
      String group = name.substring(name.lastIndexOf('.') + 1);
      String queue = b.path("params").path("queue").asText("?");
      JsonNode polled = b.path("secondaryMetrics").path("polled");
      double score = BenchReport.number(polled.path("score"));
      double error = BenchReport.number(polled.path("scoreError"));
      double[] rounds = BenchReport.rounds(polled.path("rawData"));
      double low = Math.max(0, Double.isNaN(error) ? rounds[0] : score - error);
      double high = Double.isNaN(error) ? rounds[1] : score + error;
      byGroup
          .computeIfAbsent(group, g -> new LinkedHashMap<>())
          .put(queue, new double[] {score, low, high});
    }
    StringBuilder sb = new StringBuilder();
    sb.append("## Herald's queues against JCTools (elements polled per second)\n\n");
    sb.append("| producers | queue | polled/s | bounds | Herald ÷ JCTools |\n");
    sb.append("|---|---|---:|---:|---:|\n");
    for (Map.Entry<String, Map<String, double[]>> g : byGroup.entrySet()) {
      String producers =
          g.getKey().equals("oneProducer")
              ? "1"
              : g.getKey().equals("fourProducers") ? "4" : g.getKey();
      for (Map.Entry<String, double[]> q : g.getValue().entrySet()) {
        double[] v = q.getValue();
        String ratio = "";
        if (q.getKey().startsWith("herald-")) {
          double[] j = g.getValue().get(q.getKey().replace("herald-", "jctools-"));
          if (j != null) {
            ratio =
                String.format(
                    Locale.ROOT,
                    "%.2f× (%.2f–%s×)",
                    v[0] / j[0],
                    v[1] / j[2],
                    BusTargets.upper(v[2] / j[1]));
          }
        }
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s–%s | %s |%n",
                producers,
                q.getKey(),
                BenchReport.count(v[0]),
                BenchReport.count(v[1]),
                BenchReport.count(v[2]),
                ratio));
      }
    }
    sb.append(
        "\nWhat is kept: Herald's own queues, unless a JCTools queue is faster beyond the bounds"
            + " (its ratio's upper bound below 1) in both producer counts; herald-core has no"
            + " dependencies, so adopting JCTools would mean copying its code in. In this run: ");
    for (String kind : new String[] {"mpsc", "mpmc"}) {
      int slower = 0;
      int measured = 0;
      for (Map<String, double[]> g : byGroup.values()) {
        double[] h = g.get("herald-" + kind);
        double[] j = g.get("jctools-" + kind);
        if (h != null && j != null) {
          measured++;
          if (h[2] / j[1] < 1) {
            slower++;
          }
        }
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "%s %s. ",
              kind.toUpperCase(Locale.ROOT),
              measured == 0
                  ? "not measured"
                  : slower == measured
                      ? "JCTools is faster in every producer count measured"
                      : "Herald's is not beaten beyond the bounds in "
                          + (measured - slower)
                          + " of "
                          + measured
                          + " producer counts, so it stays"));
    }
    sb.append("\n");
    return sb.toString();
  }
}
