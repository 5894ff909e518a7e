package dev.herald;

/** Why an event routed to a subscription was not handed to its handler. */
public enum DropReason {
  /** The mailbox was full and the policy is {@link Backpressure.Kind#DROP_NEWEST}. */
  NEWEST,
  /** A newer event evicted this one under {@link Backpressure.Kind#DROP_OLDEST}. */
  OLDEST,
  /** The mailbox was full and the publish failed ({@code FAIL}, or {@code BLOCK} timed out). */
  REJECTED,
  /** The bus closed before the event could be delivered. */
  CLOSED
}
