package dev.herald.internal;

import dev.herald.Backpressure;
import dev.herald.Delivery;
import dev.herald.Event;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.SubscriptionStats;
import dev.herald.TimeSource;
import dev.herald.spi.Transport;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A subscription of the in-memory engine: a selector, a handler and one lane per unit of
 * concurrency. Thread-safe.
 */
final class SubscriptionImpl implements Subscription {
  /** Calls the user's handler with an event. */
  @FunctionalInterface
  interface Invoker {
    void invoke(Event<?> event) throws Exception;
  }

  final Engine engine;

  /** The bus's clock, for the lanes' waits and handler latencies. */
  final TimeSource time;

  final String name;

  /** The consumer group it was given (durable only on a bus with a transport), or null. */
  final String group;

  final Selector selector;
  final RetryPolicy retry;
  final Backpressure backpressure;
  final long blockNanos;

  /**
   * The outcome of most tracked deliveries: an immutable value, so one instance serves them all.
   */
  final Delivery handledFirstTime;

  final Lane[] lanes;

  /** Its place in the ring it shares with subscriptions selecting the same, or null. */
  final BroadcastRing.Member ringMember;

  private final Invoker invoker;

  /**
   * Why its feed stopped for good, as text; null while it has not. Written once, by the feed's
   * thread; read by stats().
   */
  volatile String feedFailure;

  private volatile boolean active = true;

  /** The transport's feed, for a durable subscription; null otherwise. */
  volatile Transport.Feed feed;

  /**
   * Stored records fed to it that did not decode, each dead-lettered for it at once (on the feed's
   * thread, never through a lane): counted as routed and dead-lettered, as any event it gave up on.
   */
  final AtomicLong undecodable = new AtomicLong();

  SubscriptionImpl(
      Engine engine,
      String name,
      Selector selector,
      SubscribeOptions options,
      Executor executor,
      Invoker invoker,
      BroadcastRing.Member ringMember) {
    this.engine = engine;
    this.time = engine.time();
    this.name = name;
    this.group = options.group();
    this.selector = selector;
    this.retry = options.retry();
    this.backpressure = options.backpressure();
    this.blockNanos = Durations.saturatedNanos(backpressure.timeout());
    this.invoker = invoker;
    this.handledFirstTime = new Delivery(name, Delivery.Outcome.HANDLED, 1, null, null);
    int n = options.concurrency();
    int perLane = Math.max(2, options.mailboxCapacity() / n);
    this.ringMember = ringMember;
    this.lanes = new Lane[n];
    if (ringMember != null) {
      if (n != 1) {
        throw new IllegalArgumentException("a ring member has one lane");
      }
      lanes[0] = new Lane(this, ringMember, executor);
    } else {
      for (int i = 0; i < n; i++) {
        lanes[i] = new Lane(this, perLane, executor);
      }
    }
  }

  void invoke(Event<?> event) throws Exception {
    invoker.invoke(event);
  }

  /**
   * The lane for {@code event}: by key when it has one, else by publishing thread, so that both
   * per-key and per-publisher order hold.
   */
  Lane laneFor(Event<?> event) {
    Lane[] l = lanes;
    if (l.length == 1) {
      return l[0];
    }
    String key = event.key();
    int h = key != null ? key.hashCode() : Long.hashCode(Thread.currentThread().getId());
    h ^= h >>> 16;
    return l[Math.floorMod(h, l.length)];
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean isActive() {
    return active;
  }

  /** True when none of its lanes holds, runs or waits to retry an event. */
  boolean isQuiet() {
    for (Lane lane : lanes) {
      if (!lane.isQuiet()) {
        return false;
      }
    }
    return true;
  }

  boolean markClosed() {
    boolean was = active;
    active = false;
    return was;
  }

  @Override
  public void close() {
    engine.unsubscribe(this);
  }

  @Override
  public SubscriptionStats stats() {
    long accepted = 0;
    long arrivalDrops = 0;
    long evicted = 0;
    long delivered = 0;
    long deadLettered = 0;
    long failed = 0;
    long retried = 0;
    long closedDrops = 0;
    long depth = 0;
    long max = 0;
    long[] counts = LatencyHistogram.newCounts();
    for (Lane lane : lanes) {
      // Finished counts first, then arrivals: a concurrent snapshot never shows more finished than
      // routed.
      delivered += lane.delivered();
      deadLettered += lane.deadLettered();
      failed += lane.failed();
      retried += lane.retried();
      closedDrops += lane.droppedClosed();
      evicted += lane.evicted.get();
      depth += lane.queue.size();
      accepted += lane.queue.offered();
      arrivalDrops += lane.droppedOnArrival.get();
      lane.latency.addTo(counts);
      max = Math.max(max, lane.latency.max());
    }
    long notDecoded = undecodable.get();
    deadLettered += notDecoded;
    long routed = accepted + arrivalDrops + notDecoded;
    long dropped = arrivalDrops + evicted + closedDrops;
    long inFlight = Math.max(0, routed - delivered - deadLettered - dropped);
    return new SubscriptionStats(
        name,
        routed,
        delivered,
        failed,
        retried,
        deadLettered,
        dropped,
        depth,
        inFlight,
        LatencyHistogram.percentile(counts, 50, max),
        LatencyHistogram.percentile(counts, 99, max),
        max,
        feed != null ? group : null,
        lagNow(),
        feedFailure);
  }

  /** The feed's lag, for a durable subscription; -1 otherwise or when unknown. */
  private long lagNow() {
    Transport.Feed f = feed;
    if (f == null) {
      return -1;
    }
    try {
      return f.lag();
    } catch (RuntimeException e) {
      return -1; // A statistic: a transport that cannot tell now does not fail the snapshot.
    }
  }

  @Override
  public String toString() {
    return "Subscription{" + name + " -> " + selector + '}';
  }
}
