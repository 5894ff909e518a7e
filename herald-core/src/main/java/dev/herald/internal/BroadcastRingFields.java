package dev.herald.internal;

/**
 * The counters of a {@link BroadcastRing} and of its {@link BroadcastRing.Member}s, split by who
 * writes them, a cache line of padding around each: publishers write the ring's tail and cached
 * limit on every event, each member's drainer writes its own cursor on every event, a sweeper
 * writes the cleared sequence now and then, and none should take another's line away. Separated by
 * inheritance, as in {@link BoundedArrayQueueFields}, since HotSpot may reorder the fields of one
 * class.
 */
final class BroadcastRingFields {
  private BroadcastRingFields() {}

  abstract static class PadBeforeTail {
    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07;
  }

  /** Written by publishers. */
  abstract static class Tail extends PadBeforeTail {
    /** The next sequence to claim. */
    volatile long tail;

    /**
     * The ring's {@code cleared} sequence plus the capacity, as last computed: a claim below it
     * needs no look at the cursors. Never above the truth (see {@link BroadcastRing#join}).
     */
    volatile long claimLimit;
  }

  abstract static class PadAfterTail extends Tail {
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16, p17;
  }

  /**
   * Written by the thread that sweeps the ring (see {@link BroadcastRing}): a publisher once per
   * lap, a member of a shared ring when it finds the ring drained.
   */
  abstract static class Sweep extends PadAfterTail {
    /**
     * Every entry below it was read by each member it was for and its item let go; no publisher
     * claims a sequence at or past it plus the capacity, so only the sweeper writes those slots.
     */
    volatile long cleared;

    /** 1 while a thread sweeps. */
    volatile int sweeping;

    /** 1 when a member found the ring drained while another thread swept: that one sweeps again. */
    volatile int sweepWanted;
  }

  abstract static class PadAfterSweep extends Sweep {
    @SuppressWarnings("unused")
    private long p40, p41, p42, p43, p44, p45, p46, p47;
  }

  abstract static class PadBeforeCursor {
    @SuppressWarnings("unused")
    private long p20, p21, p22, p23, p24, p25, p26, p27;
  }

  /** Written by the member's drainer only. */
  abstract static class Cursor extends PadBeforeCursor {
    /** The next sequence this member reads. */
    volatile long next;

    /** Entries it read that were for other members (through the member's opaque accessors). */
    long skipped;

    /** The ring's tail as the drainer last read it, to keep behind (see {@code Member.poll}). */
    long knownTail;

    /** Entries taken since the drainer last found nothing to read, or gave up keeping behind. */
    int streak;
  }

  abstract static class PadAfterCursor extends Cursor {
    @SuppressWarnings("unused")
    private long p30, p31, p32, p33, p34, p35, p36, p37;
  }
}
