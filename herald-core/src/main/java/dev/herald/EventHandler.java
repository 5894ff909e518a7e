package dev.herald;

/**
 * Handles whole events, envelope included. Called on a delivery thread of Herald's (or of the
 * executor the subscription was given), never concurrently with itself unless the subscription
 * asked for concurrency. A thrown exception is a failed attempt: the subscription's {@link
 * RetryPolicy} decides whether to try again or to dead-letter the event.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface EventHandler<T> {
  void handle(Event<T> event) throws Exception;
}
