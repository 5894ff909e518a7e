package dev.herald.examples.shop;

import dev.herald.BusStats;
import dev.herald.CloseReport;
import dev.herald.DeadLetter;
import dev.herald.DropReason;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscriptionStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The seed's e-commerce shop made real: six services on one in-memory {@link EventBus}, a seeded
 * scenario of orders, and an honest account of the run.
 *
 * <pre>
 *  OrderService ──order.placed──▶ InventoryService ──stock.reserved──▶ PaymentService
 *       ▲  ▲                            │                                 │        │ (declined:
 *       │  └────────stock.rejected──────┘                  payment.charged│        │  dead letter)
 *       │                                                                 ▼        ▼
 *       ├──order.shipped───────────────────────────────── ShippingService   herald.deadletter
 *       ├──order.cancelled (out of stock, dead letter) ◀──────────────────────────┘
 *       └──customer.notified ◀── NotificationService ◀── order.shipped / order.cancelled
 *  AnalyticsService ◀── every event (#), slow, own executor, drops the oldest when behind
 * </pre>
 *
 * Runs on the calling thread, which places the orders and waits; returns once the bus is closed.
 */
public final class ShopDemo {
  /** How long the run may go without any order ending before it gives up and reports the loss. */
  static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private ShopDemo() {}

  /**
   * Runs {@code orders} orders drawn from {@code seed}.
   *
   * @param progress where to show a live progress line, or null for none
   */
  public static DemoReport run(int orders, long seed, PrintWriter progress)
      throws InterruptedException {
    ShopScenario scenario = ShopScenario.generate(orders, seed);
    DropLedger ledger = new DropLedger();
    EventCounters counters = new EventCounters();
    OrderBook book = new OrderBook(orders);
    ExecutorService analyticsExecutor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "shop-analytics");
              t.setDaemon(true);
              return t;
            });
    EventBus bus = Herald.builder().listener(ledger).build();
    try {
      OrderService orderService = new OrderService(bus, counters, book);
      NotificationService notification = new NotificationService(bus, counters);
      AnalyticsService analytics = new AnalyticsService(bus, counters, analyticsExecutor);
      List<ShopService> services =
          List.of(
              orderService,
              new InventoryService(bus, counters, scenario.initialStock()),
              new PaymentService(bus, counters, new PaymentGateway(scenario)),
              new ShippingService(bus, counters),
              notification,
              analytics);
      for (ShopService s : services) {
        s.start();
      }

      long stallNanos = STALL_TIMEOUT.toNanos();
      long start = System.nanoTime();
      ProgressLine line =
          progress == null
              ? null
              : ProgressLine.start(progress, () -> status(orders, book, bus, start));
      try {
        orderService.placeAll(scenario.orders(), stallNanos);
        book.awaitAllEnded(stallNanos);
      } finally {
        if (line != null) {
          line.stop();
        }
      }
      long elapsedNanos = System.nanoTime() - start;
      long publishedByThen = bus.stats().published();
      // Let the last customers hear of their orders before closing: a handler cannot publish on a
      // closing bus.
      orderService.awaitIdle(stallNanos);

      CloseReport close = bus.close(CLOSE_TIMEOUT);
      analyticsExecutor.shutdown();
      analyticsExecutor.awaitTermination(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      BusStats stats = bus.stats();

      LossAudit audit =
          LossAudit.of(
              stats,
              orders - book.shipped() - book.cancelled(),
              ledger,
              Set.of(AnalyticsService.SUBSCRIPTION),
              OrderService.DEAD_LETTERS);
      Histogram latency = book.latencyMicros();
      long analyticsDropped =
          ledger.dropped(AnalyticsService.SUBSCRIPTION, DropReason.OLDEST);
      long retries = 0;
      long delivered = 0;
      for (SubscriptionStats s : stats.subscriptions()) {
        retries += s.retried();
        delivered += s.delivered();
      }
      double seconds = Math.max(elapsedNanos, 1) / 1e9;
      return new DemoReport(
          seed,
          orders,
          book.placed(),
          book.shipped(),
          book.cancelled(),
          book.cancelled(OrderCancelled.Reason.OUT_OF_STOCK),
          book.cancelled(OrderCancelled.Reason.PAYMENT_DECLINED),
          book.cancelled(OrderCancelled.Reason.FAILED),
          notification.sent(),
          stats.published(),
          delivered,
          ledger.deadLetters(),
          retries,
          analytics.processedTotal(),
          analyticsDropped,
          audit.total(),
          audit,
          millis(latency.getValueAtPercentile(50)),
          millis(latency.getValueAtPercentile(99)),
          millis(latency.getMaxValue()),
          TimeUnit.NANOSECONDS.toMillis(elapsedNanos),
          round(book.placed() / seconds),
          round(publishedByThen / seconds),
          close.drained(),
          new TreeMap<>(close.undelivered()),
          close.threadsStopped(),
          eventRows(counters, analytics, ledger),
          serviceRows(stats, services));
    } finally {
      bus.close(CLOSE_TIMEOUT); // Idempotent: a no-op after a normal run.
      analyticsExecutor.shutdownNow();
    }
  }

  private static String status(int orders, OrderBook book, EventBus bus, long start) {
    long cancelled = book.cancelled();
    long shipped = book.shipped();
    return String.format(
        "placed %d/%d  shipped %d  cancelled %d  open %d  events %d  %.1fs",
        book.placed(),
        orders,
        shipped,
        cancelled,
        book.placed() - shipped - cancelled,
        bus.stats().published(),
        (System.nanoTime() - start) / 1e9);
  }

  private static Map<String, DemoReport.EventRow> eventRows(
      EventCounters counters, AnalyticsService analytics, DropLedger ledger) {
    Map<String, Long> processed = analytics.processed();
    Map<String, Long> dropped = ledger.droppedByType(AnalyticsService.SUBSCRIPTION);
    Map<String, DemoReport.EventRow> rows = new LinkedHashMap<>();
    for (String type : ShopEvents.ALL) {
      rows.put(
          type,
          new DemoReport.EventRow(
              counters.published(type, 0),
              counters.delivered(type, 0),
              processed.getOrDefault(type, 0L),
              dropped.getOrDefault(type, 0L)));
    }
    rows.put(
        DeadLetter.TYPE,
        new DemoReport.EventRow(
            ledger.deadLetters(), counters.delivered(DeadLetter.TYPE, 0), 0, 0));
    return rows;
  }

  private static Map<String, DemoReport.ServiceRow> serviceRows(
      BusStats stats, List<ShopService> services) {
    Map<String, long[]> sums = new LinkedHashMap<>();
    for (ShopService s : services) {
      sums.put(s.name(), new long[6]);
    }
    for (SubscriptionStats s : stats.subscriptions()) {
      int dot = s.name().indexOf('.');
      long[] sum = sums.get(dot < 0 ? s.name() : s.name().substring(0, dot));
      if (sum == null) {
        continue;
      }
      sum[0] += s.routed();
      sum[1] += s.delivered();
      sum[2] += s.failed();
      sum[3] += s.retried();
      sum[4] += s.deadLettered();
      sum[5] += s.dropped();
    }
    Map<String, DemoReport.ServiceRow> rows = new LinkedHashMap<>();
    sums.forEach(
        (name, s) -> rows.put(name, new DemoReport.ServiceRow(s[0], s[1], s[2], s[3], s[4], s[5])));
    return rows;
  }

  private static double millis(long micros) {
    return round(micros / 1000.0);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
