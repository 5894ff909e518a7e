package dev.herald.examples.shop;

import dev.herald.Event;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reserves stock for placed orders, first come first served in the customers' sequence: {@code
 * stock.reserved} when enough is left, {@code stock.rejected} otherwise. Which orders come first is
 * their order number, whatever order the transport delivers them in ({@link StockLedger}), so any
 * inventory process, handling an order for the first time or again after a crash, decides the same,
 * and stock is never promised twice. Reservations of orders cancelled later are not returned to
 * stock. Ledgers are kept per run ({@link ShopRun}), so a service process may serve one run after
 * another.
 */
final class InventoryService extends ShopService {
  // Run id -> its ledger. Each run of the shop has shelves of its own.
  private final ConcurrentHashMap<String, StockLedger> ledgers = new ConcurrentHashMap<>();

  InventoryService(ShopContext shop) {
    super(shop);
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
    ShopRun run = ShopRun.require(event);
    StockLedger ledger =
        ledgers.computeIfAbsent(run.id(), id -> StockLedger.of(run.scenario()));
    if (!ledger.reserves(o)) {
      emitCausedBy(
          event,
          ShopEvents.STOCK_REJECTED,
          new StockRejected(o.orderId(), o.customerId(), o.sku(), o.quantity(), ledger.availableAtTurn(o)));
      return;
    }
    emitCausedBy(
        event,
        ShopEvents.STOCK_RESERVED,
        new StockReserved(o.orderId(), o.customerId(), o.sku(), o.quantity(), o.amountCents()));
  }
}
