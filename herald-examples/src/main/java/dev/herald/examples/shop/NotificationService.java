package dev.herald.examples.shop;

import dev.herald.Event;
import java.util.concurrent.atomic.LongAdder;

/** Tells customers how their orders ended, and counts the messages it sent. */
final class NotificationService extends ShopService {
  private final LongAdder sent = new LongAdder();

  NotificationService(ShopContext shop) {
    super(shop);
  }

  @Override
  String name() {
    return "notification";
  }

  @Override
  void start() {
    on(
        ShopEvents.ORDER_SHIPPED,
        OrderShipped.class,
        e -> tell(e, "shipped with " + e.data().carrier() + ", " + e.data().trackingNumber()),
        FlowOptions.flow("notification.shipped"));
    on(
        ShopEvents.ORDER_CANCELLED,
        OrderCancelled.class,
        e -> tell(e, "cancelled: " + e.data().reason()),
        FlowOptions.flow("notification.cancelled"));
  }

  private void tell(Event<? extends OrderOutcome> event, String message) {
    OrderOutcome o = event.data();
    emitCausedBy(
        event,
        ShopEvents.CUSTOMER_NOTIFIED,
        new CustomerNotified(o.orderId(), o.customerId(), "Order " + o.orderId() + " " + message));
    sent.increment();
  }

  /** Messages sent so far. */
  long sent() {
    return sent.sum();
  }
}
