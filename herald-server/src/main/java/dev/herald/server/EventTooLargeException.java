package dev.herald.server;

/**
 * The store refused an event because its record, the event as stored (its data with its attributes
 * and the store's own framing), is larger than the store's largest record: answered 413. An {@link
 * IllegalArgumentException}, as every event the store cannot take.
 */
public final class EventTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message says the size and the limit
   */
  public EventTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
