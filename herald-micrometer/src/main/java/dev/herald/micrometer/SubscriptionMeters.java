package dev.herald.micrometer;

import dev.herald.SubscriptionStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one subscription, tagged {@code subscription} and {@code group} ({@code "none"} for
 * an in-process one): its delivery counters and gauges, read from the latest snapshot of the bus's
 * stats that listed it, and its handler timers, recorded by {@link HeraldMetrics#aroundHandler}.
 * Thread-safe: the snapshot is replaced whole.
 */
final class SubscriptionMeters {
  /** The tag value of an in-process subscription's {@code group}. */
  static final String NO_GROUP = "none";

  private static final SubscriptionStats NONE_YET =
      new SubscriptionStats("", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, -1, null);

  final String name;

  /** The snapshot epoch current when these meters were made. */
  final long epoch;

  final Timer success;
  final Timer failure;

  private final HeraldMetrics metrics;
  private final List<Meter> registered = new ArrayList<>();
  // Kept after its subscription is gone, so that a counter never goes back.
  private volatile SubscriptionStats last = NONE_YET;

  SubscriptionMeters(
      HeraldMetrics metrics,
      String name,
      String group,
      long epoch,
      Tags common,
      MeterRegistry registry) {
    this.metrics = metrics;
    this.name = name;
    this.epoch = epoch;
    Tags tags = common.and("subscription", name, "group", group == null ? NO_GROUP : group);
    this.success = timer(tags, "success", registry);
    this.failure = timer(tags, "failure", registry);
    deliveries(tags, "delivered", SubscriptionStats::delivered, registry);
    deliveries(tags, "failed", SubscriptionStats::failed, registry);
    deliveries(tags, "retried", SubscriptionStats::retried, registry);
    deliveries(tags, "dead_lettered", SubscriptionStats::deadLettered, registry);
    deliveries(tags, "dropped", SubscriptionStats::dropped, registry);
    gauge(
        "herald.mailbox.depth",
        "Events waiting in the subscription's mailbox",
        tags,
        registry,
        SubscriptionStats::mailboxDepth);
    gauge(
        "herald.inflight",
        "Events routed to the subscription and not yet finished",
        tags,
        registry,
        SubscriptionStats::inFlight);
    if (group != null) {
      gauge(
          "herald.group.lag",
          "Events stored for the consumer group that this process's feed has not had"
              + " acknowledged",
          tags,
          registry,
          s -> s.lag() >= 0 ? s.lag() : Double.NaN);
    }
  }

  /** Takes the subscription's latest stats. */
  void update(SubscriptionStats stats) {
    last = stats;
  }

  /** Removes every meter of the subscription from {@code registry}. */
  void remove(MeterRegistry registry) {
    for (Meter m : registered) {
      registry.remove(m);
    }
  }

  private double read(ToDoubleFunction<SubscriptionStats> value) {
    metrics.readStats(false); // refreshes last when the snapshot is stale
    return value.applyAsDouble(last);
  }

  private Timer timer(Tags tags, String outcome, MeterRegistry registry) {
    Timer t =
        Timer.builder("herald.handler.duration")
            .description("Handler calls, by outcome")
            .tags(tags)
            .tag("outcome", outcome)
            .register(registry);
    registered.add(t);
    return t;
  }

  private void deliveries(
      Tags tags,
      String outcome,
      ToDoubleFunction<SubscriptionStats> value,
      MeterRegistry registry) {
    registered.add(
        FunctionCounter.builder("herald.deliveries", this, m -> m.read(value))
            .description(
                "The subscription's deliveries by outcome: events handled, dead-lettered or"
                    + " dropped; handler calls that threw; retries scheduled")
            .tags(tags)
            .tag("outcome", outcome)
            .register(registry));
  }

  private void gauge(
      String name,
      String description,
      Tags tags,
      MeterRegistry registry,
      ToDoubleFunction<SubscriptionStats> value) {
    registered.add(
        Gauge.builder(name, this, m -> m.read(value))
            .description(description)
            .tags(tags)
            .register(registry));
  }
}
