package dev.herald.internal;

import java.time.Duration;

/**
 * Durations as nanoseconds without overflow: a {@link Duration} may be far longer than a {@code
 * long} of nanoseconds holds (292 years), and options such as a block timeout or a retry's longest
 * delay accept any; past that they mean "for ever", not an {@link ArithmeticException} on a
 * delivery thread.
 */
final class Durations {
  private Durations() {}

  /** The duration in nanoseconds, or {@code Long.MAX_VALUE} for one too long to say so. */
  static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** {@code a + b}, or the {@code long} bound it passed. */
  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    // Overflow only when both have the same sign and the sum's sign differs.
    return ((a ^ sum) & (b ^ sum)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : sum;
  }
}
