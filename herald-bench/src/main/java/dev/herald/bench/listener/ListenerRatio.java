package dev.herald.bench.listener;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the JMH results of {@link AnnotatedListenerOnePublisher} and prints each handler's
 * throughput beside the lambda's, as a ratio with its error: JMH's 99.9% confidence half-widths
 * combined to first order, {@code r·√((ea/a)² + (el/l)²)}.
 *
 * <pre>java -cp herald-benchmarks.jar dev.herald.bench.listener.ListenerRatio results.json</pre>
 */
public final class ListenerRatio {
  private static final long MAX_RESULTS_BYTES = 64L << 20;
  private static final String BENCHMARK =
      AnnotatedListenerOnePublisher.class.getName() + ".deliver";

  private ListenerRatio() {}

  /** One handler's throughput, events per second, and its error. */
  public record Score(String handler, double perSecond, double error) {}

  /** One handler against the lambda. */
  public record Ratio(String handler, double ratio, double error) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ListenerRatio JMH_RESULTS.json");
      System.exit(2);
    }
    Path json = Path.of(args[0]);
    if (Files.size(json) > MAX_RESULTS_BYTES) {
      throw new IOException(json + " is larger than " + MAX_RESULTS_BYTES + " bytes");
    }
    Map<String, Score> scores = scores(new ObjectMapper().readTree(json.toFile()));
    System.out.print(table(scores, ratios(scores)));
  }

  /** The scores of the benchmark's results, by handler, in the order they appear. */
  public static Map<String, Score> scores(JsonNode results) {
    Map<String, Score> scores = new LinkedHashMap<>();
    for (JsonNode r : results) {
      if (!BENCHMARK.equals(r.path("benchmark").asText())) {
        continue;
      }
      String handler = r.path("params").path("handler").asText();
      JsonNode primary = r.path("primaryMetric");
      double error = primary.path("scoreError").asDouble(Double.NaN);
      scores.put(handler, new Score(handler, primary.path("score").asDouble(), error));
    }
    return scores;
  }

  /** Every handler but the lambda, against the lambda; empty if the lambda was not measured. */
  public static List<Ratio> ratios(Map<String, Score> scores) {
    List<Ratio> ratios = new ArrayList<>();
    Score lambda = scores.get("lambda");
    if (lambda == null) {
      return ratios;
    }
    for (Score s : scores.values()) {
      if (s == lambda) {
        continue;
      }
      double r = s.perSecond() / lambda.perSecond();
      double relative =
          Math.sqrt(
              square(s.error() / s.perSecond()) + square(lambda.error() / lambda.perSecond()));
      ratios.add(new Ratio(s.handler(), r, r * relative));
    }
    return ratios;
  }

  private static double square(double x) {
    return x * x;
  }

  public static String table(Map<String, Score> scores, List<Ratio> ratios) {
    StringBuilder b = new StringBuilder();
    b.append("| handler | events/s | ± | against the lambda |\n|---|---:|---:|---:|\n");
    for (Score s : scores.values()) {
      String against = "1 (the baseline)";
      for (Ratio r : ratios) {
        if (r.handler().equals(s.handler())) {
          against = String.format(Locale.ROOT, "%.3f ± %s", r.ratio(), error(r.error(), "%.3f"));
        }
      }
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %s | %s |%n",
              s.handler(),
              s.perSecond(),
              error(s.error(), "%,.0f"),
              against));
    }
    return b.toString();
  }

  /** An error as {@code format} writes it, or a dash when JMH could not tell (one iteration). */
  private static String error(double error, String format) {
    return Double.isNaN(error) ? "–" : String.format(Locale.ROOT, format, error);
  }
}
