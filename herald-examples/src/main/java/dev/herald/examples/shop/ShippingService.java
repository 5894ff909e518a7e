package dev.herald.examples.shop;

import dev.herald.Event;

/** Ships paid orders: {@code payment.charged} in, {@code order.shipped} out. */
final class ShippingService extends ShopService {
  private static final String[] CARRIERS = {"DHL", "UPS", "PostNL", "GLS"};

  ShippingService(ShopContext shop) {
    super(shop);
  }

  @Override
  String name() {
    return "shipping";
  }

  @Override
  void start() {
    on(
        ShopEvents.PAYMENT_CHARGED,
        PaymentCharged.class,
        this::ship,
        FlowOptions.flow("shipping.ship"));
  }

  private void ship(Event<PaymentCharged> event) {
    PaymentCharged p = event.data();
    String carrier = CARRIERS[Math.floorMod(p.orderId().hashCode(), CARRIERS.length)];
    emitCausedBy(
        event,
        ShopEvents.ORDER_SHIPPED,
        new OrderShipped(p.orderId(), p.customerId(), carrier, "TRK" + p.orderId().substring(2)));
  }
}
