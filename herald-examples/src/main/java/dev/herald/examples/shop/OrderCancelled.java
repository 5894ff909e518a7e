package dev.herald.examples.shop;

/** The order ended without shipping, for {@code reason}; {@code detail} says more. */
public record OrderCancelled(String orderId, String customerId, Reason reason, String detail)
    implements OrderOutcome {

  /** Why an order was cancelled. */
  public enum Reason {
    /** Inventory rejected it. */
    OUT_OF_STOCK,
    /** The payment gateway declined the card: a permanent failure, dead-lettered at once. */
    PAYMENT_DECLINED,
    /** Some other step gave up on it (a dead letter of another kind). */
    FAILED
  }
}
