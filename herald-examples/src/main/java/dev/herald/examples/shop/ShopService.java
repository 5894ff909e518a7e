package dev.herald.examples.shop;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.EventHandler;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A service of the shop: a few subscriptions on an {@link EventBus} and the events they publish.
 * Services know nothing but the bus interface, so the same classes run on the in-memory engine, a
 * durable log or Kafka, and any subset of them can be started in a process.
 *
 * <p>Subscription names are {@code <service>.<purpose>}; the summary groups the bus's counters by
 * the part before the dot.
 *
 * <p>Delivery is at least once on the storing transports: after a process dies, what it had not
 * acknowledged is delivered again, to its successor or to another member of the group. Handlers are
 * idempotent by event id in two ways. An effect's id is a function of its cause's id, its service
 * and its type ({@link #effectId}), so handling an event twice, in any process, publishes the same
 * event twice, never two different ones; and a service handles each event id once per process, and
 * not at all when the store held its effect when the process started (the log replayed, or on Kafka
 * the events topic read: {@link ShopHistory#handled}). So a redelivery stops at the first service
 * downstream that already saw it.
 */
abstract class ShopService implements AutoCloseable {
  protected final EventBus bus;
  protected final EventCounters counters;
  protected final ShopHistory history;
  private final boolean durable;
  private final List<Subscription> subscriptions = new ArrayList<>();
  // Ids of the events this service handled in this process. Grows with the events served: a demo's
  // runs, not a server's life.
  private final Set<String> handledHere = ConcurrentHashMap.newKeySet();

  ShopService(ShopContext shop) {
    this.bus = shop.bus();
    this.counters = shop.counters();
    this.history = shop.history();
    this.durable = shop.durable();
  }

  /** The service's name, the prefix of its subscriptions' names. */
  abstract String name();

  /** Subscribes the service's handlers. Called once, before any order is placed. */
  abstract void start();

  /**
   * Subscribes {@code handler} to {@code type}, counting each event it finishes. On a durable shop
   * the subscription is durable, its consumer group named after it. An event this service already
   * handled, in this process or before it started (its effect is in the store: {@link
   * ShopHistory#handled}), is acknowledged without calling the handler again.
   */
  protected final <T> void on(
      String type, Class<T> payloadType, EventHandler<T> handler, SubscribeOptions options) {
    subscriptions.add(
        bus.subscribe(
            type,
            payloadType,
            event -> {
              if (handledHere.contains(event.id()) || history.handled(name(), event.id())) {
                counters.skippedRedelivery();
                return;
              }
              handler.handle(event);
              handledHere.add(event.id());
              counters.delivered(event.type());
            },
            durable(options)));
  }

  /** {@code options}, made durable (group = subscription name) when the shop is. */
  protected final SubscribeOptions durable(SubscribeOptions options) {
    return durable ? options.group(options.name()) : options;
  }

  /** Adds a subscription made some other way, so that {@link #close()} ends it. */
  protected final void track(Subscription subscription) {
    subscriptions.add(subscription);
  }

  /**
   * Publishes the effect of {@code cause}: same key and correlation id, the cause's id as causation
   * id, this service as source (which {@link ShopHistory} reads back), and an id derived from these
   * ({@link #effectId}). Emitted without tracking; a refusal is thrown to the calling handler,
   * whose retry policy decides.
   */
  protected final <T> void emitCausedBy(Event<?> cause, String type, T payload) {
    emitCausedBy(cause, type, cause.key(), payload);
  }

  /** {@link #emitCausedBy(Event, String, Object)} under another key than the cause's. */
  protected final <T> void emitCausedBy(Event<?> cause, String type, String key, T payload) {
    emit(
        Event.<T>causedBy(cause, type)
            .id(effectId(cause.id(), name(), type))
            .key(key)
            .source(ShopHistory.source(name()))
            .data(payload)
            .build());
  }

  /**
   * The id of the {@code type} event that {@code service} publishes on handling event {@code
   * causeId}: the same wherever and however often the cause is handled, so that a redelivered cause
   * makes a copy of its effect, which its consumers recognise, rather than a second effect. A name
   * based UUID (version 3) of the three.
   */
  static String effectId(String causeId, String service, String type) {
    return UUID.nameUUIDFromBytes(
            (causeId + '|' + service + '|' + type).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  protected final void emit(Event<?> event) {
    bus.emit(event);
    counters.published(event.type());
  }

  /** Unsubscribes every handler of the service. */
  @Override
  public void close() {
    for (Subscription s : subscriptions) {
      s.close();
    }
  }
}
