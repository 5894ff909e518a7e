package dev.herald.server;

/** The store pushed back (a full append queue, a broker's throttle): try again later. */
public final class StoreBusyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreBusyException(String message, Throwable cause) {
    super(message, cause);
  }
}
