package dev.herald.examples.shop;

/** The customer paid {@code amountCents}; {@code paymentId} is the gateway's reference. */
public record PaymentCharged(
    String orderId, String customerId, long amountCents, String paymentId) {}
