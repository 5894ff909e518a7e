package dev.herald.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded, lock-free array queue for many producers and <em>one consumer at a time</em>: {@link
 * #offer} is thread-safe; {@link #poll} must never run on two threads at once (a lane's state
 * machine guarantees it: only the thread that scheduled the lane drains it). A full queue answers
 * {@code false} from {@link #offer}; it never grows. Allocates nothing per element.
 *
 * <p>Producers claim an index with a CAS on the tail, then publish the element into its slot with a
 * release store; a null slot is an empty one. The consumer owns the head: it takes the element,
 * clears the slot and advances the head with plain ordered stores, no CAS and no per-slot sequence
 * numbers, which is what makes it cheaper than {@link MpmcArrayQueue} on the delivery thread.
 */
public final class MpscArrayQueue extends BoundedArrayQueue {
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
  private static final VarHandle TAIL_LIMIT;

  /** How long the consumer spins for a claimed slot to be filled before it yields instead. */
  private static final int FILL_SPINS = 64;

  static {
    try {
      TAIL_LIMIT =
          MethodHandles.lookup()
              .findVarHandle(BoundedArrayQueueFields.Tail.class, "tailLimit", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * A queue holding at most {@code capacity} elements, rounded up to a power of two (at least 2).
   */
  public MpscArrayQueue(int capacity) {
    super(capacity);
  }

  /** Adds {@code e} (not null) at the tail; false if the queue is full. Any thread. */
  @Override
  public boolean offer(Object e) {
    long limit = (long) TAIL_LIMIT.getOpaque(this);
    long t;
    do {
      t = tail;
      if (t >= limit) {
        limit = head + mask + 1;
        if (t >= limit) {
          return false;
        }
        // A racing producer may store an older, lower limit: harmless, it only costs a re-read.
        TAIL_LIMIT.setOpaque(this, limit);
      }
      // The CAS claims index t; it is also the full fence that pairs with a drainer going idle.
    } while (!TAIL.compareAndSet(this, t, t + 1));
    // Release: the element's fields are visible before the consumer can see it in the slot.
    SLOT.setRelease(buffer, (int) t & mask, e);
    return true;
  }

  /**
   * Claims {@code n} consecutive slots at once if there is room for all of them, and returns the
   * index of the first; -1 when there is not. Any thread. The claimer must {@link #fill} every one
   * of them, in any order: the consumer waits at the first claimed slot that is not yet filled.
   */
  long claim(int n) {
    long limit = (long) TAIL_LIMIT.getOpaque(this);
    long t;
    do {
      t = tail;
      if (t + n > limit) {
        limit = head + mask + 1;
        if (t + n > limit) {
          return -1;
        }
        TAIL_LIMIT.setOpaque(this, limit);
      }
    } while (!TAIL.compareAndSet(this, t, t + n));
    return t;
  }

  /** Fills the slot at {@code index}, claimed by {@link #claim}, with {@code e} (not null). */
  void fill(long index, Object e) {
    // Release, as in offer: the element's fields are visible before the consumer can see it.
    SLOT.setRelease(buffer, (int) index & mask, e);
  }

  /**
   * Removes the head element; null only if the queue is empty. One consumer at a time. If a
   * producer has claimed the head slot but not yet filled it, waits for it (a few instructions
   * away, or a run's few more).
   */
  @Override
  public Object poll() {
    long h = (long) HEAD.getOpaque(this); // Only this thread writes the head.
    int idx = (int) h & mask;
    Object e = SLOT.getAcquire(buffer, idx);
    if (e == null) {
      if (h >= tail) {
        return null;
      }
      for (int spins = 0; e == null; spins++) {
        // Past a few spins the producer was likely preempted between its claim and its fill: give
        // it the core rather than spin out a whole scheduling quantum.
        if (spins < FILL_SPINS) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
        e = SLOT.getAcquire(buffer, idx);
      }
    }
    SLOT.setOpaque(buffer, idx, null);
    // Release: the slot is cleared before a producer can see the room and claim it a lap later.
    HEAD.setRelease(this, h + 1);
    return e;
  }
}
