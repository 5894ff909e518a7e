package dev.herald;

/**
 * A live subscription. Thread-safe. {@link #close()} unsubscribes: events published after it
 * returns are not routed here; events already in the mailbox are still delivered. Closing twice is
 * harmless; a handler may close its own subscription.
 *
 * <p>A handler that must stop sooner closes its subscription and then throws {@link
 * InterruptedException} for the event it was handling and for each one it is given after: such an
 * event is left undelivered, as close leaves it ({@link DropReason#CLOSED}): neither retried nor
 * dead-lettered, and a stored one is not acknowledged, so it is delivered again after a restart.
 */
public interface Subscription extends AutoCloseable {
  /** The subscription's name. */
  String name();

  /** Whether the subscription still receives new events. */
  boolean isActive();

  /** A snapshot of its counters. */
  SubscriptionStats stats();

  /** Unsubscribes. Never throws. */
  @Override
  void close();
}
