package dev.herald;

import java.util.List;

/**
 * What became of a published event: whether the bus's transport stored it, and the outcome at every
 * subscription of this process that it was routed to. Available once the transport has stored the
 * event (on a storing transport) and every one of those subscriptions has finished with it.
 *
 * <p>Durable subscriptions (those with a {@link SubscribeOptions#group consumer group}) are fed
 * from the store, in this process or in another, now or later: a publish does not wait for them and
 * their outcomes are not in {@link #deliveries()}. For them, {@link #stored()} is the outcome.
 *
 * <p>Each published event is exactly one of: routed (it matched a subscription of this process, and
 * may be stored too), stored only (it matched none, and the transport stored it for durable
 * subscriptions), or {@link #unrouted()} (it matched none and was not stored: it went nowhere but
 * to the unrouted channel). {@link BusStats} counts the same three.
 *
 * @param event the event
 * @param deliveries one entry per subscription of this process that took the event, in no
 *     particular order: the matching subscriptions, or, when the event is unrouted, the {@link
 *     EventBus#subscribeUnrouted unrouted channel}'s; empty when nothing in this process took it
 * @param stored true if the bus's transport stored the event (a publish whose store fails completes
 *     exceptionally instead); false on a bus without a transport
 * @param unrouted true if the event matched no subscription of this process and was not stored
 */
public record PublishResult(
    Event<?> event, List<Delivery> deliveries, boolean stored, boolean unrouted) {
  public PublishResult {
    deliveries = List.copyOf(deliveries);
    if (stored && unrouted) {
      throw new IllegalArgumentException("a stored event is not unrouted");
    }
  }

  /** True if every subscription in {@link #deliveries()} handled the event successfully. */
  public boolean allHandled() {
    for (Delivery d : deliveries) {
      if (d.outcome() != Delivery.Outcome.HANDLED) {
        return false;
      }
    }
    return true;
  }
}
