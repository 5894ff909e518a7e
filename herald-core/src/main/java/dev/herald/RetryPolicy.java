package dev.herald;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How often and how soon a failed handler is tried again, per subscription. Delays grow
 * exponentially from {@code initialDelay}, capped at {@code maxDelay}, each multiplied by a random
 * factor in {@code [1 - jitter, 1]} so that many failing subscribers do not retry in lock step.
 *
 * <p>While an event waits for its retry the subscription delivers nothing else (order is kept), but
 * no thread waits: the retry is scheduled on a timer. After the last attempt the event goes to the
 * dead-letter channel. Immutable.
 */
public final class RetryPolicy {
  private static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 0.0, List.of(Throwable.class), List.of());

  private final int maxAttempts;
  private final Duration initialDelay;
  private final Duration maxDelay;
  private final double jitter;
  private final List<Class<? extends Throwable>> retryOn;
  private final List<Class<? extends Throwable>> abortOn;

  private RetryPolicy(
      int maxAttempts,
      Duration initialDelay,
      Duration maxDelay,
      double jitter,
      List<Class<? extends Throwable>> retryOn,
      List<Class<? extends Throwable>> abortOn) {
    this.maxAttempts = maxAttempts;
    this.initialDelay = initialDelay;
    this.maxDelay = maxDelay;
    this.jitter = jitter;
    this.retryOn = retryOn;
    this.abortOn = abortOn;
  }

  /** One attempt: a failure goes straight to the dead-letter channel. */
  public static RetryPolicy none() {
    return NONE;
  }

  /**
   * Up to {@code maxAttempts} attempts in all, the first retry after {@code initialDelay}, each
   * next one twice as late, never later than {@code maxDelay}; jitter 0.2; every exception is
   * retried.
   */
  public static RetryPolicy exponential(int maxAttempts, Duration initialDelay, Duration maxDelay) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: must be at least 1, was " + maxAttempts);
    }
    requireNonNegative("initialDelay", initialDelay);
    requireNonNegative("maxDelay", maxDelay);
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay: must not be less than initialDelay");
    }
    return new RetryPolicy(
        maxAttempts, initialDelay, maxDelay, 0.2, List.of(Throwable.class), List.of());
  }

  /** The same policy with a jitter factor in {@code [0, 1]}. */
  public RetryPolicy withJitter(double jitter) {
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter: must be within [0, 1], was " + jitter);
    }
    return new RetryPolicy(maxAttempts, initialDelay, maxDelay, jitter, retryOn, abortOn);
  }

  /** The same policy retrying only these exceptions (and their subclasses). */
  public RetryPolicy retryOn(Class<?>... types) {
    return new RetryPolicy(maxAttempts, initialDelay, maxDelay, jitter, copy(types), abortOn);
  }

  /**
   * The same policy never retrying these exceptions: they go to the dead-letter channel at once.
   */
  public RetryPolicy abortOn(Class<?>... types) {
    return new RetryPolicy(maxAttempts, initialDelay, maxDelay, jitter, retryOn, copy(types));
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** Whether a failure with {@code cause} after {@code attemptsSoFar} attempts is tried again. */
  public boolean shouldRetry(Throwable cause, int attemptsSoFar) {
    if (attemptsSoFar >= maxAttempts) {
      return false;
    }
    for (Class<? extends Throwable> t : abortOn) {
      if (t.isInstance(cause)) {
        return false;
      }
    }
    for (Class<? extends Throwable> t : retryOn) {
      if (t.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The delay before attempt {@code attemptsSoFar + 1}, in nanoseconds.
   *
   * @param random a uniform random number in {@code [0, 1)}, injected so that tests are exact
   */
  public long delayNanos(int attemptsSoFar, double random) {
    // Saturated: a longest delay past 292 years means "never again", not an overflow on the
    // delivery thread that left the event in no count.
    long base = saturatedNanos(initialDelay);
    long cap = saturatedNanos(maxDelay);
    int shift = Math.min(Math.max(attemptsSoFar - 1, 0), 62);
    long delay = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
    return (long) (delay * (1.0 - jitter * random));
  }

  /** The duration in nanoseconds, or {@code Long.MAX_VALUE} for one too long to say so. */
  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // never negative: checked at construction
    }
  }

  private static List<Class<? extends Throwable>> copy(Class<?>[] types) {
    List<Class<? extends Throwable>> list = new ArrayList<>(types.length);
    for (Class<?> t : types) {
      Objects.requireNonNull(t, "exception type");
      if (!Throwable.class.isAssignableFrom(t)) {
        throw new IllegalArgumentException(t.getName() + " is not a Throwable");
      }
      list.add(t.asSubclass(Throwable.class));
    }
    return List.copyOf(list);
  }

  private static void requireNonNegative(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + ": must not be negative, was " + d);
    }
  }

  @Override
  public String toString() {
    return maxAttempts == 1
        ? "RetryPolicy.none"
        : "RetryPolicy{maxAttempts="
            + maxAttempts
            + ", initialDelay="
            + initialDelay
            + ", maxDelay="
            + maxDelay
            + ", jitter="
            + jitter
            + '}';
  }
}
