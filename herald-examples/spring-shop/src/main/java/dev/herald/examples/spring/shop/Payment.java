package dev.herald.examples.spring.shop;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Subscribe;
import dev.herald.examples.spring.shop.ShopEvents.PaymentCharged;
import dev.herald.examples.spring.shop.ShopEvents.StockReserved;
import org.springframework.stereotype.Service;

/** Charges the customer once the goods are reserved. */
@Service
public class Payment {
  private final EventBus bus;
  private final HandledOrders handled = new HandledOrders();

  public Payment(EventBus bus) {
    this.bus = bus;
  }

  @Subscribe(type = ShopEvents.STOCK_RESERVED, group = "payment")
  void charge(Event<StockReserved> event) {
    StockReserved stock = event.data();
    if (handled.add(stock.orderId())) {
      bus.emit(
          Event.causedBy(event, ShopEvents.PAYMENT_CHARGED)
              .data(new PaymentCharged(stock.orderId(), stock.cents()))
              .build());
    }
  }

  public HandledOrders handled() {
    return handled;
  }
}
