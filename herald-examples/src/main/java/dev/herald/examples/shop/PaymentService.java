package dev.herald.examples.shop;

import dev.herald.Event;
import dev.herald.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Charges reserved orders through the {@link PaymentGateway}. A gateway timeout is retried with
 * exponential backoff; a declined card is not (the policy aborts on it), so the event goes to the
 * dead-letter channel and {@link OrderService} cancels the order.
 *
 * <p>An event waiting for its retry holds up its lane, so the subscription has several lanes, keyed
 * by order id: one order's backoff delays only the orders that share its lane.
 */
final class PaymentService extends ShopService {
  static final String SUBSCRIPTION = "payment.charge";
  static final int LANES = 8;
  static final RetryPolicy RETRY =
      RetryPolicy.exponential(5, Duration.ofMillis(1), Duration.ofMillis(20))
          .abortOn(PaymentGateway.PaymentDeclinedException.class);

  // Run id -> the gateway as that run's scenario plans it; lanes of the subscription share it.
  private final ConcurrentHashMap<String, PaymentGateway> gateways = new ConcurrentHashMap<>();

  PaymentService(ShopContext shop) {
    super(shop);
  }

  @Override
  String name() {
    return "payment";
  }

  @Override
  void start() {
    on(
        ShopEvents.STOCK_RESERVED,
        StockReserved.class,
        this::charge,
        FlowOptions.flow(SUBSCRIPTION, LANES).retry(RETRY));
  }

  private void charge(Event<StockReserved> event) throws Exception {
    StockReserved r = event.data();
    ShopRun run = ShopRun.require(event);
    PaymentGateway gateway =
        gateways.computeIfAbsent(run.id(), id -> new PaymentGateway(run.scenario()));
    // Idempotent per order: a retry after a failed publish does not charge twice.
    String paymentId = gateway.charge(r.orderId(), r.amountCents());
    emitCausedBy(
        event,
        ShopEvents.PAYMENT_CHARGED,
        new PaymentCharged(r.orderId(), r.customerId(), r.amountCents(), paymentId));
  }
}
