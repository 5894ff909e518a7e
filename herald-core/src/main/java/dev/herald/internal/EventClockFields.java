package dev.herald.internal;

/**
 * The fields of an {@link EventClock}, split by who writes them, a cache line of padding around
 * each group, separated by inheritance as in {@link LaneFields}: readers load the copy on every
 * event, so nothing they or the clock thread write often may share its line.
 */
final class EventClockFields {
  private EventClockFields() {}

  abstract static class PadBeforeCopy {
    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07;
  }

  /** Written by the clock thread (a tick at most), read by every reader. */
  abstract static class Copy extends PadBeforeCopy {
    volatile boolean cached;
    volatile long copy;
  }

  abstract static class PadBeforeUsed extends Copy {
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16, p17;
  }

  /** Set by readers once a tick at most, cleared by the clock thread. */
  abstract static class Used extends PadBeforeUsed {
    volatile boolean used;
  }

  abstract static class PadBeforeCount extends Used {
    @SuppressWarnings("unused")
    private long p20, p21, p22, p23, p24, p25, p26, p27;
  }

  /** Written by readers in direct mode (racily) and by the clock thread. */
  abstract static class State extends PadBeforeCount {
    int directReads;
    volatile int state; // EventClock.NO_THREAD at first
  }

  abstract static class PadAfter extends State {
    @SuppressWarnings("unused")
    private long p30, p31, p32, p33, p34, p35, p36, p37;
  }
}
