package dev.herald.examples.shop;

/** A customer ordered {@code quantity} of {@code sku} for {@code amountCents} in all. */
public record OrderPlaced(
    String orderId, String customerId, String sku, int quantity, long amountCents) {}
