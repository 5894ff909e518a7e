package dev.herald.contract;

import dev.herald.Event;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Watches the handlers of a consumer group's members for one key in two members' hands at once,
 * which a rebalance must never cause. Wrap each handler's work in {@link #handle}; {@link
 * #overlaps} counts the times a key was already in another handler when one started on it.
 */
public final class OneKeyAtATime {
  private final Map<String, AtomicInteger> busy = new ConcurrentHashMap<>();
  private final LongAdder overlaps = new LongAdder();

  /**
   * Runs {@code work} for {@code event}, then keeps the key in hand a little longer (some busy
   * work, about 20 µs), so that a member still working on a key when another starts on it shows.
   */
  public void handle(Event<?> event, Runnable work) {
    AtomicInteger inKey = busy.computeIfAbsent(event.key(), k -> new AtomicInteger());
    if (inKey.incrementAndGet() != 1) {
      overlaps.increment();
    }
    try {
      work.run();
      long until = System.nanoTime() + 20_000;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
    } finally {
      inKey.decrementAndGet();
    }
  }

  /** The times a key was in two handlers at once. */
  public long overlaps() {
    return overlaps.sum();
  }
}
