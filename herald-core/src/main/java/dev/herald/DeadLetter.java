package dev.herald;

import java.time.Instant;
import java.util.Objects;

/**
 * An event that a subscription gave up on after its last attempt. Dead letters are published on the
 * bus as events of type {@value #TYPE} with this record as payload, so they are subscribed to like
 * any event ({@code bus.subscribe(DeadLetter.class, ...)}) and redriven with {@link
 * EventBus#redrive(DeadLetter)}.
 *
 * @param event the event as it was published: for a consumer group that got a record naming no
 *     class (a CloudEvent posted over HTTP, say) as an instance of its class, the record as stored,
 *     decoded as for a subscription that names no class, so that nothing its class lacks is lost
 * @param subscription the name of the subscription that failed
 * @param attempts how many times its handler was called
 * @param causeType the class name of the last failure
 * @param causeMessage the message of the last failure, possibly null
 * @param cause the last failure itself, when it happened in this process; null otherwise
 * @param time when the event was dead-lettered
 */
public record DeadLetter(
    Event<?> event,
    String subscription,
    int attempts,
    String causeType,
    String causeMessage,
    Throwable cause,
    Instant time) {
  /** The type of the events that carry dead letters. */
  public static final String TYPE = "herald.deadletter";

  public DeadLetter {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(subscription, "subscription");
    Objects.requireNonNull(causeType, "causeType");
    Objects.requireNonNull(time, "time");
  }

  @Override
  public String toString() {
    return "DeadLetter{event="
        + event.id()
        + ", type="
        + event.type()
        + ", subscription="
        + subscription
        + ", attempts="
        + attempts
        + ", cause="
        + causeType
        + (causeMessage == null ? "" : ": " + causeMessage)
        + '}';
  }
}
