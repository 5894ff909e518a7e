package dev.herald.testing;

import dev.herald.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TimeSource} whose time moves only when a test {@link #advance advances} it, so that a
 * bus built with it retries, times out requests, gives up a {@link dev.herald.Backpressure#block}
 * and ends a {@link dev.herald.EventBus#close(Duration) close} wait at once in real time, exactly
 * when the test says. Thread-safe.
 *
 * <pre>{@code
 * VirtualTimeSource clock = new VirtualTimeSource();
 * EventBus bus = Herald.builder().timeSource(clock).build();
 * CompletableFuture<String> reply = bus.request("quote.get", "x", String.class, Duration.ofSeconds(5));
 * clock.advance(Duration.ofSeconds(5)); // the request times out now, not in 5 s
 * }</pre>
 *
 * <p>Tasks that fall due (a retry, a request timeout) run on the thread that calls {@link
 * #advance}, in the order of their due times, each with the clock set to its due time. A thread
 * waiting with a deadline ({@link #waitUntil}) is woken once the clock passes it. A wait without
 * anyone to advance the clock lasts until then: close a bus that still waits for a retry with
 * {@code close(Duration.ZERO)}, or advance the clock from another thread.
 *
 * <p>Handler latencies read this clock too, so they are zero unless a handler advances it.
 */
public final class VirtualTimeSource implements TimeSource {
  /** Where a new source starts, by default. */
  public static final Instant DEFAULT_START = Instant.parse("2000-01-01T00:00:00Z");

  /**
   * How long, in real milliseconds, a {@link #waitUntil} lasts at most before it returns early; its
   * callers look again, so a missed wake-up costs this much rather than hanging a test.
   */
  private static final long LOOK_AGAIN_MILLIS = 100;

  private final long startMillis;
  private volatile long nanos;
  // Guards tasks and sequence.
  private final Object lock = new Object();
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long sequence;
  // One advance at a time, so that tasks run in due order.
  private final Object advancing = new Object();
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

  /** A source at {@link #DEFAULT_START}. */
  public VirtualTimeSource() {
    this(DEFAULT_START);
  }

  /** A source whose {@link #epochMillis()} starts at {@code start}; {@link #nanoTime()} at 0. */
  public VirtualTimeSource(Instant start) {
    this.startMillis = Objects.requireNonNull(start, "start").toEpochMilli();
  }

  @Override
  public long epochMillis() {
    return startMillis + TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  @Override
  public long nanoTime() {
    return nanos;
  }

  /** The time now, as an instant. */
  public Instant now() {
    return Instant.ofEpochMilli(epochMillis());
  }

  /**
   * Moves the clock forward by {@code by}, running every task that falls due on the way, on this
   * thread, and waking the waits whose deadline passes.
   *
   * @throws IllegalArgumentException if {@code by} is negative
   */
  public void advance(Duration by) {
    Objects.requireNonNull(by, "by");
    if (by.isNegative()) {
      throw new IllegalArgumentException("by: must not be negative, was " + by);
    }
    synchronized (advancing) {
      long target = saturatedAdd(nanos, saturatedNanos(by));
      for (; ; ) {
        Task next;
        synchronized (lock) {
          next = tasks.peek();
          if (next == null || next.due > target) {
            break;
          }
          tasks.poll();
        }
        if (next.due > nanos) {
          nanos = next.due;
          wakeWaiters();
        }
        next.run(); // outside the lock: a task may schedule another
      }
      nanos = target;
      wakeWaiters();
    }
  }

  /** Tasks scheduled and not yet run nor cancelled, on every timer of this source. */
  public int pendingTasks() {
    synchronized (lock) {
      return tasks.size();
    }
  }

  @Override
  public Timer newTimer(ThreadFactory threads) {
    return new VirtualTimer();
  }

  @Override
  public void waitUntil(Object monitor, long deadlineNanos) throws InterruptedException {
    Waiter w = new Waiter(monitor, deadlineNanos);
    // Registered before the clock is read: advance() moves the clock before it looks at the
    // waiters, so either it sees this one or this one sees the new time.
    waiters.add(w);
    try {
      if (nanos >= deadlineNanos) {
        return;
      }
      monitor.wait(LOOK_AGAIN_MILLIS);
    } finally {
      waiters.remove(w);
    }
  }

  private void wakeWaiters() {
    long now = nanos;
    for (Waiter w : waiters) {
      if (w.deadline <= now) {
        synchronized (w.monitor) {
          w.monitor.notifyAll();
        }
      }
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < a ? Long.MAX_VALUE : sum; // b is never negative here
  }

  private static final class Waiter {
    final Object monitor;
    final long deadline;

    Waiter(Object monitor, long deadline) {
      this.monitor = monitor;
      this.deadline = deadline;
    }
  }

  /** A task due at a time; ties run in the order they were scheduled. */
  private final class Task extends FutureTask<Void> implements Comparable<Task> {
    final long due;
    final long seq;
    final VirtualTimer timer;

    Task(Runnable task, long due, long seq, VirtualTimer timer) {
      super(task, null);
      this.due = due;
      this.seq = seq;
      this.timer = timer;
    }

    @Override
    protected void done() {
      if (isCancelled()) {
        synchronized (lock) {
          tasks.remove(this); // a cancelled task leaves at once, as on the system timer
        }
      }
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  /** One bus's view of the source's tasks. */
  private final class VirtualTimer implements Timer {
    private boolean shutdown; // guarded by lock

    @Override
    public Future<?> schedule(Runnable task, long delayNanos) {
      Objects.requireNonNull(task, "task");
      synchronized (lock) {
        if (shutdown) {
          throw new RejectedExecutionException("timer shut down");
        }
        Task t = new Task(task, saturatedAdd(nanos, Math.max(0, delayNanos)), sequence++, this);
        tasks.add(t);
        return t;
      }
    }

    @Override
    public void shutdown() {
      synchronized (lock) {
        shutdown = true;
        tasks.removeIf(t -> t.timer == this);
      }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true; // no thread of its own
    }
  }
}
