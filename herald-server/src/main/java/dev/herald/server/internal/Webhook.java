package dev.herald.server.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.EventBus;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.TimeSource;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook subscription of this gateway: its definition, its handler ({@link WebhookDelivery})
 * and, while active, its durable subscription on the store's bus, in consumer group {@link
 * WebhookDefinition#group()} and named after it (so that a redrive of its dead letters reaches it,
 * in this process or another). Its handler runs on a thread of its own, {@code
 * herald-webhook-<id>}, made on demand and ended after 30 s idle: a slow target or a {@code
 * Retry-After} wait holds that thread only, never one of the bus's workers.
 *
 * <p>States: {@code active} (subscribed), {@code gone} (the target answered 410: unsubscribed for
 * good, listed until deleted), {@code failed} (restored at start but could not subscribe; {@link
 * #detail}). Threads: {@link #start} and {@link #stop} by the gateway under its lock; {@link
 * #markGone} from the handler's thread; the rest from any.
 */
final class Webhook {
  /** A mailbox this small bounds what is redelivered after a crash or dead-lettered after a 410. */
  static final int MAILBOX = 64;

  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.webhooks");

  final WebhookDefinition def;
  final WebhookDelivery delivery;
  private volatile ThreadPoolExecutor executor;
  private volatile Subscription subscription;
  private volatile String detail;
  // Set once the 410 is handled: unsubscribed and its record stored (or found failing to store).
  private volatile boolean goneRecorded;
  // How many webhooks of the gateway are subscribed: up here, down when deleted, gone or stopped.
  private final LongAdder subscribedCount;
  private final AtomicBoolean subscribed = new AtomicBoolean();

  /**
   * @param gone whether it was stopped by a 410 before (restored as such)
   * @param onGone told, on the handler's thread, once the target answered 410
   */
  Webhook(
      WebhookDefinition def,
      WebhookClient client,
      TimeSource time,
      LongAdder subscribedCount,
      boolean gone,
      Consumer<Webhook> onGone) {
    this.def = def;
    this.subscribedCount = subscribedCount;
    this.delivery =
        new WebhookDelivery(
            def,
            client,
            time,
            gone,
            () -> {
              markGone();
              onGone.accept(this);
              goneRecorded = true;
            });
    this.goneRecorded = gone;
  }

  /**
   * Subscribes to the bus.
   *
   * @throws IllegalArgumentException if the bus refuses (a live subscription has the group's name)
   */
  void start(EventBus bus) {
    ThreadPoolExecutor ex =
        new ThreadPoolExecutor(
            0,
            1,
            30,
            TimeUnit.SECONDS,
            // Unbounded in type only: the subscription's one lane queues itself at most once.
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "herald-webhook-" + def.id());
              t.setDaemon(true);
              return t;
            });
    // Set before subscribing: the first delivery may come back 410 before subscribe returns.
    executor = ex;
    Subscription s;
    try {
      s =
          bus.subscribe(
              def.types(),
              delivery,
              SubscribeOptions.defaults()
                  .name(def.group())
                  .group(def.group())
                  .mailboxCapacity(MAILBOX)
                  .retry(WebhookDelivery.busRetryPolicy(def))
                  .executor(ex));
    } catch (RuntimeException e) {
      ex.shutdownNow();
      throw e;
    }
    subscription = s;
    subscribed.set(true);
    subscribedCount.increment();
    if (delivery.isGone()) {
      // The handler saw a 410 before the subscription was assigned: markGone could not close it.
      unsubscribe();
    }
  }

  /**
   * Stops the handler and unsubscribes: a pending wait (backoff or {@code Retry-After}) ends and
   * the request in flight is abandoned at once, its connection closed. That event, and those still
   * in the subscription's mailbox, are left undelivered (neither retried nor dead-lettered) and
   * unacknowledged: they stay stored for the group, whose next member gets them (a new gateway over
   * the same store, or a new webhook naming the group). The target may have received the abandoned
   * request: delivery is at least once. Returns at once; the thread ends within a moment, once the
   * bus has handed it what the mailbox held.
   */
  void stop() {
    // The handler first, told to throw once the subscription is closed: closing it waits for the
    // events the handler holds on Kafka (up to the transport's close timeout), not on the log.
    Subscription s = subscription;
    delivery.stop(() -> s == null || !s.isActive());
    unsubscribe();
    ThreadPoolExecutor ex = executor;
    if (ex != null) {
      // Not shut down: the bus may still hand it the lane (a retry due at the moment of the stop),
      // whose events are then left undelivered; a rejected lane would hold the bus's close until
      // its timeout. Not interrupted either: an interrupt must never reach code that may be
      // reading the log's files (an interrupted FileChannel closes for every reader). Its thread
      // ends once idle.
      ex.setKeepAliveTime(1, TimeUnit.MILLISECONDS);
    }
  }

  /** The target answered 410: unsubscribe. On the handler's thread. */
  private void markGone() {
    unsubscribe();
    ThreadPoolExecutor ex = executor;
    if (ex != null) {
      // Not shutdownNow: this is the executor's own thread, still finishing this event.
      ex.shutdown();
    }
    LOG.info("webhook {}: {} answered 410 Gone; subscription stopped", def.id(), def.url());
  }

  private void unsubscribe() {
    Subscription s = subscription;
    if (s != null) {
      s.close();
      if (subscribed.compareAndSet(true, false)) {
        subscribedCount.decrement();
      }
    }
  }

  void failed(String why) {
    detail = why;
  }

  String state() {
    if (detail != null) {
      return "failed";
    }
    return goneRecorded ? "gone" : "active";
  }

  String detail() {
    return detail;
  }

  /** The API's shape, with state and counters. */
  ObjectNode toJson() {
    ObjectNode n = def.toJson();
    n.put("state", state());
    n.put("created", def.created().toString());
    n.put("delivered", delivery.delivered());
    n.put("failed", delivery.failed());
    Subscription s = subscription;
    n.put("deadLettered", s == null ? 0 : s.stats().deadLettered());
    int last = delivery.lastStatus();
    if (last == 0) {
      n.putNull("lastStatus");
    } else {
      n.put("lastStatus", last);
    }
    if (delivery.lastError() != null) {
      n.put("lastError", delivery.lastError());
    }
    if (detail != null) {
      n.put("detail", detail);
    }
    return n;
  }
}
