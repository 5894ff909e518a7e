package dev.herald.examples.shop;

import dev.herald.Event;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reserves stock for placed orders, first come first served: {@code stock.reserved} when enough of
 * the SKU is left on its {@link Shelves}, {@code stock.rejected} otherwise. Reservations of orders
 * cancelled later are not returned to stock. Shelves are kept per run ({@link ShopRun}), each SKU
 * starting from the run's initial stock, so a service process may serve one run after another.
 *
 * <p>Stock is owned per SKU: {@code order.placed} is keyed by SKU, so on the log and on Kafka the
 * orders of one SKU travel in one key lane or partition, in the order they were placed, and one
 * member of the inventory group decides them all. The storefront places orders from one thread, so
 * each SKU's orders come in the customers' sequence on every transport, and the same seed gives the
 * same decisions everywhere.
 *
 * <p>The owner of a SKU knows what was decided for it before it took it over: at start-up from the
 * history the log replayed ({@link ShopHistory#stockDecisions}), and on Kafka, each time the group
 * hands this process partitions (a member joined, left or died), by reading the decisions stored
 * since, before the next order is decided ({@link StockHistory}). What it decided itself it keeps,
 * stored yet or not. An order delivered again gets the decision it got the first time, from this
 * process or another; one whose decision is already stored publishes nothing again.
 */
final class InventoryService extends ShopService {
  /** The name of inventory's subscription, and of its consumer group. */
  static final String RESERVE = "inventory.reserve";

  /**
   * Where inventory learns what other members of its group decided: the store, read again whenever
   * this process has been given SKUs that another member may have decided until now.
   */
  interface StockHistory {
    /** A number that changes each time this process is given partitions of inventory's group. */
    long assignments();

    /** Every decision stored so far, in store order. */
    List<ShopHistory.StockDecision> read();
  }

  // Run id -> its shelves. Guarded by this.
  private final Map<String, Shelves> shelves = new HashMap<>();
  // Null when no other process decides any SKU (in-memory bus, the log's single back office).
  private final StockHistory stock;
  // The assignments already caught up with. Guarded by this.
  private long learntAssignments;

  InventoryService(ShopContext shop) {
    super(shop);
    this.stock = shop.stock();
    learn(history.stockDecisions());
    this.learntAssignments = stock == null ? 0 : Long.MIN_VALUE;
  }

  @Override
  String name() {
    return "inventory";
  }

  @Override
  void start() {
    on(ShopEvents.ORDER_PLACED, OrderPlaced.class, this::reserve, FlowOptions.flow(RESERVE));
  }

  // Synchronized: a catch-up must not interleave with a decision (one lane on every transport, so
  // this costs nothing).
  private synchronized void reserve(Event<OrderPlaced> event) {
    OrderPlaced o = event.data();
    ShopRun run = ShopRun.require(event);
    catchUp();
    Shelves shelves = shelves(run);
    if (shelves.stored(o.orderId())) {
      // Decided by a member that died before acknowledging: its effect is stored, and flows on.
      counters.skippedRedelivery();
      return;
    }
    Shelves.Decision d = shelves.decide(o);
    // Effects are keyed by order id, like every event downstream of inventory.
    if (!d.reserved()) {
      emitCausedBy(
          event,
          ShopEvents.STOCK_REJECTED,
          o.orderId(),
          new StockRejected(o.orderId(), o.customerId(), o.sku(), o.quantity(), d.available()));
      return;
    }
    emitCausedBy(
        event,
        ShopEvents.STOCK_RESERVED,
        o.orderId(),
        new StockReserved(o.orderId(), o.customerId(), o.sku(), o.quantity(), o.amountCents()));
  }

  /** Reads the store again if this process was given partitions since it last did. */
  private void catchUp() {
    if (stock == null) {
      return;
    }
    long now = stock.assignments();
    if (now != learntAssignments) {
      learn(stock.read());
      learntAssignments = now;
    }
  }

  private void learn(List<ShopHistory.StockDecision> decisions) {
    for (ShopHistory.StockDecision d : decisions) {
      shelves(d.run()).learn(d.decision());
    }
  }

  private Shelves shelves(ShopRun run) {
    return shelves.computeIfAbsent(run.id(), id -> new Shelves(run.scenario().initialStock()));
  }
}
