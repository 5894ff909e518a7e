package dev.herald.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

/**
 * A paired comparison: several setups live in one JVM and take turns, a few batches each per round,
 * and each round's ratio against the reference (setup 0) is taken from adjacent samples. A machine
 * whose load drifts (a shared one) moves both sides of a ratio alike, so the ratio's interval stays
 * narrow where separate JMH trials overlap. The order rotates every round, so no setup always runs
 * first.
 *
 * <p>The price: the setups share one JIT profile (a call site that sees them all is megamorphic for
 * all of them) and one heap. The ratios are the evidence, not the absolute rates.
 */
public final class PairedRounds {
  private PairedRounds() {}

  /**
   * One setup's throughput over the rounds, and its ratio against the reference: the geometric mean
   * of the rounds' ratios with a 95% interval (on their logarithms, normal approximation).
   */
  public record Row(
      String name, double medianPerSecond, double ratio, double ratioLow, double ratioHigh) {}

  /**
   * Warms every setup for {@code warmupMs} in turns, then measures {@code rounds} rounds of {@code
   * batches} batches per setup. Each setup is a batch: it runs one and returns how many events it
   * delivered.
   *
   * @return the events per second of each setup in each round, {@code [setup][round]}
   */
  public static double[][] measure(
      List<LongSupplier> setups, long warmupMs, int rounds, int batches) {
    return measure(setups, warmupMs, rounds, batches, false).perSecond();
  }

  /**
   * The rounds of a paired comparison, and how far apart the threads' cores were around each: the
   * {@linkplain CoreDistance cache line's round trip} just before and just after it (NaN when not
   * probed, or when a probe could not finish).
   *
   * @param perSecond the events per second of each setup in each round, {@code [setup][round]}
   */
  public record Measured(double[][] perSecond, double[] tripBefore, double[] tripAfter) {
    /**
     * The rounds that ran wholly in one placement: both probes under {@code nearBelowNanos} ({@code
     * near}), or both at or over it. A round whose probes disagree, or one not probed, is in
     * neither: the trip changed during it, or may have.
     */
    public int[] placed(boolean near, double nearBelowNanos) {
      return IntStream.range(0, tripBefore.length)
          .filter(
              r -> {
                double a = tripBefore[r];
                double b = tripAfter[r];
                if (Double.isNaN(a) || Double.isNaN(b)) {
                  return false;
                }
                return near
                    ? a < nearBelowNanos && b < nearBelowNanos
                    : a >= nearBelowNanos && b >= nearBelowNanos;
              })
          .toArray();
    }
  }

  /**
   * As {@link #measure(List, long, int, int)}; with {@code probe}, each round is bracketed by a
   * {@link CoreDistance} probe, run while every setup is idle between rounds.
   */
  public static Measured measure(
      List<LongSupplier> setups, long warmupMs, int rounds, int batches, boolean probe) {
    long warmEnd = System.nanoTime() + warmupMs * 1_000_000;
    do {
      for (LongSupplier s : setups) {
        s.getAsLong();
      }
    } while (System.nanoTime() < warmEnd);
    int n = setups.size();
    double[][] perSecond = new double[n][rounds];
    double[] before = new double[rounds];
    double[] after = new double[rounds];
    Arrays.fill(before, Double.NaN);
    Arrays.fill(after, Double.NaN);
    double next = probe ? CoreDistance.roundTripNanos() : Double.NaN;
    for (int r = 0; r < rounds; r++) {
      before[r] = next;
      for (int k = 0; k < n; k++) {
        int s = (r + k) % n;
        LongSupplier batch = setups.get(s);
        long events = 0;
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
          events += batch.getAsLong();
        }
        long nanos = System.nanoTime() - start;
        perSecond[s][r] = events * 1e9 / nanos;
      }
      // One probe between two rounds serves as the first's after and the next one's before.
      next = probe ? CoreDistance.roundTripNanos() : Double.NaN;
      after[r] = next;
    }
    return new Measured(perSecond, before, after);
  }

  /** {@code values} at the indexes {@code rounds}, in their order. */
  public static double[] select(double[] values, int[] rounds) {
    double[] out = new double[rounds.length];
    for (int i = 0; i < rounds.length; i++) {
      out[i] = values[rounds[i]];
    }
    return out;
  }

  /** The rows of per-round throughputs, {@code perSecond[setup][round]}, setup 0 the reference. */
  public static List<Row> rows(List<String> names, double[][] perSecond) {
    List<Row> rows = new ArrayList<>();
    for (int s = 0; s < perSecond.length; s++) {
      double[] ratio = ratio(perSecond[s], perSecond[0]);
      rows.add(new Row(names.get(s), median(perSecond[s]), ratio[0], ratio[1], ratio[2]));
    }
    return rows;
  }

  /**
   * The geometric mean of {@code a[r] / b[r]} over the rounds, and its 95% interval: {@code {mean,
   * low, high}}.
   */
  public static double[] ratio(double[] a, double[] b) {
    int rounds = a.length;
    double[] logs = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      logs[r] = Math.log(a[r] / b[r]);
    }
    double mean = Arrays.stream(logs).average().orElse(0);
    double variance = 0;
    for (double l : logs) {
      variance += (l - mean) * (l - mean);
    }
    double half =
        rounds < 2 ? Double.POSITIVE_INFINITY : 1.96 * Math.sqrt(variance / (rounds - 1) / rounds);
    return new double[] {Math.exp(mean), Math.exp(mean - half), Math.exp(mean + half)};
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Parses a bounded long option value, naming the option when it is out of bounds. */
  public static long bounded(String name, String value, long min, long max) {
    long v;
    try {
      v = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": not a number: " + value, e);
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + ": must be within [" + min + ", " + max + "]");
    }
    return v;
  }
}
