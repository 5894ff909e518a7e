package dev.herald;

/** A request matched no subscription, so nobody could answer it. */
public class NoResponderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NoResponderException(String type) {
    super("no responder for request type '" + type + "'");
  }
}
