package dev.herald;

/**
 * A request was refused because as many requests of the bus as it allows already wait for a reply
 * ({@link Herald.Builder#maxPendingRequests}). Nothing was sent; the request may be tried again
 * once others have ended (answered, timed out or failed).
 */
public class TooManyRequestsException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int limit;

  public TooManyRequestsException(int limit) {
    super(
        limit
            + " requests already wait for a reply, as many as the bus allows; wait for some to end,"
            + " or give the bus a larger Herald.Builder.maxPendingRequests(n)");
    this.limit = limit;
  }

  /** How many requests may wait for a reply at a time. */
  public int limit() {
    return limit;
  }
}
