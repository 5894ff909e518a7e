package dev.herald.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the ticks one subscriber received from one publisher, and lets that publisher wait until a
 * target count is reached. Any number of threads may {@link #arrive}; one publisher thread {@link
 * #expect}s and {@link #await}s. The waiter spins briefly, then parks: on a two-core machine a
 * spinning waiter would take the core the subscriber needs.
 */
public final class Arrival {
  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(Arrival.class, "count", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int SPINS = 512;
  private static final long PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

  // Padding keeps the subscriber-written count off the lines of neighbouring objects.
  @SuppressWarnings("unused")
  private long p01, p02, p03, p04, p05, p06, p07;

  private volatile long count;

  @SuppressWarnings("unused")
  private long p11, p12, p13, p14, p15, p16, p17;

  private volatile long target = Long.MAX_VALUE;
  private volatile Thread waiter;

  @SuppressWarnings("unused")
  private long p21, p22, p23, p24, p25, p26, p27;

  /** One more tick arrived; wakes the waiter when it was the last one it waits for. */
  public void arrive() {
    // Atomic add: some buses deliver to one subscriber from several threads at once.
    long c = (long) COUNT.getAndAdd(this, 1L) + 1;
    if (c == target) {
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  public long count() {
    return count;
  }

  /** Announces the count the calling thread will wait for; called before it publishes the batch. */
  public void expect(long targetCount) {
    waiter = Thread.currentThread();
    // Written before the batch is published, so the subscriber sees it before the last arrival.
    target = targetCount;
  }

  /**
   * Waits until {@link #count} reaches {@code targetCount}.
   *
   * @throws IllegalStateException if no tick arrived for {@code stallNanos}: events were lost
   */
  public void await(long targetCount, long stallNanos) {
    long seen = count;
    long lastProgress = System.nanoTime();
    int spins = 0;
    while (seen < targetCount) {
      if (spins < SPINS) {
        spins++;
        Thread.onSpinWait();
      } else {
        // Timed: the unpark is the fast path, the timeout only a safety net.
        LockSupport.parkNanos(this, PARK_NANOS);
      }
      long now = count;
      if (now != seen) {
        seen = now;
        lastProgress = System.nanoTime();
      } else if (spins >= SPINS && System.nanoTime() - lastProgress > stallNanos) {
        throw new IllegalStateException(
            "no delivery for " + stallNanos / 1_000_000 + " ms: " + seen + " of " + targetCount);
      }
    }
  }
}
