package dev.herald.examples.shop;

import dev.herald.Event;
import dev.herald.EventBus;
import java.util.HashMap;
import java.util.Map;

/**
 * Reserves stock for placed orders, first come first served: {@code stock.reserved} when enough is
 * left, {@code stock.rejected} otherwise. Reservations of orders cancelled later are not returned to
 * stock, so that what is rejected depends on the seed alone and not on when cancellations land.
 *
 * <p>Its one subscription has one lane: the stock maps are touched by one handler call at a time,
 * and orders are reserved in the order they were placed. Stock is kept per run ({@link ShopRun}), so
 * a service process may serve one run after another.
 */
final class InventoryService extends ShopService {
  // Run id -> units left per SKU. Each run of the shop has shelves of its own.
  private final Map<String, Map<String, Integer>> stockByRun = new HashMap<>();
  private final ShopContext shop;

  InventoryService(ShopContext shop) {
    super(shop);
    this.shop = shop;
  }

  /** The shelves of {@code run}, stocked from its scenario on first use. */
  private Map<String, Integer> stock(ShopRun run) {
    return stockByRun.computeIfAbsent(
        run.id(),
        id -> {
          Map<String, Integer> stock = new HashMap<>(run.scenario().initialStock());
          if (run.equals(shop.run())) {
            // What earlier runs of this shop on the log reserved is gone from the shelves.
            shop.history().reserved().forEach((sku, qty) -> stock.merge(sku, -qty, Integer::sum));
          }
          return stock;
        });
  }

  @Override
  String name() {
    return "inventory";
  }

  @Override
  void start() {
    on(
        ShopEvents.ORDER_PLACED,
        OrderPlaced.class,
        this::reserve,
        FlowOptions.flow("inventory.reserve"));
  }

  private void reserve(Event<OrderPlaced> event) {
    OrderPlaced o = event.data();
    Map<String, Integer> stock = stock(ShopRun.require(event));
    int available = stock.getOrDefault(o.sku(), 0);
    if (available < o.quantity()) {
      emitCausedBy(
          event,
          ShopEvents.STOCK_REJECTED,
          new StockRejected(o.orderId(), o.customerId(), o.sku(), o.quantity(), available));
      return;
    }
    stock.put(o.sku(), available - o.quantity());
    emitCausedBy(
        event,
        ShopEvents.STOCK_RESERVED,
        new StockReserved(o.orderId(), o.customerId(), o.sku(), o.quantity(), o.amountCents()));
  }
}
