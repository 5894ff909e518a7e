package dev.herald.examples.shop;

/**
 * The goods of an order are set aside. Carries what payment needs (customer and amount), so that
 * payment never asks another service.
 */
public record StockReserved(
    String orderId, String customerId, String sku, int quantity, long amountCents) {}
