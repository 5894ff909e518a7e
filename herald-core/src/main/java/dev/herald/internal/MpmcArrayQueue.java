package dev.herald.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded, lock-free, multi-producer multi-consumer array queue (Dmitry Vyukov's design: one
 * sequence number per slot). Thread-safe. A full queue answers {@code false} from {@link #offer};
 * it never grows. Allocates nothing per element.
 *
 * <p>Herald uses it as a subscription lane's mailbox: publishers offer, the lane's drainer polls,
 * and under the drop-oldest policy publishers poll too, which is why consumers may be many. Lanes
 * of the other policies have one consumer and use the cheaper {@link MpscArrayQueue}.
 */
public final class MpmcArrayQueue extends BoundedArrayQueue {
  private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);

  private final long[] sequences;

  /**
   * A queue holding at most {@code capacity} elements, rounded up to a power of two (at least 2).
   */
  public MpmcArrayQueue(int capacity) {
    super(capacity);
    this.sequences = new long[mask + 1];
    for (int i = 0; i <= mask; i++) {
      sequences[i] = i;
    }
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
}
