package dev.herald.examples.shop;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A simulated card gateway, the external system behind {@link PaymentService}. It times out or
 * declines as the {@link ShopScenario} planned for each order, and is idempotent per order id (a
 * second charge of a paid order returns the first payment id), as real gateways are with an
 * idempotency key. Thread-safe.
 */
final class PaymentGateway {
  /** The gateway did not answer in time: worth trying again. */
  static final class GatewayTimeoutException extends Exception {
    private static final long serialVersionUID = 1L;

    GatewayTimeoutException(String orderId, int attempt) {
      super(
          "gateway timeout charging " + orderId + " (attempt " + attempt + ")", null, false, false);
    }
  }

  /** The card was declined: trying again will not help. */
  static final class PaymentDeclinedException extends Exception {
    private static final long serialVersionUID = 1L;

    PaymentDeclinedException(String orderId) {
      super("card declined for " + orderId, null, false, false);
    }
  }

  private final ShopScenario scenario;
  private final ConcurrentHashMap<String, Integer> attempts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> payments = new ConcurrentHashMap<>();

  PaymentGateway(ShopScenario scenario) {
    this.scenario = scenario;
  }

  /** Charges an order and returns the payment id. */
  String charge(String orderId, long amountCents)
      throws GatewayTimeoutException, PaymentDeclinedException {
    String paid = payments.get(orderId);
    if (paid != null) {
      return paid;
    }
    ShopScenario.PaymentPlan plan = scenario.paymentPlan(orderId);
    if (plan.declined()) {
      throw new PaymentDeclinedException(orderId);
    }
    if (plan.transientFailures() > 0) {
      int attempt = attempts.merge(orderId, 1, Integer::sum);
      if (attempt <= plan.transientFailures()) {
        throw new GatewayTimeoutException(orderId, attempt);
      }
      attempts.remove(orderId);
    }
    String paymentId = "pay-" + orderId.substring(2) + "-" + amountCents;
    payments.put(orderId, paymentId);
    return paymentId;
  }
}
