package dev.herald.examples.spring.shop;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Subscribe;
import dev.herald.examples.spring.shop.ShopEvents.OrderShipped;
import dev.herald.examples.spring.shop.ShopEvents.PaymentCharged;
import org.springframework.stereotype.Service;

/** Ships each paid order. */
@Service
public class Shipping {
  private final EventBus bus;
  private final HandledOrders handled = new HandledOrders();

  public Shipping(EventBus bus) {
    this.bus = bus;
  }

  @Subscribe(type = ShopEvents.PAYMENT_CHARGED, group = "shipping")
  void ship(Event<PaymentCharged> event) {
    String orderId = event.data().orderId();
    if (handled.add(orderId)) {
      bus.emit(
          Event.causedBy(event, ShopEvents.ORDER_SHIPPED)
              .data(new OrderShipped(orderId, "parcel-" + orderId))
              .build());
    }
  }

  public HandledOrders handled() {
    return handled;
  }
}
