package dev.herald.cli;

/**
 * A value given on the command line that only the store or the gateway could judge, and refused: a
 * position that is none of theirs, beyond their end, or a bound the target cannot serve. {@link
 * Main} reports it as picocli reports a bad option (one line naming the option and what it takes,
 * then the command's usage) and exits with 2.
 */
final class UsageError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** {@code message} names the option first: {@code "--to 0.0.99: beyond the end"}. */
  UsageError(String message) {
    super(message);
  }

  /** As {@link #UsageError(String)}, with the store's or the gateway's refusal as the cause. */
  UsageError(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * {@code option} refused for {@code reason}, the store's or the gateway's words. Those begin
   * {@code "position: "} when they name the value by its kind; the option's name says it here.
   */
  static UsageError of(String option, String reason, Throwable cause) {
    String prefix = "position: ";
    String why = reason.startsWith(prefix) ? reason.substring(prefix.length()) : reason;
    return new UsageError(option + ": " + why, cause);
  }

  /** A {@code --from} refused for {@code reason}, with what {@code --from} takes. */
  static UsageError from(String reason, Throwable cause) {
    UsageError e = of("--from", reason, cause);
    if (e.getMessage().contains("earliest")) {
      return e;
    }
    return new UsageError(
        e.getMessage() + "; --from takes earliest, latest or a position that tail printed", cause);
  }
}
