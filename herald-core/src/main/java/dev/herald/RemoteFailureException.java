package dev.herald;

/** The responder to a request failed; the message carries its error. */
public class RemoteFailureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RemoteFailureException(String message) {
    super(message);
  }
}
