package dev.herald;

import java.util.List;

/**
 * The subscriptions {@link EventBus#register(Object)} made for one listener object, one per {@link
 * Subscribe} method, ended together. Thread-safe.
 */
public interface Registration extends AutoCloseable {
  /** The listener object that was registered. */
  Object listener();

  /**
   * The subscriptions, in the order of the listener's methods by name, then parameter type, then
   * subclass before superclass. Unmodifiable.
   */
  List<Subscription> subscriptions();

  /**
   * Unsubscribes every subscription of the listener, as {@link Subscription#close()} does each:
   * events already in their mailboxes are still delivered. Idempotent; never throws.
   */
  @Override
  void close();
}
