package dev.herald.bench.listener;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The same comparison as {@link AnnotatedListenerOnePublisher}, paired: the three setups live in
 * one JVM and take turns, a few batches each per round, and each round's ratio against the lambda
 * is taken from adjacent samples. A machine whose load drifts (a shared one) moves both sides of a
 * ratio alike, so the ratio's error stays small where JMH's separate trials cannot tell 10% apart.
 * The order rotates every round, so no setup always runs first. Prints a Markdown table.
 *
 * <pre>
 * java -cp herald-benchmarks.jar dev.herald.bench.listener.ListenerPairedRatio \
 *     [--warmup-ms 3000] [--rounds 200] [--batches 4]
 * </pre>
 */
public final class ListenerPairedRatio {
  static final String[] HANDLERS = {"lambda", "annotated", "annotated-method-handle"};

  private ListenerPairedRatio() {}

  /**
   * One setup's throughput over the rounds, and its ratio against the lambda: the geometric mean of
   * the rounds' ratios with a 95% interval (on their logarithms, normal approximation).
   */
  public record Row(
      String handler, double medianPerSecond, double ratio, double ratioLow, double ratioHigh) {}

  public static void main(String[] args) {
    long warmupMs = 3000;
    int rounds = 200;
    int batches = 4;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + args[i]);
      }
      switch (args[i]) {
        case "--warmup-ms" -> warmupMs = bounded(args[i], args[i + 1], 0, 600_000);
        case "--rounds" -> rounds = (int) bounded(args[i], args[i + 1], 2, 100_000);
        case "--batches" -> batches = (int) bounded(args[i], args[i + 1], 1, 10_000);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    System.out.print(table(measure(warmupMs, rounds, batches)));
  }

  private static long bounded(String name, String value, long min, long max) {
    long v = Long.parseLong(value);
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + ": must be within [" + min + ", " + max + "]");
    }
    return v;
  }

  /** Warms every setup for {@code warmupMs} in turns, then measures {@code rounds} rounds. */
  public static List<Row> measure(long warmupMs, int rounds, int batches) {
    AnnotatedListenerOnePublisher[] setups = new AnnotatedListenerOnePublisher[HANDLERS.length];
    try {
      for (int s = 0; s < setups.length; s++) {
        setups[s] = new AnnotatedListenerOnePublisher();
        setups[s].handler = HANDLERS[s];
        setups[s].open();
      }
      long warmEnd = System.nanoTime() + warmupMs * 1_000_000;
      do {
        for (AnnotatedListenerOnePublisher s : setups) {
          s.deliver();
        }
      } while (System.nanoTime() < warmEnd);

      double[][] perSecond = new double[setups.length][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < setups.length; k++) {
          int s = (r + k) % setups.length;
          long start = System.nanoTime();
          for (int b = 0; b < batches; b++) {
            setups[s].deliver();
          }
          long nanos = System.nanoTime() - start;
          perSecond[s][r] =
              (double) batches * AnnotatedListenerOnePublisher.EVENTS_PER_OP * 1e9 / nanos;
        }
      }
      return rows(perSecond);
    } finally {
      for (AnnotatedListenerOnePublisher s : setups) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  /** The rows of per-round throughputs, {@code perSecond[setup][round]}, setup 0 the lambda. */
  static List<Row> rows(double[][] perSecond) {
    int rounds = perSecond[0].length;
    List<Row> rows = new ArrayList<>();
    for (int s = 0; s < perSecond.length; s++) {
      double[] logs = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        logs[r] = Math.log(perSecond[s][r] / perSecond[0][r]);
      }
      double mean = Arrays.stream(logs).average().orElse(0);
      double variance = 0;
      for (double l : logs) {
        variance += (l - mean) * (l - mean);
      }
      double half = 1.96 * Math.sqrt(variance / (rounds - 1) / rounds);
      rows.add(
          new Row(
              HANDLERS[s],
              median(perSecond[s]),
              Math.exp(mean),
              Math.exp(mean - half),
              Math.exp(mean + half)));
    }
    return rows;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  public static String table(List<Row> rows) {
    StringBuilder b =
        new StringBuilder(
            "| handler | events/s (median of rounds) | against the lambda (95% interval) |\n"
                + "|---|---:|---:|\n");
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %.3f (%.3f to %.3f) |%n",
              r.handler(),
              r.medianPerSecond(),
              r.ratio(),
              r.ratioLow(),
              r.ratioHigh()));
    }
    return b.toString();
  }
}
