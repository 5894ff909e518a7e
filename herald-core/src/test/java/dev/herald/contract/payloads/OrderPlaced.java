package dev.herald.contract.payloads;

/** An order was placed; {@code amountCents} is a number, so a text amount cannot become one. */
public record OrderPlaced(String id, long amountCents) {}
