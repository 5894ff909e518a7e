package dev.herald.examples.shop;

/** The order left the warehouse with {@code carrier}, tracked as {@code trackingNumber}. */
public record OrderShipped(String orderId, String customerId, String carrier, String trackingNumber)
    implements OrderOutcome {}
