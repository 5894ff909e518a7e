package dev.herald.internal;

/**
 * The counters of a {@link BoundedArrayQueue}, split by who writes them, a cache line of padding
 * around each. HotSpot lays out a superclass's fields before its subclass's and may reorder fields
 * within one class, so the groups are separated by inheritance (as in {@link LaneFields}), not by
 * field order.
 */
final class BoundedArrayQueueFields {
  private BoundedArrayQueueFields() {}

  abstract static class PadBeforeTail {
    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07;
  }

  /** Written by producers. */
  abstract static class Tail extends PadBeforeTail {
    volatile long tail;

    /**
     * {@link MpscArrayQueue}'s cached bound on the tail (head + capacity as last seen), so that an
     * offer reads the consumer's cache line once per lap instead of on every element. Never above
     * the truth. Unused by {@link MpmcArrayQueue}, whose slots carry sequence numbers.
     */
    volatile long tailLimit;
  }

  abstract static class PadBeforeHead extends Tail {
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16, p17;
  }

  /** Written by the consumer (consumers, for {@link MpmcArrayQueue}). */
  abstract static class Head extends PadBeforeHead {
    volatile long head;
  }

  abstract static class PadAfterHead extends Head {
    @SuppressWarnings("unused")
    private long p20, p21, p22, p23, p24, p25, p26, p27;
  }
}
