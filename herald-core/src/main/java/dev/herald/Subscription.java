package dev.herald;

/**
 * A live subscription. Thread-safe. {@link #close()} unsubscribes: events published after it
 * returns are not routed here; events already in the mailbox are still delivered. Closing twice is
 * harmless; a handler may close its own subscription.
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
