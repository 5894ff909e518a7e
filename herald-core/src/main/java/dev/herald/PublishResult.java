package dev.herald;

import java.util.List;

/**
 * What became of a published event at every subscription it was routed to. Available once every
 * one of them has finished with the event.
 *
 * @param event the event
 * @param deliveries one entry per matching subscription, in no particular order; empty if unrouted
 */
public record PublishResult(Event<?> event, List<Delivery> deliveries) {
  public PublishResult {
    deliveries = List.copyOf(deliveries);
  }

  /** True if no subscription matched the event. */
  public boolean unrouted() {
    return deliveries.isEmpty();
  }

  /** True if every matching subscription handled the event successfully. */
  public boolean allHandled() {
    for (Delivery d : deliveries) {
      if (d.outcome() != Delivery.Outcome.HANDLED) {
        return false;
      }
    }
    return true;
  }
}
