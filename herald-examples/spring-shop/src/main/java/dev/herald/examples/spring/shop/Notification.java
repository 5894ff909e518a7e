package dev.herald.examples.spring.shop;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Subscribe;
import dev.herald.examples.spring.shop.ShopEvents.CustomerNotified;
import dev.herald.examples.spring.shop.ShopEvents.OrderCancelled;
import dev.herald.examples.spring.shop.ShopEvents.OrderShipped;
import org.springframework.stereotype.Service;

/**
 * Tells the customer how each order ended: shipped or cancelled. Each method has a consumer group
 * of its own: two subscriptions in one group would share its events as two members of a Kafka
 * consumer group do, each seeing only its partitions.
 */
@Service
public class Notification {
  private final EventBus bus;
  private final HandledOrders handled = new HandledOrders();

  public Notification(EventBus bus) {
    this.bus = bus;
  }

  @Subscribe(type = ShopEvents.ORDER_SHIPPED, group = "notification-shipped")
  void shipped(Event<OrderShipped> event) {
    notify(event, event.data().orderId(), "shipped");
  }

  @Subscribe(type = ShopEvents.ORDER_CANCELLED, group = "notification-cancelled")
  void cancelled(Event<OrderCancelled> event) {
    notify(event, event.data().orderId(), "cancelled");
  }

  private void notify(Event<?> cause, String orderId, String outcome) {
    if (handled.add(orderId)) {
      bus.emit(
          Event.causedBy(cause, ShopEvents.CUSTOMER_NOTIFIED)
              .data(new CustomerNotified(orderId, outcome))
              .build());
    }
  }

  public HandledOrders handled() {
    return handled;
  }
}
