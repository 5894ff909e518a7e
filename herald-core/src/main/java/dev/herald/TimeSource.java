package dev.herald;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Where a bus reads time and waits for it: wall-clock milliseconds for timestamps, a monotonic
 * clock for durations and latencies, a {@link Timer} for delays (retry backoff, request timeouts)
 * and {@link #waitUntil} for waits with a deadline ({@link Backpressure#block}, {@link
 * EventBus#close(Duration)}). Injected with {@link Herald.Builder#timeSource}, so that a test can
 * run a bus on virtual time ({@code dev.herald.testing.VirtualTimeSource}) and never wait real
 * milliseconds. Implementations must be thread-safe.
 *
 * <p>Events the bus creates (dead letters, requests, replies) take their {@link Event#time()} from
 * {@link #epochMillis()}; a redrive keeps its event's time. Events the user creates with {@link
 * Event#of} or {@link Event#builder} take the system's wall clock at creation (read as {@link
 * Event#time()} describes), unless given {@link Event.Builder#time}. Two waits stay on the system
 * clock, because they are about threads rather than events: how long an idle thread of the bus's
 * own pool lives, and how long close waits for threads to end once their work is over.
 */
public interface TimeSource {
  /** Milliseconds since the epoch. */
  long epochMillis();

  /** A monotonic clock in nanoseconds, for durations only. */
  long nanoTime();

  /**
   * A new timer for one bus, which runs tasks once a delay has passed by this source's {@link
   * #nanoTime()}; the bus shuts it down when it closes. The default runs them on one thread made by
   * {@code threads}, delays measured by {@link System#nanoTime()}: right for a source that moves
   * with the system's clock. A source that does not must override this and {@link #waitUntil}.
   */
  default Timer newTimer(ThreadFactory threads) {
    return new SystemTimer(threads);
  }

  /**
   * Waits on {@code monitor}, which the calling thread holds (as {@link Object#wait}), until it is
   * notified, or {@link #nanoTime()} reaches {@code deadlineNanos}. It may also return earlier, so
   * callers check their condition and the time again in a loop.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  default void waitUntil(Object monitor, long deadlineNanos) throws InterruptedException {
    long remaining = deadlineNanos - nanoTime();
    if (remaining > 0) {
      TimeUnit.NANOSECONDS.timedWait(monitor, remaining);
    }
  }

  /** The system clocks. */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }

  /** Runs tasks after a delay in its source's time. Thread-safe. */
  interface Timer {
    /**
     * Runs {@code task} once, {@code delayNanos} from now by the source's clock. Cancelling the
     * returned future before it runs removes it.
     *
     * @throws RejectedExecutionException once the timer is shut down
     */
    Future<?> schedule(Runnable task, long delayNanos);

    /** Stops the timer: tasks that have not run never will; one running finishes. Idempotent. */
    void shutdown();

    /** Waits for the timer's thread, if it has one, to end after {@link #shutdown}. */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException;
  }
}

/** The system clocks. */
final class SystemTimeSource implements TimeSource {
  static final SystemTimeSource INSTANCE = new SystemTimeSource();

  @Override
  public long epochMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }
}
