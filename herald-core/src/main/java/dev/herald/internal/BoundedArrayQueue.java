package dev.herald.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What {@link MpscArrayQueue} and {@link MpmcArrayQueue} share: a power-of-two array, the
 * producers' tail and the consumers' head as ever-growing counters (an element's slot is its index
 * masked), and the read-only views of them. The counters live in {@link BoundedArrayQueueFields},
 * each on a cache line of its own, so that producers claiming slots and the consumer taking them do
 * not take a line away from each other on every element. Subclasses differ in how a slot is claimed
 * and filled.
 */
abstract class BoundedArrayQueue extends BoundedArrayQueueFields.PadAfterHead implements Mailbox {
  static final VarHandle TAIL;
  static final VarHandle HEAD;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(BoundedArrayQueueFields.Tail.class, "tail", long.class);
      HEAD = l.findVarHandle(BoundedArrayQueueFields.Head.class, "head", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Object[] buffer;
  final int mask;

  /** Room for {@code capacity} elements, rounded up to a power of two (at least 2). */
  BoundedArrayQueue(int capacity) {
    int cap = roundedCapacity(capacity);
    this.buffer = new Object[cap];
    this.mask = cap - 1;
    this.tailLimit = cap;
  }

  /** {@code capacity} rounded up to a power of two, at least 2: what a mailbox of it holds. */
  static int roundedCapacity(int capacity) {
    return Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
  }

  @Override
  public final int capacity() {
    return mask + 1;
  }

  /** True if no element is queued or being queued. */
  @Override
  public final boolean isEmpty() {
    return head >= tail;
  }

  /** Elements queued now (approximate under concurrent use). */
  @Override
  public final int size() {
    long h = head;
    long t = tail;
    return (int) Math.max(0, Math.min(t - h, mask + 1));
  }

  /** True if an offer would fail now (approximate under concurrent use). */
  @Override
  public final boolean isFull() {
    return tail - head > mask;
  }

  /** How many elements were ever offered successfully. */
  @Override
  public final long offered() {
    return tail;
  }
}
