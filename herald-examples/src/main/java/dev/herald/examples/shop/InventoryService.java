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
 * <p>Its one subscription has one lane: the stock map is touched by one handler call at a time, and
 * orders are reserved in the order they were placed.
 */
final class InventoryService extends ShopService {
  private final Map<String, Integer> stock;

  InventoryService(ShopContext shop, Map<String, Integer> initialStock) {
    super(shop);
    this.stock = new HashMap<>(initialStock);
    // What earlier runs reserved is gone from the shelves.
    shop.history().reserved().forEach((sku, qty) -> stock.merge(sku, -qty, Integer::sum));
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
