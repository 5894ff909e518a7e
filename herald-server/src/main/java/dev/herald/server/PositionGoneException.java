package dev.herald.server;

/**
 * Events after a position were deleted by retention: a reader cannot resume there without a gap.
 */
public final class PositionGoneException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String earliest;

  public PositionGoneException(String position, String earliest) {
    super(
        "events after position "
            + position
            + " were deleted by retention; the earliest kept is "
            + earliest);
    this.earliest = earliest;
  }

  /** The position of the earliest event the store still holds, or {@code "earliest"}. */
  public String earliest() {
    return earliest;
  }
}
