package dev.herald.server.internal;

/**
 * A webhook delivery that failed: the target answered a status other than 2xx ({@link #status()}),
 * or could not be reached ({@code -1}). A failed attempt: the subscription's retry policy decides,
 * then the event is dead-lettered with this class as {@code causeType}.
 */
class WebhookDeliveryException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;

  WebhookDeliveryException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status the target answered, or -1 when it answered none. */
  int status() {
    return status;
  }
}
