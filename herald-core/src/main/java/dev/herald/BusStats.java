package dev.herald;

import java.util.List;

/**
 * A snapshot of a bus's counters: {@code published == routed + unrouted}, where an event is routed
 * when it matched at least one subscription.
 *
 * @param published events accepted by publish or emit
 * @param routed events that matched at least one subscription
 * @param unrouted events that matched none, sent to the unrouted channel
 * @param storeFailed events the transport failed to store (see {@link BusListener#onStoreFailed})
 * @param subscriptions a snapshot per live subscription
 */
public record BusStats(
    long published,
    long routed,
    long unrouted,
    long storeFailed,
    List<SubscriptionStats> subscriptions) {
  public BusStats {
    subscriptions = List.copyOf(subscriptions);
  }

  /** The snapshot of the subscription with this name, or null. */
  public SubscriptionStats subscription(String name) {
    for (SubscriptionStats s : subscriptions) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
