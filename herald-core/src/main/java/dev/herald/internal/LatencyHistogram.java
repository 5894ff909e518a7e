package dev.herald.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A log-linear histogram of nanosecond values with about 3% precision (32 sub-buckets per power of
 * two). Single writer: only the thread that owns the lane records; any thread may read a snapshot,
 * which is approximate while recording goes on. Fixed size; recording allocates nothing.
 */
final class LatencyHistogram {
  private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int SUB_BITS = 5;
  private static final int SUB = 1 << SUB_BITS;
  private static final int LINEAR = 2 * SUB;
  private static final int BUCKETS = LINEAR + (63 - SUB_BITS - 1) * SUB;

  private final long[] counts = new long[BUCKETS];
  private volatile long max;

  /** Records one value. Single writer only. */
  void record(long nanos) {
    long v = Math.max(0, nanos);
    int idx = index(v);
    // Opaque: readers on other threads see a whole long, never a torn one; no fence needed.
    COUNTS.setOpaque(counts, idx, (long) COUNTS.getOpaque(counts, idx) + 1);
    if (v > max) {
      max = v;
    }
  }

  static int index(long v) {
    if (v < LINEAR) {
      return (int) v;
    }
    int exp = 63 - Long.numberOfLeadingZeros(v);
    int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
    return LINEAR + (exp - SUB_BITS - 1) * SUB + sub;
  }

  static long upperBound(int idx) {
    if (idx < LINEAR) {
      return idx;
    }
    int exp = (idx - LINEAR) / SUB + SUB_BITS + 1;
    int sub = (idx - LINEAR) % SUB;
    long base = (long) (SUB + sub) << (exp - SUB_BITS);
    return base + (1L << (exp - SUB_BITS)) - 1;
  }

  long max() {
    return max;
  }

  /** Adds this histogram's counts into {@code into}. */
  void addTo(long[] into) {
    for (int i = 0; i < BUCKETS; i++) {
      into[i] += (long) COUNTS.getOpaque(counts, i);
    }
  }

  static long[] newCounts() {
    return new long[BUCKETS];
  }

  /** The value at {@code percentile} (0 to 100) of merged counts; 0 when empty. */
  static long percentile(long[] counts, double percentile, long max) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(total * percentile / 100.0));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(upperBound(i), max);
      }
    }
    return max;
  }
}
