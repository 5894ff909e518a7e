package dev.herald;

/**
 * What became of one event at one subscription.
 *
 * @param subscription the subscription's name
 * @param outcome handled, dead-lettered or dropped
 * @param attempts how many times the handler was called (0 when dropped)
 * @param dropReason why it was dropped; null unless {@code outcome == DROPPED}
 * @param failure the last handler failure; null when handled or dropped
 */
public record Delivery(
    String subscription, Outcome outcome, int attempts, DropReason dropReason, Throwable failure) {

  /** The final states of a delivery. */
  public enum Outcome {
    HANDLED,
    DEAD_LETTERED,
    DROPPED
  }
}
