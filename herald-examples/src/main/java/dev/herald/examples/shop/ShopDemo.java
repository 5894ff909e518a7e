package dev.herald.examples.shop;

import dev.herald.BusStats;
import dev.herald.CloseReport;
import dev.herald.DeadLetter;
import dev.herald.DropReason;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscriptionStats;
import dev.herald.codec.JsonPayloadCodec;
import dev.herald.kafka.KafkaTransport;
import dev.herald.log.FlushPolicy;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import dev.herald.spi.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
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
 * Runs on the calling thread, which places the orders and waits; returns once the bus is closed. On
 * the durable log ({@link #runDurable}) the same services run unchanged but for durable
 * subscriptions and idempotence by event id; a run killed half-way is finished by the next.
 */
public final class ShopDemo {
  /** The log's flush interval: a killed process loses nothing written; a power cut, this much. */
  static final long LOG_FLUSH_MILLIS = 10;

  /** Room in the log's append queue: more than every event a full window of open orders makes. */
  static final int LOG_QUEUE = 64 * 1024;

  /** How long the run may go without any order ending before it gives up and reports the loss. */
  public static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The session timeout of the shop's Kafka consumers: how long a consumer group waits for a member
   * that stopped heartbeating (a process killed with SIGKILL) before it gives the member's
   * partitions to another, or to the process started in its place. Kafka's default, 45 s, would
   * leave every order behind a dead back office stalled past {@link #STALL_TIMEOUT}; 6 s is the
   * least a broker accepts by default ({@code group.min.session.timeout.ms}).
   */
  public static final Duration KAFKA_SESSION_TIMEOUT = Duration.ofSeconds(6);

  /**
   * The shop's Kafka consumers heartbeat this often: well within {@link #KAFKA_SESSION_TIMEOUT}.
   */
  public static final Duration KAFKA_HEARTBEAT = Duration.ofSeconds(1);

  /** How long no order may end before the run says on stderr what it is waiting for. */
  static final Duration STALL_NOTICE = Duration.ofSeconds(3);

  private ShopDemo() {}

  /**
   * The services of the shop, by the names {@code --services} takes, in the order they start:
   * analytics, the in-process observer, first, so it already listens when durable subscriptions
   * start handling what an earlier run left unfinished (else those first effects would be
   * unrouted).
   */
  public static final List<String> SERVICES =
      List.of("analytics", "orders", "inventory", "payment", "shipping", "notification");

  /**
   * Runs {@code orders} orders drawn from {@code seed} on the in-memory bus, every service in this
   * process.
   *
   * @param progress where to show a live progress line, or null for none
   */
  public static DemoReport run(int orders, long seed, Progress progress)
      throws InterruptedException {
    DropLedger ledger = new DropLedger();
    EventBus bus = Herald.builder().listener(ledger).build();
    return runWithoutLog(
        ShopRun.of(seed, orders, null),
        Set.copyOf(SERVICES),
        "memory",
        bus,
        ledger,
        null,
        null,
        progress);
  }

  /**
   * Runs {@code orders} orders drawn from {@code seed} on the durable log in {@code dir}, carrying
   * on from what an earlier run with the same orders and seed left there, finished or killed
   * half-way: the log is replayed first to rebuild every service's state ({@link ShopHistory}), and
   * every subscription but analytics is a durable consumer group. The report's {@code allRuns}
   * counts orders and events over every run, read back from the log once this run is over; its
   * {@code thisRun} is what this run added.
   *
   * @param progress where to show a live progress line, or null for none
   * @throws IOException if the log cannot be opened (locked by another process, corrupt, ...)
   * @throws IllegalArgumentException if the log holds a shop of other orders or another seed
   */
  public static DemoReport runDurable(int orders, long seed, Path dir, Progress progress)
      throws IOException, InterruptedException {
    DropLedger ledger = new DropLedger();
    ShopHistory history = new ShopHistory();
    LogTransport transport = openLog(dir);
    EventBus bus;
    try {
      transport.replay(history::add);
      RunStarted first = history.firstRun();
      if (first != null && (first.orders() != orders || first.seed() != seed)) {
        throw new IllegalArgumentException(
            dir
                + " holds the shop of --orders "
                + first.orders()
                + " --seed "
                + first.seed()
                + ": run with those to carry on, or use another directory");
      }
      bus = Herald.builder().listener(ledger).transport(transport).build();
    } catch (InterruptedException | RuntimeException e) {
      transport.close();
      throw e;
    }
    return run(
        ShopRun.of(seed, orders, null),
        Set.copyOf(SERVICES),
        "log",
        bus,
        ledger,
        history,
        null,
        dir,
        readiness(transport),
        progress);
  }

  /**
   * Runs {@code orders} orders drawn from {@code seed} over {@code transport} (Kafka), with only
   * {@code services} in this process (which must include {@code orders}: this process places the
   * orders, waits for every one to end, and reports). Other processes on the same transport serve
   * the rest ({@link #serve}). Every subscription but analytics is durable. The run gets an id of
   * its own, so runs over one cluster never mix.
   *
   * @param stock the transport's assignment listener, which tells inventory (if it runs here) when
   *     to read what other back offices decided
   * @param transportName the transport's name in the report
   */
  public static DemoReport runOn(
      Transport transport,
      KafkaStockHistory stock,
      String transportName,
      int orders,
      long seed,
      Set<String> services,
      Progress progress)
      throws InterruptedException {
    DropLedger ledger = new DropLedger();
    EventBus bus = Herald.builder().listener(ledger).transport(transport).build();
    String suffix = Long.toString(System.currentTimeMillis(), 36);
    return runWithoutLog(
        ShopRun.of(seed, orders, suffix),
        services,
        transportName,
        bus,
        ledger,
        transport,
        stock.stockHistory(),
        progress);
  }

  /** A run with no history to resume: nothing to read back from a log. */
  private static DemoReport runWithoutLog(
      ShopRun run,
      Set<String> services,
      String transportName,
      EventBus bus,
      DropLedger ledger,
      Transport transport,
      InventoryService.StockHistory stock,
      Progress progress)
      throws InterruptedException {
    try {
      return run(
          run,
          services,
          transportName,
          bus,
          ledger,
          new ShopHistory(),
          stock,
          null,
          readiness(transport),
          progress);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // only reading back a log does I/O, and there is none here
    }
  }

  /**
   * Serves {@code services} (not {@code orders}) over {@code transport} until {@code stop} is
   * counted down: the other half of a shop split over processes. Every run's events are served; a
   * service learns each event's scenario from the event ({@link ShopRun}). Inventory, if served
   * here, must be the only member of its group: it never reads what another member decided.
   *
   * @return what each service did, as the report's service rows
   */
  public static Map<String, DemoReport.ServiceRow> serve(
      Transport transport, Set<String> services, CountDownLatch stop) throws InterruptedException {
    return serve(transport, new ShopHistory(), null, services, stop);
  }

  /**
   * {@link #serve(Transport, Set, CountDownLatch)} on Kafka at {@code bootstrap}, first reading
   * what every service has published so far ({@link KafkaHistory}): a process started in place of a
   * killed one then acknowledges, without handling them again, the events its predecessor handled
   * but had not committed. Inventory, if served here, reads the decisions stored by other back
   * offices whenever it is given partitions: {@code stock} must be {@code transport}'s assignment
   * listener.
   *
   * @throws IllegalStateException if the events topic cannot be read to its end within {@link
   *     #STALL_TIMEOUT}
   */
  public static Map<String, DemoReport.ServiceRow> serve(
      KafkaTransport transport,
      String bootstrap,
      KafkaStockHistory stock,
      Set<String> services,
      CountDownLatch stop)
      throws InterruptedException {
    ShopHistory history =
        KafkaHistory.read(bootstrap, transport.topicFor(ShopEvents.ORDER_PLACED), STALL_TIMEOUT);
    return serve(transport, history, stock.stockHistory(), services, stop);
  }

  private static Map<String, DemoReport.ServiceRow> serve(
      Transport transport,
      ShopHistory history,
      InventoryService.StockHistory stock,
      Set<String> services,
      CountDownLatch stop)
      throws InterruptedException {
    DropLedger ledger = new DropLedger();
    EventBus bus = Herald.builder().listener(ledger).transport(transport).build();
    ExecutorService analyticsExecutor = analyticsExecutor();
    try {
      ShopContext shop = new ShopContext(bus, new EventCounters(), history, null, true, stock);
      List<ShopService> started = new ArrayList<>();
      for (String name : SERVICES) {
        if (services.contains(name)) {
          ShopService s = create(name, shop, null, analyticsExecutor);
          s.start();
          started.add(s);
        }
      }
      stop.await();
      bus.close(CLOSE_TIMEOUT);
      return serviceRows(bus.stats(), started);
    } finally {
      bus.close(CLOSE_TIMEOUT);
      analyticsExecutor.shutdownNow();
    }
  }

  /**
   * What {@link #live} starts over the shop's bus once its services run (the HTTP gateway), and
   * closes before the bus.
   */
  @FunctionalInterface
  public interface Attachment {
    AutoCloseable attach(LogTransport transport, EventBus bus) throws Exception;
  }

  /**
   * What a live run did, for its last lines: this run's figures only, whatever earlier runs left in
   * the log.
   *
   * @param placed orders this run placed
   * @param shipped orders shipped during this run (some may have been placed by an earlier run)
   * @param cancelled orders cancelled during this run (likewise)
   */
  public record LiveSummary(long placed, long shipped, long cancelled) {}

  /**
   * Runs the shop on the durable log in {@code dir} for people to watch: the services of {@link
   * #runDurable}, and orders of the scenario of {@code orders} and {@code seed} placed at a steady
   * {@code ordersPerSecond} (the next order of the scenario each time; an earlier run's are
   * skipped) until {@code stop} is counted down. Once every order is placed the shop keeps serving,
   * idle, until then. {@code attachment} is started once the services run, and closed first.
   *
   * <p>Runs on the calling thread, which places the orders; returns once the bus is closed.
   *
   * @throws IOException if the log cannot be opened (locked by another process, corrupt, ...)
   * @throws IllegalArgumentException if the log holds a shop of other orders or another seed
   */
  public static LiveSummary live(
      Path dir,
      int orders,
      long seed,
      double ordersPerSecond,
      Attachment attachment,
      CountDownLatch stop)
      throws Exception {
    if (!(ordersPerSecond > 0)) {
      throw new IllegalArgumentException(
          "ordersPerSecond: must be positive, was " + ordersPerSecond);
    }
    ShopHistory history = new ShopHistory();
    LogTransport transport = openLog(dir);
    EventBus bus;
    try {
      transport.replay(history::add);
      RunStarted first = history.firstRun();
      if (first != null && (first.orders() != orders || first.seed() != seed)) {
        throw new IllegalArgumentException(
            dir
                + " holds the shop of --orders "
                + first.orders()
                + " --seed "
                + first.seed()
                + ": run with those to carry on, or use another directory");
      }
      bus = Herald.builder().listener(new DropLedger()).transport(transport).build();
    } catch (Exception e) {
      transport.close();
      throw e;
    }
    ShopRun run = ShopRun.of(seed, orders, null);
    OrderBook book = new OrderBook(orders);
    book.restore(history);
    // The book counts every run's orders from here on: what it counted before is theirs.
    long placedBefore = book.placed();
    long shippedBefore = book.shipped();
    long cancelledBefore = book.cancelled();
    ShopContext shop = new ShopContext(bus, new EventCounters(), history, run, true, null);
    ExecutorService analyticsExecutor = analyticsExecutor();
    AutoCloseable attached = null;
    try {
      OrderService orderService = new OrderService(shop, book);
      for (String name : SERVICES) {
        ShopService s =
            name.equals("orders") ? orderService : create(name, shop, book, analyticsExecutor);
        s.start();
      }
      bus.emit(
          Event.builder(ShopEvents.RUN_STARTED)
              .source(ShopHistory.source("demo"))
              .data(new RunStarted(history.runs() + 1, orders, seed))
              .build());
      attached = attachment.attach(transport, bus);
      long interval = (long) (1e9 / ordersPerSecond);
      long next = System.nanoTime();
      for (OrderPlaced order : run.scenario().orders()) {
        if (history.placed().containsKey(order.orderId())) {
          continue;
        }
        // The latch is the pacing's clock: a stop ends the wait at once.
        if (stop.await(Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          break;
        }
        next = Math.max(next + interval, System.nanoTime() - interval);
        orderService.placeAll(List.of(order), STALL_TIMEOUT.toNanos());
      }
      stop.await();
      return new LiveSummary(
          book.placed() - placedBefore,
          book.shipped() - shippedBefore,
          book.cancelled() - cancelledBefore);
    } finally {
      try {
        if (attached != null) {
          attached.close();
        }
      } finally {
        bus.close(CLOSE_TIMEOUT);
        analyticsExecutor.shutdownNow();
      }
    }
  }

  /** Opens the shop's log in {@code dir}, creating it if need be. */
  static LogTransport openLog(Path dir) throws IOException {
    LogDirectory directory =
        LogDirectory.open(
            dir,
            LogOptions.builder()
                .flushPolicy(FlushPolicy.interval(LOG_FLUSH_MILLIS))
                .appendQueueCapacity(LOG_QUEUE)
                .build());
    try {
      return LogTransport.builder(directory).codec(codec()).build();
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /** The payload codec of the shop's stored events: JSON, the shop's own classes allowed. */
  public static JsonPayloadCodec codec() {
    return JsonPayloadCodec.builder().allowPackages(ShopDemo.class.getPackageName()).build();
  }

  /** Reads the whole log in {@code dir}: the shop's state after every run so far. */
  static ShopHistory readLog(Path dir) throws IOException, InterruptedException {
    ShopHistory history = new ShopHistory();
    try (LogTransport transport = openLog(dir)) {
      transport.replay(history::add);
    }
    return history;
  }

  private static ExecutorService analyticsExecutor() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "shop-analytics");
          t.setDaemon(true);
          return t;
        });
  }

  private static ShopService create(
      String name, ShopContext shop, OrderBook book, ExecutorService analyticsExecutor) {
    return switch (name) {
      case "orders" -> new OrderService(shop, book);
      case "inventory" -> new InventoryService(shop);
      case "payment" -> new PaymentService(shop);
      case "shipping" -> new ShippingService(shop);
      case "notification" -> new NotificationService(shop);
      case "analytics" -> new AnalyticsService(shop, analyticsExecutor);
      default -> throw new IllegalArgumentException("no service named " + name);
    };
  }

  /**
   * What to wait for before the clock starts: on Kafka, every feed joined to its consumer group and
   * given its partitions, so that the latency measured is the shop's, not the groups' start-up.
   */
  private static Supplier<CompletableFuture<Void>> readiness(Transport transport) {
    return transport instanceof KafkaTransport kafka
        ? kafka::feedsAssigned
        : () -> CompletableFuture.completedFuture(null);
  }

  private static DemoReport run(
      ShopRun run,
      Set<String> services,
      String transportName,
      EventBus bus,
      DropLedger ledger,
      ShopHistory history,
      InventoryService.StockHistory stock,
      Path durableDir,
      Supplier<CompletableFuture<Void>> ready,
      Progress progress)
      throws IOException, InterruptedException {
    int orders = run.orders();
    long seed = run.seed();
    ShopScenario scenario = run.scenario();
    EventCounters counters = new EventCounters();
    OrderBook book = new OrderBook(orders);
    book.restore(history);
    ShopContext shop =
        new ShopContext(bus, counters, history, run, !"memory".equals(transportName), stock);
    ExecutorService analyticsExecutor = analyticsExecutor();
    try {
      OrderService orderService = new OrderService(shop, book);
      List<ShopService> started = new ArrayList<>();
      AnalyticsService analytics = null;
      for (String name : SERVICES) {
        if (services.contains(name)) {
          ShopService s =
              name.equals("orders") ? orderService : create(name, shop, book, analyticsExecutor);
          s.start();
          started.add(s);
          if (s instanceof AnalyticsService a) {
            analytics = a;
          }
        }
      }
      if (durableDir != null) {
        bus.emit(
            Event.builder(ShopEvents.RUN_STARTED)
                .source(ShopHistory.source("demo"))
                .data(new RunStarted(history.runs() + 1, orders, seed))
                .build());
      }

      long stallNanos = STALL_TIMEOUT.toNanos();
      long readyStart = System.nanoTime();
      awaitReady(ready.get(), stallNanos);
      long start = System.nanoTime();
      long readyNanos = start - readyStart;
      ProgressLine line =
          progress == null
              ? null
              : ProgressLine.start(progress, () -> status(orders, book, bus, start));
      StallNotice notice =
          StallNotice.start(
              () -> book.shipped() + book.cancelled(),
              book::stillOpen,
              STALL_NOTICE,
              STALL_TIMEOUT,
              stallHint(services, transportName),
              System.err);
      try {
        orderService.placeAll(scenario.orders(), stallNanos);
        book.awaitAllEnded(stallNanos);
      } finally {
        notice.close();
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
      // On the log the whole story, every run included, is in the log: read it back.
      ShopHistory after = durableDir == null ? null : readLog(durableDir);
      long ended = after == null ? book.shipped() + book.cancelled() : after.outcomes().size();
      long placedThisRun = book.placed() - history.placed().size();
      LossAudit audit =
          LossAudit.of(
              stats,
              orders - ended,
              shop.durable(),
              ledger,
              Set.of(AnalyticsService.SUBSCRIPTION),
              OrderService.DEAD_LETTERS);
      Histogram latency = book.latencyMicros();
      long analyticsDropped = ledger.dropped(AnalyticsService.SUBSCRIPTION, DropReason.OLDEST);
      long retries = 0;
      long delivered = 0;
      for (SubscriptionStats s : stats.subscriptions()) {
        retries += s.retried();
        delivered += s.delivered();
      }
      double seconds = Math.max(elapsedNanos, 1) / 1e9;
      // On the log, this run's orders are what it added to the log: the book also holds those of
      // the earlier runs, restored at start. Elsewhere there is no earlier run: the book's counts.
      DemoReport.ThisRun thisRun =
          new DemoReport.ThisRun(
              after == null ? book.placed() : after.placed().size() - history.placed().size(),
              after == null ? book.shipped() : after.shipped() - history.shipped(),
              after == null
                  ? book.cancelled()
                  : ended - history.outcomes().size() - (after.shipped() - history.shipped()),
              cancelledThisRun(book, history, after, OrderCancelled.Reason.OUT_OF_STOCK),
              cancelledThisRun(book, history, after, OrderCancelled.Reason.PAYMENT_DECLINED),
              cancelledThisRun(book, history, after, OrderCancelled.Reason.FAILED),
              after == null
                  ? book.notifiedOrders()
                  : after.notifiedOrders() - history.notifiedOrders(),
              book.ordersEndedTwice(),
              ShopScenario.oversoldUnits(scenario, book.shippedOrders()),
              stats.published(),
              delivered,
              ledger.deadLetters(),
              retries,
              analytics == null ? 0 : analytics.processedTotal(),
              analyticsDropped,
              audit.total(),
              audit,
              millis(latency.getValueAtPercentile(50)),
              millis(latency.getValueAtPercentile(99)),
              millis(latency.getMaxValue()),
              TimeUnit.NANOSECONDS.toMillis(elapsedNanos),
              TimeUnit.NANOSECONDS.toMillis(readyNanos),
              round(placedThisRun / seconds),
              round(publishedByThen / seconds),
              counters.skippedRedeliveries(),
              book.redelivered(),
              close.drained(),
              new TreeMap<>(close.undelivered()),
              close.threadsStopped(),
              eventRows(counters, analytics, ledger),
              serviceRows(stats, started));
      DemoReport.AllRuns allRuns =
          after == null
              ? null
              : new DemoReport.AllRuns(
                  durableDir.toString(),
                  after.runs(),
                  after.placed().size(),
                  after.shipped(),
                  ended - after.shipped(),
                  after.cancelled(OrderCancelled.Reason.OUT_OF_STOCK),
                  after.cancelled(OrderCancelled.Reason.PAYMENT_DECLINED),
                  after.cancelled(OrderCancelled.Reason.FAILED),
                  after.notifiedOrders(),
                  after.events(),
                  after.deadLetters(),
                  orders - ended,
                  after.duplicateOutcomes(),
                  after.duplicateNotifications(),
                  after.ordersEndedTwice(),
                  ShopScenario.oversoldUnits(scenario, after.shippedOrders()),
                  after.foreign());
      return new DemoReport(
          seed,
          orders,
          transportName,
          run.id(),
          List.copyOf(started.stream().map(ShopService::name).toList()),
          thisRun,
          allRuns);
    } finally {
      bus.close(CLOSE_TIMEOUT); // Idempotent: a no-op after a normal run.
      analyticsExecutor.shutdownNow();
    }
  }

  private static void awaitReady(CompletableFuture<Void> ready, long timeoutNanos)
      throws InterruptedException {
    try {
      ready.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a durable subscription failed to start", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "durable subscriptions not ready after "
              + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
              + " s",
          e);
    }
  }

  /** Orders this run cancelled for {@code reason}: on the log, the cancellations it added. */
  private static long cancelledThisRun(
      OrderBook book, ShopHistory before, ShopHistory after, OrderCancelled.Reason reason) {
    return after == null
        ? book.cancelled(reason)
        : after.cancelled(reason) - before.cancelled(reason);
  }

  /**
   * What a run waits for when no order ends: services elsewhere, if some run in other processes.
   */
  private static String stallHint(Set<String> services, String transportName) {
    if (services.containsAll(SERVICES.subList(1, SERVICES.size()))) {
      return "Every service runs in this process.";
    }
    return "Waiting for the services of other processes; if one died, start it again: on "
        + transportName
        + " its partitions move to the new process (or another member of its"
        + " groups) once the dead one's session times out ("
        + KAFKA_SESSION_TIMEOUT.toSeconds()
        + " s).";
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
    Map<String, Long> processed = analytics == null ? Map.of() : analytics.processed();
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
