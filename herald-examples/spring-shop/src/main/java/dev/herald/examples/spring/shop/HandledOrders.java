package dev.herald.examples.spring.shop;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The orders a service has handled, by id: what the shop's tests and its start-up report read.
 * Delivery is at least once, so a set: an order handled twice counts once. Thread-safe.
 */
public final class HandledOrders {
  private final Set<String> ids = ConcurrentHashMap.newKeySet();

  /** Records {@code orderId}; true if it was not handled before. */
  boolean add(String orderId) {
    return ids.add(orderId);
  }

  /** The ids handled so far. */
  public Set<String> ids() {
    return Set.copyOf(ids);
  }
}
