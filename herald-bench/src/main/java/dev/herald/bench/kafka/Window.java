package dev.herald.bench.kafka;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * At most {@code capacity} sends in flight, for every contender alike: adding a future first waits
 * for the one added {@code capacity} sends earlier. Futures of different partitions complete out of
 * order, so {@link #drain} waits for each one still held. Not thread-safe: one publisher.
 */
final class Window {
  private final Future<?>[] slots;
  private final int mask;
  private long added;

  /** {@code capacity} a power of two. */
  Window(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    this.slots = new Future<?>[capacity];
    this.mask = capacity - 1;
  }

  /** Holds {@code f}, once the send {@code capacity} earlier is done; throws if that one failed. */
  void add(Future<?> f) {
    int slot = (int) (added++ & mask);
    Future<?> oldest = slots[slot];
    if (oldest != null) {
      await(oldest);
    }
    slots[slot] = f;
  }

  /** Waits for every send held; throws if one failed. */
  void drain() {
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] != null) {
        await(slots[i]);
        slots[i] = null;
      }
    }
  }

  private static void await(Future<?> f) {
    try {
      f.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("a send failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
