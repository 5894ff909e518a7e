package dev.herald.examples.shop;

/** How an order ended: shipped or cancelled. Every order ends in exactly one of them. */
public sealed interface OrderOutcome permits OrderShipped, OrderCancelled {
  String orderId();

  String customerId();
}
