package dev.herald.examples.shop;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Which orders are open and how each ended. Thread-safe: the placer and several order-flow handlers
 * write to it at once; an order's first outcome wins, a later one is counted as a conflict.
 */
final class OrderBook {
  private record Open(String customerId, long placedNanos) {}

  private final ConcurrentHashMap<String, Open> open = new ConcurrentHashMap<>();
  private final LongAdder placed = new LongAdder();
  private final LongAdder shipped = new LongAdder();
  private final Map<OrderCancelled.Reason, LongAdder> cancelled =
      new EnumMap<>(OrderCancelled.Reason.class);
  private final LongAdder conflicts = new LongAdder();
  // Microseconds from placement to outcome; a Recorder because outcomes arrive on several threads.
  private final Recorder latencyMicros = new Recorder(3);
  private final CountDownLatch allFinal;

  OrderBook(int expectedOrders) {
    for (OrderCancelled.Reason r : OrderCancelled.Reason.values()) {
      cancelled.put(r, new LongAdder());
    }
    this.allFinal = new CountDownLatch(expectedOrders);
  }

  void placed(OrderPlaced order, long nowNanos) {
    open.put(order.orderId(), new Open(order.customerId(), nowNanos));
    placed.increment();
  }

  /** The customer of an open order, or null if the order is not open. */
  String openCustomer(String orderId) {
    Open o = open.get(orderId);
    return o == null ? null : o.customerId();
  }

  /** Records how an order ended. False if it had already ended (or was never placed). */
  boolean ended(OrderOutcome outcome, long nowNanos) {
    Open o = open.remove(outcome.orderId());
    if (o == null) {
      conflicts.increment();
      return false;
    }
    if (outcome instanceof OrderCancelled c) {
      cancelled.get(c.reason()).increment();
    } else {
      shipped.increment();
    }
    latencyMicros.recordValue(Math.max(0, (nowNanos - o.placedNanos()) / 1000));
    allFinal.countDown();
    return true;
  }

  /**
   * Waits until every expected order has ended, giving up when no order has ended for {@code
   * stallNanos}. True if all ended.
   */
  boolean awaitAllEnded(long stallNanos) throws InterruptedException {
    long lastCount = allFinal.getCount();
    long lastProgress = System.nanoTime();
    while (!allFinal.await(100, TimeUnit.MILLISECONDS)) {
      long count = allFinal.getCount();
      long now = System.nanoTime();
      if (count != lastCount) {
        lastCount = count;
        lastProgress = now;
      } else if (now - lastProgress > stallNanos) {
        return false;
      }
    }
    return true;
  }

  long placed() {
    return placed.sum();
  }

  long shipped() {
    return shipped.sum();
  }

  long cancelled(OrderCancelled.Reason reason) {
    return cancelled.get(reason).sum();
  }

  long cancelled() {
    long sum = 0;
    for (LongAdder a : cancelled.values()) {
      sum += a.sum();
    }
    return sum;
  }

  long stillOpen() {
    return open.size();
  }

  long conflicts() {
    return conflicts.sum();
  }

  /** The latencies recorded since the last call, in microseconds. */
  Histogram latencyMicros() {
    return latencyMicros.getIntervalHistogram();
  }
}
