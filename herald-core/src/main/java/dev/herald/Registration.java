package dev.herald;

import java.util.List;

/**
 * The subscriptions {@link EventBus#register(Object)} made for one listener object, one per {@link
 * Subscribe} method, ended together. Thread-safe.
 */
public interface Registration extends AutoCloseable {
  /** The listener object that was registered. */
  Object listener();

  /** The subscriptions, in the order of the listener's methods by name and parameter type. */
  List<Subscription> subscriptions();

  /** Unsubscribes every subscription of the listener. Idempotent. */
  @Override
  void close();
}
