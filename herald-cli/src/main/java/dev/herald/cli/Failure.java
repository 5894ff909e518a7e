package dev.herald.cli;

/**
 * A command could not do its work for a reason the user can act on (a server that refused, a
 * directory in use, a port taken): {@link Main} prints the message as one line and exits with 1,
 * with no stack trace unless {@code --verbose}.
 */
final class Failure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  Failure(String message) {
    super(message);
  }

  Failure(String message, Throwable cause) {
    super(message, cause);
  }
}
