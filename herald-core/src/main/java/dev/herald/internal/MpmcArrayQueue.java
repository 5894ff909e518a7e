package dev.herald.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded, lock-free, multi-producer multi-consumer array queue (Dmitry Vyukov's design: one
 * sequence number per slot). Thread-safe. A full queue answers {@code false} from {@link #offer}; it
 * never grows. Allocates nothing per element.
 *
 * <p>Herald uses it as a subscription lane's mailbox: publishers offer, the lane's drainer polls,
 * and under the drop-oldest policy publishers poll too, which is why consumers may be many. Lanes
 * of the other policies have one consumer and use the cheaper {@link MpscArrayQueue}.
 */
final class MpmcArrayQueue implements Mailbox {
  private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle TAIL;
  private static final VarHandle HEAD;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(MpmcArrayQueue.class, "tail", long.class);
      HEAD = l.findVarHandle(MpmcArrayQueue.class, "head", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long[] sequences;
  private final Object[] buffer;
  private final int mask;

  // Padding keeps the producers' and the consumer's hot counters on separate cache lines.
  @SuppressWarnings("unused")
  private long p01, p02, p03, p04, p05, p06, p07;

  private volatile long tail;

  @SuppressWarnings("unused")
  private long p11, p12, p13, p14, p15, p16, p17;

  private volatile long head;

  @SuppressWarnings("unused")
  private long p21, p22, p23, p24, p25, p26, p27;

  /** A queue holding at most {@code capacity} elements, rounded up to a power of two (at least 2). */
  MpmcArrayQueue(int capacity) {
    int cap = Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
    this.sequences = new long[cap];
    this.buffer = new Object[cap];
    this.mask = cap - 1;
    for (int i = 0; i < cap; i++) {
      sequences[i] = i;
    }
  }

  @Override
  public int capacity() {
    return mask + 1;
  }

  /** Adds {@code e} at the tail; false if the queue is full. */
  @Override
  public boolean offer(Object e) {
    long pos = tail;
    for (; ; ) {
      int idx = (int) pos & mask;
      long seq = (long) SEQ.getAcquire(sequences, idx);
      long dif = seq - pos;
      if (dif == 0) {
        // Claim the slot; the CAS is also the full fence that pairs with a drainer going idle.
        if (TAIL.compareAndSet(this, pos, pos + 1)) {
          buffer[idx] = e;
          // Release: the element is visible before the slot is marked full.
          SEQ.setRelease(sequences, idx, pos + 1);
          return true;
        }
        pos = tail;
      } else if (dif < 0) {
        return false;
      } else {
        pos = tail;
      }
    }
  }

  /**
   * Removes the head element; null only if the queue is empty. If a producer has claimed the head
   * slot but not yet filled it, waits for it (a few instructions away).
   */
  @Override
  public Object poll() {
    long pos = head;
    for (; ; ) {
      int idx = (int) pos & mask;
      long seq = (long) SEQ.getAcquire(sequences, idx);
      long dif = seq - (pos + 1);
      if (dif == 0) {
        if (HEAD.compareAndSet(this, pos, pos + 1)) {
          Object e = buffer[idx];
          buffer[idx] = null;
          // Release: the slot is cleared before producers of the next lap may reuse it.
          SEQ.setRelease(sequences, idx, pos + mask + 1);
          return e;
        }
        pos = head;
      } else if (dif < 0) {
        if (pos >= tail) {
          return null;
        }
        Thread.onSpinWait();
        pos = head;
      } else {
        pos = head;
      }
    }
  }

  /** True if no element is queued or being queued. */
  @Override
  public boolean isEmpty() {
    return head >= tail;
  }

  /** Elements queued now (approximate under concurrent use). */
  @Override
  public int size() {
    long h = head;
    long t = tail;
    return (int) Math.max(0, Math.min(t - h, mask + 1));
  }

  /** True if an offer would fail now (approximate under concurrent use). */
  @Override
  public boolean isFull() {
    return tail - head > mask;
  }

  /** How many elements were ever offered successfully. */
  @Override
  public long offered() {
    return tail;
  }
}
