package dev.herald.micrometer;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.Backpressure;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.MailboxFullException;
import dev.herald.PublishResult;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The meters of an in-process bus, read from a {@link SimpleMeterRegistry}. */
class HeraldMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  // A snapshot lives no time: each read sees the bus as it is.
  private final HeraldMetrics metrics =
      new HeraldMetrics(Tags.of("bus", "shop"), Clock.SYSTEM, Duration.ZERO);
  private EventBus bus;

  @AfterEach
  void close() {
    if (bus != null) {
      assertThat(bus.close(Duration.ofSeconds(10)).drained()).isTrue();
    }
  }

  @Test
  void countsEachOutcomePerSubscriptionAndTimesEveryHandlerCall() throws Exception {
    metrics.bindTo(registry);
    bus = Herald.builder().interceptor(metrics).build();
    bus.subscribe("t.ok", e -> {}, SubscribeOptions.defaults().name("ok"));
    AtomicInteger flakyCalls = new AtomicInteger();
    bus.subscribe(
        "t.flaky",
        e -> {
          if (flakyCalls.getAndIncrement() == 0) {
            throw new IllegalStateException("first call fails");
          }
        },
        SubscribeOptions.defaults()
            .name("flaky")
            .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(1))));
    bus.subscribe(
        "t.doomed",
        e -> {
          throw new IllegalStateException("always fails");
        },
        SubscribeOptions.defaults().name("doomed").retry(RetryPolicy.none()));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    bus.subscribe(
        "t.full",
        e -> {
          started.countDown();
          release.await();
        },
        SubscribeOptions.defaults()
            .name("full")
            .mailboxCapacity(2)
            .backpressure(Backpressure.fail()));

    for (int i = 0; i < 3; i++) {
      bus.publish("t.ok", i).get(10, SECONDS);
    }
    bus.publish("t.flaky", 1).get(10, SECONDS);
    bus.publish("t.doomed", 1).get(10, SECONDS);
    // The handler holds the first event and the mailbox the next two: the fourth finds it full.
    List<CompletableFuture<PublishResult>> accepted = new ArrayList<>();
    accepted.add(bus.publish("t.full", 1));
    assertThat(started.await(10, SECONDS)).isTrue();
    accepted.add(bus.publish("t.full", 2));
    accepted.add(bus.publish("t.full", 3));
    CompletableFuture<PublishResult> refused = bus.publish("t.full", 4);
    assertThatThrownBy(() -> refused.get(10, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(MailboxFullException.class);
    assertThat(gauge("herald.mailbox.depth", "full")).isEqualTo(2);
    assertThat(gauge("herald.inflight", "full")).isEqualTo(3);
    release.countDown();
    for (CompletableFuture<PublishResult> f : accepted) {
      f.get(10, SECONDS);
    }

    assertThat(deliveries("ok", "delivered")).isEqualTo(3);
    assertThat(deliveries("flaky", "failed")).isEqualTo(1);
    assertThat(deliveries("flaky", "retried")).isEqualTo(1);
    assertThat(deliveries("flaky", "delivered")).isEqualTo(1);
    assertThat(deliveries("doomed", "failed")).isEqualTo(1);
    assertThat(deliveries("doomed", "dead_lettered")).isEqualTo(1);
    assertThat(deliveries("doomed", "delivered")).isZero();
    assertThat(deliveries("full", "delivered")).isEqualTo(3);
    assertThat(deliveries("full", "dropped")).isEqualTo(1);
    assertThat(gauge("herald.mailbox.depth", "full")).isZero();
    assertThat(gauge("herald.inflight", "full")).isZero();

    assertThat(timerCount("ok", "success")).isEqualTo(3);
    assertThat(timerCount("ok", "failure")).isZero();
    assertThat(timerCount("flaky", "success")).isEqualTo(1);
    assertThat(timerCount("flaky", "failure")).isEqualTo(1);
    assertThat(timerCount("doomed", "failure")).isEqualTo(1);
    assertThat(timerCount("full", "success")).isEqualTo(3);

    // 3 + 1 + 1 + 4 publishes and the bus's dead letter, which nobody takes (unrouted).
    assertThat(counter("herald.events.published")).isEqualTo(10);
    assertThat(counter("herald.events.routed")).isEqualTo(9);
    assertThat(counter("herald.events.unrouted")).isEqualTo(1);
    assertThat(counter("herald.events.stored")).isZero();
    assertThat(counter("herald.store.failures")).isZero();
    assertThat(registry.get("herald.dropped").tag("reason", "rejected").functionCounter().count())
        .isEqualTo(1);
    assertThat(registry.get("herald.dropped").tag("reason", "newest").functionCounter().count())
        .isZero();
    // An in-process subscription has no consumer group, hence no lag gauge.
    assertThat(registry.find("herald.group.lag").meters()).isEmpty();
    assertThat(registry.get("herald.deliveries").tag("subscription", "ok").meter().getId())
        .satisfies(
            id -> {
              assertThat(id.getTag("group")).isEqualTo("none");
              assertThat(id.getTag("bus")).isEqualTo("shop");
            });
  }

  @Test
  void aRegistryBoundAfterPublishingGetsTheBusTotalsAndTimesLaterCalls() throws Exception {
    bus = Herald.builder().interceptor(metrics).build();
    bus.subscribe("t.ok", e -> {}, SubscribeOptions.defaults().name("ok"));
    for (int i = 0; i < 4; i++) {
      bus.publish("t.ok", i).get(10, SECONDS);
    }
    metrics.bindTo(registry);
    assertThat(counter("herald.events.published")).isEqualTo(4);
    assertThat(deliveries("ok", "delivered")).isEqualTo(4);
    // The timer counts the calls made once a registry is bound: none yet.
    assertThat(timerCount("ok", "success")).isZero();
    bus.publish("t.ok", 5).get(10, SECONDS);
    assertThat(timerCount("ok", "success")).isEqualTo(1);
    assertThat(deliveries("ok", "delivered")).isEqualTo(5);
  }

  @Test
  void twoRegistriesEachGetEveryMeter() throws Exception {
    SimpleMeterRegistry other = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    bus = Herald.builder().interceptor(metrics).build();
    metrics.bindTo(other);
    metrics.bindTo(other); // twice is harmless
    bus.subscribe("t.ok", e -> {}, SubscribeOptions.defaults().name("ok"));
    for (int i = 0; i < 3; i++) {
      bus.publish("t.ok", i).get(10, SECONDS);
    }
    for (MeterRegistry r : List.of(registry, other)) {
      assertThat(r.get("herald.events.published").functionCounter().count()).isEqualTo(3);
      assertThat(
              r.get("herald.deliveries")
                  .tags("subscription", "ok", "outcome", "delivered")
                  .functionCounter()
                  .count())
          .isEqualTo(3);
      assertThat(
              r.get("herald.handler.duration")
                  .tags("subscription", "ok", "outcome", "success")
                  .timer()
                  .count())
          .isEqualTo(3);
    }
  }

  @Test
  void aSubscriptionsMetersAppearOnBindingAndGoOnceItIsClosed() throws Exception {
    bus = Herald.builder().interceptor(metrics).build();
    Subscription idle = bus.subscribe("t.idle", e -> {}, SubscribeOptions.defaults().name("idle"));
    bus.subscribe("t.ok", e -> {}, SubscribeOptions.defaults().name("ok"));
    metrics.bindTo(registry);
    // Listed by the bus, so metered before its handler ever ran.
    assertThat(gauge("herald.mailbox.depth", "idle")).isZero();
    assertThat(registry.find("herald.deliveries").tag("subscription", "ok").meters()).hasSize(5);

    idle.close();
    counter("herald.events.published"); // a read takes a snapshot, which misses "idle"
    bus.publish("t.ok", 1).get(10, SECONDS); // a handler call removes its meters
    await()
        .atMost(10, SECONDS)
        .until(
            () ->
                registry.find("herald.deliveries").tag("subscription", "idle").meters().isEmpty());
    assertThat(registry.find("herald.handler.duration").tag("subscription", "idle").meters())
        .isEmpty();
    assertThat(registry.find("herald.mailbox.depth").tag("subscription", "idle").meters())
        .isEmpty();
    assertThat(deliveries("ok", "delivered")).isEqualTo(1);
  }

  @Test
  void metersShareOneSnapshotOfTheBusForItsLifetime() throws Exception {
    MockClock clock = new MockClock();
    HeraldMetrics cached = new HeraldMetrics(Tags.empty(), clock, Duration.ofSeconds(1));
    cached.bindTo(registry);
    bus = Herald.builder().interceptor(cached).build();
    bus.publish("t.none", 1).get(10, SECONDS);
    assertThat(counter("herald.events.published")).isEqualTo(1);
    bus.publish("t.none", 2).get(10, SECONDS);
    assertThat(counter("herald.events.unrouted")).isEqualTo(1); // the same snapshot
    assertThat(counter("herald.events.published")).isEqualTo(1);
    clock.add(Duration.ofSeconds(1));
    assertThat(counter("herald.events.published")).isEqualTo(2);
    assertThat(counter("herald.events.unrouted")).isEqualTo(2);
  }

  @Test
  void oneInstanceServesOneBus() {
    bus = Herald.builder().interceptor(metrics).build();
    try (EventBus another = Herald.inMemory()) {
      assertThatThrownBy(() -> metrics.attach(another))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("one per bus");
    }
  }

  private double counter(String name) {
    return registry.get(name).functionCounter().count();
  }

  private double deliveries(String subscription, String outcome) {
    return registry
        .get("herald.deliveries")
        .tags("subscription", subscription, "outcome", outcome)
        .functionCounter()
        .count();
  }

  private double gauge(String name, String subscription) {
    return registry.get(name).tag("subscription", subscription).gauge().value();
  }

  private long timerCount(String subscription, String outcome) {
    return registry
        .get("herald.handler.duration")
        .tags("subscription", subscription, "outcome", outcome)
        .timer()
        .count();
  }
}
