package dev.herald.cli;

/**
 * A {@code --from} or {@code --to} the target refused: not a position of its store, beyond its end,
 * or a bound the target cannot serve. The command answers it as a usage error (exit status 2), as
 * it does a value it can tell wrong before it opens the target.
 */
final class BadPosition extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BadPosition(String message) {
    super(message);
  }

  BadPosition(String message, Throwable cause) {
    super(message, cause);
  }
}
