package dev.herald.examples.shop;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.EventHandler;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import java.util.ArrayList;
import java.util.List;

/**
 * A service of the shop: a few subscriptions on an {@link EventBus} and the events they publish.
 * Services know nothing but the bus interface, so the same classes run on the in-memory engine, a
 * durable log or Kafka, and any subset of them can be started in a process.
 *
 * <p>Subscription names are {@code <service>.<purpose>}; the summary groups the bus's counters by
 * the part before the dot.
 */
abstract class ShopService implements AutoCloseable {
  protected final EventBus bus;
  protected final EventCounters counters;
  protected final ShopHistory history;
  private final boolean durable;
  private final List<Subscription> subscriptions = new ArrayList<>();

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
   * the subscription is durable, its consumer group named after it, and an event this service
   * already handled in an earlier run (its effect is in the log: {@link ShopHistory#handled}) is
   * acknowledged without calling the handler again.
   */
  protected final <T> void on(
      String type, Class<T> payloadType, EventHandler<T> handler, SubscribeOptions options) {
    subscriptions.add(
        bus.subscribe(
            type,
            payloadType,
            event -> {
              if (history.handled(name(), event.id())) {
                counters.skippedRedelivery();
                return;
              }
              handler.handle(event);
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
   * Publishes the effect of {@code cause}: same key (the order id) and correlation id, the cause's
   * id as causation id, this service as source (which {@link ShopHistory} reads back). Emitted without tracking; a refusal is thrown to the calling handler, whose
   * retry policy decides.
   */
  protected final <T> void emitCausedBy(Event<?> cause, String type, T payload) {
    emit(Event.<T>causedBy(cause, type).source(ShopHistory.source(name())).data(payload).build());
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
