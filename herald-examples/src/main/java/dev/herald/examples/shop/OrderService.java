package dev.herald.examples.shop;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventHandler;
import dev.herald.MailboxFullException;
import dev.herald.SubscribeOptions;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Places orders and follows each one to its end: shipped, or cancelled when inventory rejects it or
 * another service dead-letters one of its events. At most {@link FlowOptions#WINDOW} orders are
 * open at once; an order's slot is freed when its customer has been notified.
 *
 * <p>{@link #placeAll} runs on the caller's thread (never a delivery thread, so a full mailbox
 * makes it wait rather than fail); the handlers run on the bus's delivery threads.
 */
final class OrderService extends ShopService {
  static final String DEAD_LETTERS = "orders.deadletters";

  private final OrderBook book;
  private final Semaphore window = new Semaphore(FlowOptions.WINDOW);

  private final ShopRun run;

  OrderService(ShopContext shop, OrderBook book) {
    super(shop);
    this.book = book;
    this.run = shop.run();
    // Orders of earlier runs whose customer has not heard yet are open: they hold their slots.
    window.acquireUninterruptibly(
        (int) (shop.history().placed().size() - shop.history().notifiedOrders()));
  }

  @Override
  String name() {
    return "orders";
  }

  @Override
  void start() {
    // Other runs' events (other order placers on the same cluster) are none of this run's business.
    on(
        ShopEvents.ORDER_SHIPPED,
        OrderShipped.class,
        ours(this::ended),
        FlowOptions.flow("orders.shipped"));
    on(
        ShopEvents.ORDER_CANCELLED,
        OrderCancelled.class,
        ours(this::ended),
        FlowOptions.flow("orders.cancelled"));
    on(
        ShopEvents.STOCK_REJECTED,
        StockRejected.class,
        ours(this::outOfStock),
        FlowOptions.flow("orders.rejected"));
    on(
        ShopEvents.CUSTOMER_NOTIFIED,
        CustomerNotified.class,
        ours(
            e -> {
              // Once per order: a notification delivered again after a restart frees no slot.
              if (book.notified(e.data().orderId(), e.id())) {
                window.release();
              }
            }),
        FlowOptions.flow("orders.notified"));
    SubscribeOptions dl = durable(FlowOptions.flow(DEAD_LETTERS));
    track(bus.subscribe(DeadLetter.class, this::deadLetter, dl));
  }

  /**
   * Places every order, in list order, waiting for a free slot when {@link FlowOptions#WINDOW}
   * orders are open. Stops early, returning how many were placed, if no slot frees up for {@code
   * stallNanos} or inventory's mailbox stays full for {@link FlowOptions#BLOCK_TIMEOUT}.
   */
  int placeAll(List<OrderPlaced> orders, long stallNanos) throws InterruptedException {
    int placed = 0;
    for (OrderPlaced order : orders) {
      if (history.placed().containsKey(order.orderId())) {
        placed++; // placed by an earlier run, which the log remembers
        continue;
      }
      if (!window.tryAcquire(stallNanos, TimeUnit.NANOSECONDS)) {
        return placed;
      }
      book.placed(order, System.nanoTime());
      try {
        // The order id is the flow's correlation id: every effect inherits it through causedBy.
        emit(
            Event.<OrderPlaced>builder(ShopEvents.ORDER_PLACED)
                // Placing an order of this run is the "effect" of the run: the same id every time.
                .id(effectId(run.id(), name(), order.orderId()))
                // Keyed by SKU: inventory owns stock per SKU, so all orders of one SKU go to one
                // key lane or partition, and reach its one owner in the order placed here.
                .key(order.sku())
                .correlationId(run.correlationId(order.orderId()))
                .source(ShopHistory.source(name()))
                .data(order)
                .build());
      } catch (MailboxFullException e) {
        // Inventory had no room for BLOCK_TIMEOUT: stop; the order stays open and counts as lost.
        return placed + 1;
      }
      placed++;
    }
    return placed;
  }

  /**
   * Waits until no order is open any more (every customer notified), at most {@code stallNanos}.
   * True if so.
   */
  boolean awaitIdle(long stallNanos) throws InterruptedException {
    if (!window.tryAcquire(FlowOptions.WINDOW, stallNanos, TimeUnit.NANOSECONDS)) {
      return false;
    }
    window.release(FlowOptions.WINDOW);
    return true;
  }

  private <T> EventHandler<T> ours(EventHandler<T> handler) {
    return event -> {
      if (run.owns(event)) {
        handler.handle(event);
      }
    };
  }

  private void ended(Event<? extends OrderOutcome> event) {
    book.ended(event.id(), event.data(), System.nanoTime());
  }

  private void outOfStock(Event<StockRejected> event) {
    StockRejected r = event.data();
    if (!book.claimEnd(r.orderId())) {
      return;
    }
    emitCausedBy(
        event,
        ShopEvents.ORDER_CANCELLED,
        new OrderCancelled(
            r.orderId(),
            r.customerId(),
            OrderCancelled.Reason.OUT_OF_STOCK,
            r.sku() + ": " + r.available() + " left, " + r.requested() + " wanted"));
  }

  /** Cancels the open order whose event a service gave up on; other dead letters are ignored. */
  private void deadLetter(DeadLetter dl) {
    counters.delivered(DeadLetter.TYPE);
    Event<?> failed = dl.event();
    if (!run.owns(failed)) {
      return;
    }
    // Not the key: order.placed is keyed by SKU.
    String orderId = run.orderId(failed);
    String customerId = orderId == null ? null : book.openCustomer(orderId);
    // One outcome per order: a payment retried after a restart can dead-letter the same order
    // twice.
    if (customerId == null || !book.claimEnd(orderId)) {
      return;
    }
    boolean declined =
        PaymentGateway.PaymentDeclinedException.class.getName().equals(dl.causeType());
    emitCausedBy(
        failed,
        ShopEvents.ORDER_CANCELLED,
        orderId,
        new OrderCancelled(
            orderId,
            customerId,
            declined ? OrderCancelled.Reason.PAYMENT_DECLINED : OrderCancelled.Reason.FAILED,
            dl.subscription() + ": " + dl.causeType() + " after " + dl.attempts() + " attempt(s)"));
  }
}
