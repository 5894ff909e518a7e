package dev.herald.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Counts publishes entering and leaving the engine, so that close() can wait for every publish
 * already past its closed check. Thread-safe. Each publishing thread counts in a {@link Cell} of
 * its own, written by that thread only: entering is one volatile store, leaving one release store,
 * where two shared {@code LongAdder}s cost two CASes per publish.
 *
 * <p>The protocol, with the engine's {@code closed} flag: a publisher counts itself in, then reads
 * the flag; close() sets the flag, then waits until every cell's counts agree. Both sides store
 * then load with volatile (sequentially consistent) accesses, so either the publisher sees the
 * flag, or close() sees it counted in and waits for it to count out.
 */
final class PublishGate {
  private final ThreadLocal<Cell> mine = ThreadLocal.withInitial(this::register);
  private final Object lock = new Object();
  // Copy on write, under lock: threads register once; close() and stats() read without locking.
  private volatile Cell[] cells = new Cell[0];
  // Publishes counted by threads that have ended, whose cells were let go (under lock).
  private volatile long retired;
  // The first thread to publish and its cell; set once (under lock), never cleared. It keeps that
  // Thread object reachable (not running) while the bus is, and keeps nothing else: once the
  // thread has ended no thread is it, and register() folds the cell's count as for any other.
  private volatile First first;

  private record First(Thread thread, Cell cell) {}

  /**
   * Counts the calling thread in; pass the cell to {@link Cell#exit()} when the publish is over.
   */
  Cell enter() {
    // The first publishing thread finds its cell without a ThreadLocal lookup (about a tenth of a
    // single publisher's time in an emit); others look theirs up.
    First f = first;
    Cell c = f != null && f.thread == Thread.currentThread() ? f.cell : mine.get();
    c.enter();
    return c;
  }

  /** Publishes that ever entered. */
  long entered() {
    Cell[] now = cells;
    // Read after the cells: register() retires counts before it drops cells, so a count being
    // moved is seen twice at worst while register() runs, never missed.
    long sum = retired;
    for (Cell c : now) {
      sum += c.entered;
    }
    return sum;
  }

  /**
   * Waits until no thread is inside, or {@code keepWaiting} says to stop. Each cell is quiet once
   * its counts agree; a thread that enters after that sees the closed flag set before this call.
   *
   * @return true if no publish is inside any more
   */
  boolean awaitNoneInside(BooleanSupplier keepWaiting) {
    for (Cell c : cells) {
      while (!c.isQuiet()) {
        if (!keepWaiting.getAsBoolean()) {
          return false;
        }
        Thread.yield();
      }
    }
    return true;
  }

  private Cell register() {
    Cell c = new Cell(Thread.currentThread());
    synchronized (lock) {
      List<Cell> live = new ArrayList<>();
      long gone = 0;
      for (Cell old : cells) {
        // A thread that has ended is not inside: fold its count so threads coming and going (a
        // cached pool publishing) do not grow this array forever.
        Thread t = old.owner.get();
        if (t == null || !t.isAlive()) {
          gone += old.entered;
        } else {
          live.add(old);
        }
      }
      live.add(c);
      retired += gone;
      cells = live.toArray(new Cell[0]);
      if (first == null) {
        first = new First(Thread.currentThread(), c);
      }
    }
    return c;
  }

  /** One thread's counts. Written only by its owner thread; read by any. */
  static final class Cell {
    private static final VarHandle ENTERED;
    private static final VarHandle EXITED;

    static {
      try {
        ENTERED = MethodHandles.lookup().findVarHandle(Cell.class, "entered", long.class);
        EXITED = MethodHandles.lookup().findVarHandle(Cell.class, "exited", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    // Padding: cells of threads publishing at the same time must not share a cache line.
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07;

    private volatile long entered;
    private volatile long exited;

    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17;

    final WeakReference<Thread> owner;

    Cell(Thread owner) {
      this.owner = new WeakReference<>(owner);
    }

    private void enter() {
      // Volatile store: it must be visible before the caller reads the closed flag (store-load).
      entered = entered + 1;
    }

    /** Counts the owner thread out. */
    void exit() {
      exit(1);
    }

    /**
     * Counts one more publish in while the owner is inside: an event of a batch after the first,
     * whose entry made the closed check for all of them.
     */
    void enterOneMore() {
      // Release, not volatile: the owner is inside already (entered is ahead of exited), so close()
      // waits for it whatever this store's order; the store-load fence was its entry's, once per
      // batch rather than once per event.
      ENTERED.setRelease(this, entered + 1);
    }

    /**
     * Counts the owner out of {@code count} publishes: its entry and each {@link #enterOneMore}.
     */
    void exit(int count) {
      // Release is enough: it only has to follow the publish's own writes.
      EXITED.setRelease(this, exited + count);
    }

    /** True if the owner is not inside at the moment of the call. */
    boolean isQuiet() {
      // Exited first: it never exceeds entered, so equal values mean both held at that moment.
      long out = exited;
      return out == entered;
    }
  }
}
