package dev.herald.examples.spring.shop;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Subscribe;
import dev.herald.examples.spring.shop.ShopEvents.OrderCancelled;
import dev.herald.examples.spring.shop.ShopEvents.OrderPlaced;
import dev.herald.examples.spring.shop.ShopEvents.StockReserved;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/** Reserves stock for each order placed, or cancels the order when too little is left. */
@Service
public class Inventory {
  private final EventBus bus;
  private final int stockPerSku;
  private final Map<String, Integer> reserved = new ConcurrentHashMap<>();
  private final HandledOrders handled = new HandledOrders();

  public Inventory(EventBus bus, @Value("${shop.stock-per-sku:1000000}") int stockPerSku) {
    this.bus = bus;
    this.stockPerSku = stockPerSku;
  }

  @Subscribe(type = ShopEvents.ORDER_PLACED, group = "inventory")
  void reserve(Event<OrderPlaced> event) {
    OrderPlaced order = event.data();
    if (!handled.add(order.orderId())) {
      return;
    }
    int after = reserved.merge(order.sku(), order.quantity(), Integer::sum);
    if (after <= stockPerSku) {
      bus.emit(
          Event.causedBy(event, ShopEvents.STOCK_RESERVED)
              .data(
                  new StockReserved(order.orderId(), order.sku(), order.quantity(), order.cents()))
              .build());
    } else {
      reserved.merge(order.sku(), -order.quantity(), Integer::sum);
      bus.emit(
          Event.causedBy(event, ShopEvents.ORDER_CANCELLED)
              .data(new OrderCancelled(order.orderId(), "out of stock"))
              .build());
    }
  }

  public HandledOrders handled() {
    return handled;
  }
}
