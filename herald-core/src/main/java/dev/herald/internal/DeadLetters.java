package dev.herald.internal;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.TimeSource;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The last outcome of an event a subscription gave up on: reports its {@link DeadLetter} to the
 * listener and publishes it on the bus, where subscriptions to {@link DeadLetter} take it (stored
 * first when the transport stores events). A dead letter nothing observes is logged. Called on the
 * lane's drainer thread, or on a transport's feed thread for a record that did not decode.
 */
final class DeadLetters {
  private final Publisher publisher;
  private final Router router;
  private final Subscriptions subscriptions;
  private final Observers observers;
  private final TimeSource time;
  private final String source;
  private final boolean storing;

  DeadLetters(
      Publisher publisher,
      Router router,
      Subscriptions subscriptions,
      Observers observers,
      TimeSource time,
      String source,
      boolean storing) {
    this.publisher = publisher;
    this.router = router;
    this.subscriptions = subscriptions;
    this.observers = observers;
    this.time = time;
    this.source = source;
    this.storing = storing;
  }

  /**
   * Reports and publishes the dead letter of {@code event}. Returns the dead letter's store future
   * when the transport stores it, else null.
   */
  CompletableFuture<Void> deadLetter(
      SubscriptionImpl s, Event<?> event, Throwable cause, int attempts) {
    Instant now = Instant.ofEpochMilli(time.epochMillis());
    DeadLetter dl =
        new DeadLetter(
            event, s.name, attempts, cause.getClass().getName(), cause.getMessage(), cause, now);
    observers.deadLettered(dl);
    boolean listenerTakesThem = observers.listenerTakesDeadLetters();
    if (DeadLetter.TYPE.equals(event.type())) {
      // A failing dead-letter handler: its dead letter is reported, not re-published.
      if (!listenerTakesThem) {
        observers.warn(
            () ->
                "dead-letter subscription '"
                    + s.name
                    + "' failed on the dead letter "
                    + Observers.describe(event)
                    + " after "
                    + attempts
                    + " attempt(s); it is not published again",
            cause);
      }
      return null;
    }
    Event<DeadLetter> letter =
        Event.<DeadLetter>causedBy(event, DeadLetter.TYPE)
            .source(source)
            .time(now)
            .data(dl)
            .build();
    if (!listenerTakesThem && !takenInProcess(letter)) {
      observers.warn(
          () ->
              "subscription '"
                  + s.name
                  + "' gave up on event "
                  + Observers.describe(event)
                  + " after "
                  + attempts
                  + " attempt(s); "
                  + (storing
                      ? "its dead letter is stored, but no subscription of this process takes it"
                      : "no subscription takes its dead letter")
                  + " (subscribe to DeadLetter.class, or observe BusListener.onDeadLetter)",
          cause);
    }
    return publisher.emitInternal(letter);
  }

  /**
   * Whether a subscription of this process, in-process or durable, would take the dead letter
   * {@code event}; without a transport, the unrouted channel takes what nothing else does.
   */
  private boolean takenInProcess(Event<?> event) {
    return router.hasRoute(event.type(), event.data())
        || (!storing && subscriptions.registry().unrouted.subs.length > 0)
        || subscriptions.durableTakes(event);
  }
}
