package dev.herald.examples.shop;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The shop's own count of events per type, kept beside the bus's counters so that the two can be
 * compared: how many each service published, and how many the order-flow handlers finished. Thread-
 * safe: services on any delivery thread count into it.
 */
public final class EventCounters {
  private final ConcurrentHashMap<String, LongAdder> published = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> delivered = new ConcurrentHashMap<>();
  private final LongAdder skippedRedeliveries = new LongAdder();

  /** Counts an event delivered again that its handler had already handled (durable shop). */
  void skippedRedelivery() {
    skippedRedeliveries.increment();
  }

  public long skippedRedeliveries() {
    return skippedRedeliveries.sum();
  }

  /** Counts an event that the bus accepted. */
  void published(String type) {
    published.computeIfAbsent(type, t -> new LongAdder()).increment();
  }

  /** Counts an event that a handler finished without throwing. */
  void delivered(String type) {
    delivered.computeIfAbsent(type, t -> new LongAdder()).increment();
  }

  public long published(String type, long ifNone) {
    LongAdder a = published.get(type);
    return a == null ? ifNone : a.sum();
  }

  public long delivered(String type, long ifNone) {
    LongAdder a = delivered.get(type);
    return a == null ? ifNone : a.sum();
  }

  /** All published counts, by type. */
  public long totalPublished() {
    long sum = 0;
    for (LongAdder a : published.values()) {
      sum += a.sum();
    }
    return sum;
  }

  /** Every type seen, published or delivered, sorted. */
  public Map<String, long[]> snapshot() {
    Map<String, long[]> m = new TreeMap<>();
    published.forEach((t, a) -> m.computeIfAbsent(t, k -> new long[2])[0] = a.sum());
    delivered.forEach((t, a) -> m.computeIfAbsent(t, k -> new long[2])[1] = a.sum());
    return m;
  }
}
