package dev.herald.examples.shop;

import dev.herald.DeadLetter;
import dev.herald.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the durable log says the shop has done so far, read back event by event ({@link #add}): the
 * shop's state is a function of its log, so a run that starts on a log an earlier run left behind
 * (cleanly, or killed half-way) rebuilds it from there and carries on. On Kafka a service process
 * learns at start-up only which events were handled ({@link #addEffect}, from {@link
 * KafkaHistory}), and inventory reads its decisions again when it is given partitions ({@link
 * KafkaHistory#readStock}).
 *
 * <p>It answers two questions:
 *
 * <ul>
 *   <li>Was this event already handled by that service? Every event a service publishes names the
 *       service as its CloudEvents {@code source} ({@code /shop/<service>}) and its cause as {@code
 *       causationid}, so an effect in the log proves the cause was handled. Delivery from the log
 *       is at least once; this makes the handlers idempotent by event id.
 *   <li>Where do the orders stand: placed, ended (first outcome per order), customer notified.
 *   <li>What did inventory decide for each order ({@link #stockDecisions}), from which it rebuilds
 *       its shelves.
 * </ul>
 *
 * <p>It also counts what a customer must never see: a second outcome of an order, or a second
 * message about it. Built on one thread, then only read: not thread-safe while {@link #add} runs.
 */
final class ShopHistory {
  /** The source of the events {@code service} publishes. */
  static String source(String service) {
    return "/shop/" + service;
  }

  /** A decision of inventory found in the store, and the run it belongs to. */
  record StockDecision(ShopRun run, Shelves.Decision decision) {}

  private final Set<String> handled = new HashSet<>();
  private final List<StockDecision> stockDecisions = new ArrayList<>();
  private final Map<String, OrderPlaced> placed = new LinkedHashMap<>();
  private final Map<String, Event<?>> outcomes = new HashMap<>();
  private final Map<String, Integer> notifications = new HashMap<>();
  // Order id -> id of the first event that told its customer.
  private final Map<String, String> notifiedBy = new HashMap<>();
  private final Set<String> endedTwice = new HashSet<>();
  private long events;
  private long deadLetters;
  private long duplicateOutcomes;
  private long duplicateNotifications;
  private long shipped;
  private final Map<OrderCancelled.Reason, Long> cancelled = new HashMap<>();
  private long foreign;
  private RunStarted firstRun;
  private int runs;

  /** Takes the next event of the log, in log order. */
  void add(Event<?> e) {
    events++;
    String cause = e.causationId();
    if (cause != null) {
      addEffect(e.source(), cause);
    }
    Object data = e.data();
    switch (e.type()) {
      case ShopEvents.ORDER_PLACED -> {
        if (data instanceof OrderPlaced o) {
          placed.putIfAbsent(o.orderId(), o);
        }
      }
      case ShopEvents.ORDER_SHIPPED, ShopEvents.ORDER_CANCELLED -> {
        if (data instanceof OrderOutcome o) {
          Event<?> first = outcomes.putIfAbsent(o.orderId(), e);
          if (first != null) {
            duplicateOutcomes++;
            if (!first.id().equals(e.id())) {
              endedTwice.add(o.orderId());
            }
          } else if (o instanceof OrderCancelled c) {
            cancelled.merge(c.reason(), 1L, Long::sum);
          } else {
            shipped++;
          }
        }
      }
      case ShopEvents.CUSTOMER_NOTIFIED -> {
        if (data instanceof CustomerNotified n) {
          if (notifications.merge(n.orderId(), 1, Integer::sum) > 1) {
            duplicateNotifications++;
          }
          String first = notifiedBy.putIfAbsent(n.orderId(), e.id());
          if (first != null && !first.equals(e.id())) {
            endedTwice.add(n.orderId());
          }
        }
      }
      case ShopEvents.STOCK_RESERVED -> {
        ShopRun run = ShopRun.of(e);
        if (data instanceof StockReserved r && run != null) {
          stockDecisions.add(
              new StockDecision(
                  run, new Shelves.Decision(r.orderId(), r.sku(), r.quantity(), true, -1)));
        }
      }
      case ShopEvents.STOCK_REJECTED -> {
        ShopRun run = ShopRun.of(e);
        if (data instanceof StockRejected r && run != null) {
          stockDecisions.add(
              new StockDecision(
                  run,
                  new Shelves.Decision(r.orderId(), r.sku(), r.requested(), false, r.available())));
        }
      }
      case DeadLetter.TYPE -> deadLetters++;
      case ShopEvents.RUN_STARTED -> {
        if (data instanceof RunStarted r) {
          runs++;
          if (firstRun == null) {
            firstRun = r;
          }
        }
      }
      default -> {}
    }
    if (data != null
        && !(data instanceof OrderPlaced
            || data instanceof StockReserved
            || data instanceof StockRejected
            || data instanceof PaymentCharged
            || data instanceof OrderOutcome
            || data instanceof CustomerNotified
            || data instanceof DeadLetter
            || data instanceof RunStarted)) {
      foreign++; // undecodable, or not the shop's: counted, never acted on
    }
  }

  /**
   * Takes an effect known only by its source and cause (read from a store without decoding the
   * event): proof that the service named by {@code source} handled event {@code causationId}.
   */
  void addEffect(String source, String causationId) {
    if (source.startsWith("/shop/")) {
      handled.add(source + '|' + causationId);
    }
  }

  /**
   * Inventory's decisions in the store, in store order; a decision stored twice (a redelivered
   * order) appears twice.
   */
  List<StockDecision> stockDecisions() {
    return stockDecisions;
  }

  /** Runs that started on this log so far. */
  int runs() {
    return runs;
  }

  /** The scenario of the first run on this log, or null for a new log. */
  RunStarted firstRun() {
    return firstRun;
  }

  /** Whether {@code service} already published an effect of the event {@code eventId}. */
  boolean handled(String service, String eventId) {
    return handled.contains(source(service) + '|' + eventId);
  }

  /** The orders placed so far, in placement order. */
  Map<String, OrderPlaced> placed() {
    return placed;
  }

  /** The event that ended each ended order (its first outcome). */
  Map<String, Event<?>> outcomes() {
    return outcomes;
  }

  /** Order id -> id of the first event that told its customer, for every order told. */
  Map<String, String> notifiedBy() {
    return notifiedBy;
  }

  /**
   * Orders that ended twice as their customer sees it: a second outcome or a second message under
   * another event id than the first (the same event stored twice is one outcome, told once).
   */
  long ordersEndedTwice() {
    return endedTwice.size();
  }

  /** The ids of the orders shipped (their first outcome). */
  Set<String> shippedOrders() {
    Set<String> ids = new HashSet<>();
    outcomes.forEach(
        (id, e) -> {
          if (e.data() instanceof OrderShipped) {
            ids.add(id);
          }
        });
    return ids;
  }

  /** Orders whose customer has heard how they ended. */
  long notifiedOrders() {
    return notifications.size();
  }

  long events() {
    return events;
  }

  long deadLetters() {
    return deadLetters;
  }

  long shipped() {
    return shipped;
  }

  long cancelled(OrderCancelled.Reason reason) {
    return cancelled.getOrDefault(reason, 0L);
  }

  /** Orders with more than one outcome in the log: what a customer must never see. */
  long duplicateOutcomes() {
    return duplicateOutcomes;
  }

  /** Customers told about the same order more than once. */
  long duplicateNotifications() {
    return duplicateNotifications;
  }

  /** Events the shop does not know (an undecodable record, another application's event). */
  long foreign() {
    return foreign;
  }
}
