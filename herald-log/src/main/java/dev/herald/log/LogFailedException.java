package dev.herald.log;

/**
 * The log refuses writes because an earlier write or fsync failed; its cause is that first failure.
 * Nothing after the failure was acknowledged. Close and reopen the log to recover.
 */
public final class LogFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LogFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
