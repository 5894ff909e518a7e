package dev.herald.contract.payloads;

/**
 * Another payload class under the same event type, which an {@link OrderPlaced} subscription never
 * takes.
 */
public record RefundIssued(String id, long amountCents) {}
