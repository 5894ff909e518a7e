package dev.herald;

/**
 * Handles the payload of an event, for subscriptions that do not need the envelope. Same threading
 * and failure contract as {@link EventHandler}.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface PayloadHandler<T> {
  void handle(T payload) throws Exception;
}
