package dev.herald.internal;

/**
 * The control word of a {@link WorkerPool} with a cache line of padding on each side.
 *
 * <p>Every {@code execute} reads the word and every worker going idle or waking up writes it; the
 * pool's other fields are read-only references. Sharing a line with them, or with whatever object
 * the heap put next to the pool, each write would cost the publishing core a miss on data that did
 * not change. As in {@link LaneFields}, the padding is laid out by inheritance, since HotSpot may
 * reorder the fields of one class but puts a superclass's fields before its subclass's.
 */
final class WorkerPoolFields {
  private WorkerPoolFields() {}

  abstract static class PadBefore {
    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07;
  }

  abstract static class Control extends PadBefore {
    /** See {@link WorkerPool}: idle stack top, searching count, shutdown bit, stamp. */
    volatile long ctl;
  }

  abstract static class PadAfter extends Control {
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16, p17;
  }
}
