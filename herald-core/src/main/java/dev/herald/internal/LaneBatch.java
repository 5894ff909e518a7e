package dev.herald.internal;

/**
 * The lanes a batch publish queued events into, each once, so that each is scheduled once when the
 * whole batch is offered rather than once per event. Used by the publishing thread only.
 */
final class LaneBatch {
  private Lane[] lanes = new Lane[8];
  private int size;

  /** Remembers {@code lane}, unless it is already remembered. */
  void add(Lane lane) {
    // Newest first: consecutive events of a batch usually go to the lanes the previous one went to.
    for (int i = size - 1; i >= 0; i--) {
      if (lanes[i] == lane) {
        return;
      }
    }
    if (size == lanes.length) {
      Lane[] bigger = new Lane[size * 2];
      System.arraycopy(lanes, 0, bigger, 0, size);
      lanes = bigger;
    }
    lanes[size++] = lane;
  }

  /** Schedules a drain of every remembered lane that holds events and is not scheduled yet. */
  void scheduleAll() {
    for (int i = 0; i < size; i++) {
      lanes[i].scheduleIfQueued();
    }
  }
}
