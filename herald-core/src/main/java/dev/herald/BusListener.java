package dev.herald;

/**
 * Observes what happens to events, so metrics and tracing (Micrometer, OpenTelemetry) can be bound
 * without a dependency in core. Every method has an empty default.
 *
 * <p>Called synchronously on the thread where the thing happens: the publisher's thread for drops
 * on arrival and unrouted events, a delivery thread for the others. Keep it fast and non-blocking.
 * An exception thrown by a listener is counted and logged (at {@code WARNING}, through {@link
 * System.Logger} under the logger name {@code dev.herald.bus.listener}), never propagated into
 * delivery.
 */
public interface BusListener {
  /**
   * An event matched no subscription of this process and was not stored by a transport: it went
   * nowhere but to the unrouted channel. Not called for an event stored for durable subscriptions.
   */
  default void onUnrouted(Event<?> event) {}

  /** An event routed to {@code subscription} was dropped. */
  default void onDropped(String subscription, Event<?> event, DropReason reason) {}

  /** The handler of {@code subscription} was called and finished, after {@code attempts} tries. */
  default void onHandled(String subscription, Event<?> event, int attempts, long latencyNanos) {}

  /** A handler call failed; {@code willRetry} says whether a retry is scheduled. */
  default void onHandlerFailure(
      String subscription, Event<?> event, Throwable cause, int attempt, boolean willRetry) {}

  /**
   * The transport failed to store an event (an I/O error, a full disk, a broker's refusal). A
   * tracked publish also fails with {@code cause}; for {@code emit} this is the only report.
   */
  default void onStoreFailed(Event<?> event, Throwable cause) {}

  /** An event was given up on. */
  default void onDeadLetter(DeadLetter deadLetter) {}

  /**
   * The transport's feed of a durable subscription stopped for good ({@code subscription} receives
   * nothing more until it is made again); its unacknowledged events stay stored.
   */
  default void onFeedFailed(String subscription, Throwable cause) {}

  /** No-op listener. */
  static BusListener none() {
    return NoopListener.INSTANCE;
  }
}

/** The listener that observes nothing. */
final class NoopListener implements BusListener {
  static final NoopListener INSTANCE = new NoopListener();

  private NoopListener() {}
}
