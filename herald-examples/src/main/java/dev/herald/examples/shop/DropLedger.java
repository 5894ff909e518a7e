package dev.herald.examples.shop;

import dev.herald.BusListener;
import dev.herald.DeadLetter;
import dev.herald.DropReason;
import dev.herald.Event;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the bus reports beyond its own counters: drops by subscription and reason (the bus's
 * {@code dropped} counter lumps every reason together), drops by event type, and dead letters.
 * Thread-safe and non-blocking, as a {@link BusListener} must be: called on publishing and delivery
 * threads.
 */
final class DropLedger implements BusListener {
  private final ConcurrentHashMap<String, LongAdder> bySubscriptionAndReason =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> bySubscriptionAndType =
      new ConcurrentHashMap<>();
  private final LongAdder deadLetters = new LongAdder();

  @Override
  public void onDropped(String subscription, Event<?> event, DropReason reason) {
    count(bySubscriptionAndReason, subscription + '|' + reason.name());
    count(bySubscriptionAndType, subscription + '|' + event.type());
  }

  @Override
  public void onDeadLetter(DeadLetter deadLetter) {
    deadLetters.increment();
  }

  private static void count(ConcurrentHashMap<String, LongAdder> map, String key) {
    map.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** Events {@code subscription} dropped for {@code reason}. */
  long dropped(String subscription, DropReason reason) {
    LongAdder a = bySubscriptionAndReason.get(subscription + '|' + reason.name());
    return a == null ? 0 : a.sum();
  }

  /** Events of each type that {@code subscription} dropped, for any reason. */
  Map<String, Long> droppedByType(String subscription) {
    Map<String, Long> m = new TreeMap<>();
    String prefix = subscription + '|';
    bySubscriptionAndType.forEach(
        (k, a) -> {
          if (k.startsWith(prefix)) {
            m.put(k.substring(prefix.length()), a.sum());
          }
        });
    return m;
  }

  /** Dead letters reported by the bus. */
  long deadLetters() {
    return deadLetters.sum();
  }
}
