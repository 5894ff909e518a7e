package dev.herald.contract.payloads;

/** What an older producer wrote as an {@link OrderPlaced}: the amount as text. */
public record LegacyOrderPlaced(String id, String amountCents) {}
