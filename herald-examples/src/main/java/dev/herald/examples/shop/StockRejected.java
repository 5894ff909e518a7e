package dev.herald.examples.shop;

/** Too few {@code sku} in stock: {@code available} left, {@code requested} wanted. */
public record StockRejected(
    String orderId, String customerId, String sku, int requested, int available) {}
