package dev.herald.examples.shop;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Which orders are open and how each ended. Thread-safe: the placer and several order-flow handlers
 * write to it at once; an order's first outcome wins, a later one is counted as a conflict (or,
 * when it is the same outcome event delivered again after a restart, as a redelivery). What a
 * customer must never see is counted by order: a second outcome, or a second message, under another
 * event id than the first ({@link #ordersEndedTwice}).
 */
final class OrderBook {
  private record Open(String customerId, long placedNanos) {}

  /** A time not known: an order placed, or ended, by an earlier run. */
  private static final long UNKNOWN = Long.MIN_VALUE;

  private final ConcurrentHashMap<String, Open> open = new ConcurrentHashMap<>();
  private final LongAdder placed = new LongAdder();
  private final LongAdder shipped = new LongAdder();
  private final Map<OrderCancelled.Reason, LongAdder> cancelled =
      new EnumMap<>(OrderCancelled.Reason.class);
  private final LongAdder conflicts = new LongAdder();
  private final LongAdder redelivered = new LongAdder();
  // Order id -> id of the event that ended it.
  private final ConcurrentHashMap<String, String> endedBy = new ConcurrentHashMap<>();
  private final Set<String> endClaims = ConcurrentHashMap.newKeySet();
  // Order id -> id of the first event that told its customer.
  private final ConcurrentHashMap<String, String> notifiedBy = new ConcurrentHashMap<>();
  private final Set<String> endedTwice = ConcurrentHashMap.newKeySet();
  private final Set<String> shippedOrders = ConcurrentHashMap.newKeySet();
  // Microseconds from placement to outcome; a Recorder because outcomes arrive on several threads.
  private final Recorder latencyMicros = new Recorder(3);
  private final CountDownLatch allFinal;

  OrderBook(int expectedOrders) {
    for (OrderCancelled.Reason r : OrderCancelled.Reason.values()) {
      cancelled.put(r, new LongAdder());
    }
    this.allFinal = new CountDownLatch(expectedOrders);
  }

  /** Takes over where earlier runs left off: their orders, outcomes and notifications. */
  void restore(ShopHistory history) {
    history.placed().forEach((id, o) -> open.put(id, new Open(o.customerId(), UNKNOWN)));
    placed.add(history.placed().size());
    history
        .outcomes()
        .forEach(
            (id, e) -> {
              if (e.data() instanceof OrderOutcome o) {
                ended(e.id(), o, UNKNOWN);
                endClaims.add(id);
              }
            });
    history.notifiedBy().forEach(notifiedBy::put);
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

  /**
   * Claims the right to end an open order (to publish its cancellation): true once per order, so
   * that two reasons to cancel it make one cancellation.
   */
  boolean claimEnd(String orderId) {
    return open.containsKey(orderId) && endClaims.add(orderId);
  }

  /**
   * Records that the customer heard how the order ended, by the event {@code eventId}: true the
   * first time only. A second message under another id is a customer told twice.
   */
  boolean notified(String orderId, String eventId) {
    String first = notifiedBy.putIfAbsent(orderId, eventId);
    if (first != null && !first.equals(eventId)) {
      endedTwice.add(orderId);
    }
    return first == null;
  }

  /**
   * Records how an order ended, by the event {@code eventId}. False if it had already ended (or was
   * never placed).
   */
  boolean ended(String eventId, OrderOutcome outcome, long nowNanos) {
    String first = endedBy.putIfAbsent(outcome.orderId(), eventId);
    if (first != null) {
      if (first.equals(eventId)) {
        redelivered.increment();
      } else {
        conflicts.increment();
        endedTwice.add(outcome.orderId());
      }
      return false;
    }
    Open o = open.remove(outcome.orderId());
    if (o == null) {
      conflicts.increment();
      return false;
    }
    if (outcome instanceof OrderCancelled c) {
      cancelled.get(c.reason()).increment();
    } else {
      shipped.increment();
      shippedOrders.add(outcome.orderId());
    }
    if (nowNanos != UNKNOWN && o.placedNanos() != UNKNOWN) {
      latencyMicros.recordValue(Math.max(0, (nowNanos - o.placedNanos()) / 1000));
    }
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

  /** Orders whose customer has heard how they ended. */
  long notifiedOrders() {
    return notifiedBy.size();
  }

  /** Orders that ended twice as their customer sees it: a second outcome, or a second message. */
  long ordersEndedTwice() {
    return endedTwice.size();
  }

  /** The ids of the orders shipped. */
  Set<String> shippedOrders() {
    return shippedOrders;
  }

  /** Outcomes delivered again after a restart, recognised by their event id. */
  long redelivered() {
    return redelivered.sum();
  }

  /** The latencies recorded since the last call, in microseconds. */
  Histogram latencyMicros() {
    return latencyMicros.getIntervalHistogram();
  }
}
