package dev.herald.server.internal;

import dev.herald.server.EventTooLargeException;
import dev.herald.server.StoreBusyException;
import dev.herald.server.StoreUnavailableException;
import java.time.DateTimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Why a publish was refused, as the {@link ApiError} the client gets: an invalid event is a 400
 * naming its attribute (read from the message of {@link dev.herald.Event.Builder}'s or {@link
 * dev.herald.codec.CloudEventsStructured}'s validation, which starts with the attribute or quotes
 * it), an event too large for the store's records a 413, a store that pushes back a 429, a store
 * that cannot store a 503. Stateless.
 */
final class PublishRefusals {
  /** The {@code Retry-After} (seconds) suggested when the store pushes back. */
  static final int RETRY_AFTER_SECONDS = 1;

  private PublishRefusals() {}

  /** A 400 for an event that breaks a CloudEvents or Herald rule. */
  static ApiError invalid(RuntimeException e) {
    if (e instanceof ApiError a) {
      return a;
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof DateTimeException) {
      return ApiError.badRequest("time", "time: not an RFC 3339 timestamp: " + message);
    }
    return ApiError.badRequest(attribute(message), message);
  }

  /**
   * The attribute a validation message names: {@code "type: ..."}, {@code "extension name 'x':
   * ..."}, {@code "... attribute 'id'"}, {@code "... specversion ..."}; null when it names none.
   */
  static String attribute(String message) {
    if (message.startsWith("extension name '") || message.startsWith("extension '")) {
      int open = message.indexOf('\'');
      int close = message.indexOf('\'', open + 1);
      return close > open ? message.substring(open + 1, close) : "extensions";
    }
    if (message.startsWith("extension name:") || message.startsWith("extensions:")) {
      return "extensions";
    }
    int colon = message.indexOf(':');
    if (colon > 0) {
      String head = message.substring(0, colon);
      switch (head) {
        case "id",
            "type",
            "source",
            "time",
            "subject",
            "datacontenttype",
            "data",
            "data_base64" -> {
          return head;
        }
        case "key" -> {
          return "partitionkey";
        }
        default -> {}
      }
    }
    int quoted = message.indexOf("attribute '");
    if (quoted >= 0) {
      int start = quoted + "attribute '".length();
      int end = message.indexOf('\'', start);
      if (end > start) {
        return message.substring(start, end);
      }
    }
    if (message.contains("specversion")) {
      return "specversion";
    }
    if (message.contains("data_base64") || message.contains("data") && message.contains("JSON")) {
      return "data";
    }
    if (message.startsWith("extension '")) {
      return "extensions";
    }
    return null;
  }

  /**
   * The refusal for a failed append (wrapped or not): 429 when the store pushed back, 503 when it
   * cannot store or did not answer within {@value PublishApi#STORE_WAIT_SECONDS} s, 413 when the
   * event as stored would exceed the store's largest record, 400 when it refused the event itself
   * (its data cannot be encoded).
   *
   * @throws RuntimeException the failure itself when it is none of these (a 500)
   */
  static ApiError storeFailure(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof TimeoutException) {
      return new ApiError(
          503, "the store did not answer within " + PublishApi.STORE_WAIT_SECONDS + " s");
    }
    if (t instanceof StoreBusyException) {
      return new ApiError(429, t.getMessage());
    }
    if (t instanceof StoreUnavailableException) {
      return new ApiError(503, t.getMessage());
    }
    if (t instanceof EventTooLargeException) {
      // The body limit bounds the data; the record adds the attributes, so an event under the body
      // limit may still be over the store's: too large all the same, not invalid.
      return new ApiError(413, t.getMessage());
    }
    if (t instanceof IllegalArgumentException) {
      return ApiError.badRequest("data", "the store refused the event: " + t.getMessage());
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    throw new IllegalStateException("the store failed: " + t, t);
  }
}
