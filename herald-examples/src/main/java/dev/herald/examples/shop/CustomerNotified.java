package dev.herald.examples.shop;

/** The customer was sent {@code message} about the order. */
public record CustomerNotified(String orderId, String customerId, String message) {}
