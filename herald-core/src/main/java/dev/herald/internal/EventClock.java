package dev.herald.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The wall clock that events created by the user ({@code Event.of}, {@code Event.builder}) read
 * their time from. Thread-safe and lock-free for readers.
 *
 * <p>Why not {@link System#currentTimeMillis()} on every creation: on the machines Herald is
 * measured on, one read costs about 25 ns (a vDSO call that reads the TSC), about as much as all
 * the rest of an emit on the publisher's thread; with it, one publisher to one subscriber ran at
 * 0.46–0.67× the Disruptor's rate, without it at 1.18–1.41× ({@code BusPairedRatio} in
 * herald-bench, alternated runs). So at high rates one thread of its own reads the wall clock once
 * a {@linkplain #TICK_NANOS tick} and publishers read that copy, a volatile load, as Log4j 2's
 * {@code CoarseCachedClock} and Agrona's cached clocks do.
 *
 * <p>Two modes:
 *
 * <ul>
 *   <li><b>Direct</b>, at the start and whenever events are created slowly: {@link #millis()} reads
 *       the wall clock itself, so its value is exact, and counts the read. The count is racy (lost
 *       increments only delay the switch): readers pay no atomic instruction for it.
 *   <li><b>Cached</b>, once {@link #switchReads} direct reads were counted since the clock thread
 *       last went idle: the thread (a daemon named {@value #THREAD_NAME}, started on demand) copies
 *       the wall clock every tick and readers return the copy. The copy is never ahead of the wall
 *       clock, and behind it by up to a tick, plus however long the machine keeps the thread from
 *       running. When fewer than {@value #BUSY_TICKS} of the last {@value #WINDOW_TICKS} ticks saw
 *       a read (below about a thousand events a second, where the thread's wake-ups would cost more
 *       than the reads they save), the clock goes back to direct and the thread waits, with no
 *       wake-ups, until the count calls it again; after {@link #idleEndNanos} of that it ends, so
 *       that an unloaded class loader is not kept alive by it.
 * </ul>
 *
 * <p>Thread ownership: {@code copy}, {@code cached} and {@code window}: written by the clock thread
 * only. {@code used}: set by readers, cleared by the clock thread. {@code directReads}: incremented
 * by readers (racily), reset by the clock thread. {@code state}: CAS by readers (to wake the
 * thread) and by the thread (to wait or end). Each group on a cache line of its own, separated by
 * inheritance as in {@link LaneFields}.
 */
public final class EventClock extends EventClockFields.PadAfter {
  /** The clock user-created events read. */
  public static final EventClock SYSTEM =
      new EventClock(System::currentTimeMillis, 1024, TimeUnit.MINUTES.toNanos(1));

  static final String THREAD_NAME = "herald-clock";

  /** How often the clock thread copies the wall clock while cached. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** The window of ticks over which the clock thread decides whether reads are still frequent. */
  static final int WINDOW_TICKS = 32;

  /** Ticks of the window that must have seen a read for the clock to stay cached. */
  static final int BUSY_TICKS = 24;

  private static final int NO_THREAD = 0;
  private static final int WAITING = 1;
  private static final int RUNNING = 2;

  private static final VarHandle STATE;

  static {
    try {
      STATE =
          MethodHandles.lookup().findVarHandle(EventClockFields.State.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final LongSupplier wallClock;
  private final int switchReads;
  private final long idleEndNanos;

  /** The clock thread, or the last one that ended; written before it starts. */
  private volatile Thread thread;

  /**
   * A clock over {@code wallClock} (tests pass a clock of their own) that switches to cached after
   * {@code switchReads} direct reads, and whose thread ends after {@code idleEndNanos} idle.
   */
  EventClock(LongSupplier wallClock, int switchReads, long idleEndNanos) {
    this.wallClock = wallClock;
    this.switchReads = switchReads;
    this.idleEndNanos = idleEndNanos;
  }

  /** Milliseconds since the epoch, as described above. */
  public long millis() {
    if (cached) {
      if (!used) {
        used = true; // Once a tick at most: the clock thread clears it.
      }
      return copy;
    }
    return direct();
  }

  private long direct() {
    long now = wallClock.getAsLong();
    int n = directReads + 1;
    directReads = n;
    if (n >= switchReads) {
      int s = state;
      if ((s == WAITING || s == NO_THREAD) && STATE.compareAndSet(this, s, RUNNING)) {
        wake(s);
      }
    }
    return now;
  }

  private void wake(int from) {
    if (from == WAITING) {
      LockSupport.unpark(thread);
      return;
    }
    try {
      Thread t = new Thread(this::run, THREAD_NAME);
      t.setDaemon(true);
      t.setContextClassLoader(null);
      thread = t;
      t.start();
    } catch (OutOfMemoryError | SecurityException | IllegalStateException e) {
      // No thread: stay direct, and try again after another count of reads.
      directReads = 0;
      state = NO_THREAD;
    }
  }

  /** The clock thread's loop: cached while reads are frequent, then idle until called again. */
  private void run() {
    for (; ; ) {
      tickWhileBusy();
      if (!idle()) {
        return;
      }
    }
  }

  /** Copies the wall clock every tick for as long as the ticks see reads. Clock thread only. */
  private void tickWhileBusy() {
    copy = wallClock.getAsLong();
    cached = true; // After the copy: a reader that sees cached sees a copy.
    int window = -1; // Start as if every tick of the window had seen reads.
    for (; ; ) {
      LockSupport.parkNanos(this, TICK_NANOS);
      copy = wallClock.getAsLong();
      boolean read = used;
      if (read) {
        used = false;
      }
      window = window << 1 | (read ? 1 : 0);
      if (Integer.bitCount(window) < BUSY_TICKS) {
        break;
      }
    }
    cached = false;
  }

  /**
   * Waits, with no wake-ups, until a reader calls the thread again. False when the thread is to
   * end: idle for {@link #idleEndNanos}. Clock thread only.
   */
  private boolean idle() {
    directReads = 0;
    state = WAITING; // After the reset: the count that calls the thread again starts from zero.
    long deadline = System.nanoTime() + idleEndNanos;
    while (state == WAITING) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        if (STATE.compareAndSet(this, WAITING, NO_THREAD)) {
          return false;
        }
        break; // A reader called the thread meanwhile.
      }
      LockSupport.parkNanos(this, left);
    }
    return true;
  }

  /** Whether readers read the copy at the moment (for tests). */
  boolean isCached() {
    return cached;
  }

  /** Whether the clock thread waits for reads, or has ended (for tests). */
  boolean isIdle() {
    int s = state;
    return s == WAITING || s == NO_THREAD;
  }

  /** The clock thread, or the last one that ended; null if none ever started (for tests). */
  Thread thread() {
    return thread;
  }

  @Override
  public String toString() {
    return cached ? "EventClock[cached]" : "EventClock[direct]";
  }
}
