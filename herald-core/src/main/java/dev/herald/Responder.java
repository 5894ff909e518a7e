package dev.herald;

/**
 * Answers a request (see {@link EventBus#request}). The returned value is sent back as the reply; a
 * thrown exception fails the requester's future with a {@link RemoteFailureException}.
 *
 * @param <T> the request payload type
 */
@FunctionalInterface
public interface Responder<T> {
  Object respond(Event<T> request) throws Exception;
}
