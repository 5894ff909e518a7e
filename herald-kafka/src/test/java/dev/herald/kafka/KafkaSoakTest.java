package dev.herald.kafka;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.contract.OneKeyAtATime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two buses (as two processes would) share one consumer group while a third publishes; one member
 * leaves and joins again every so often, forcing rebalances. Every published event must be handled
 * at least once, and duplicates stay within what those rebalances allow. {@code
 * -Dherald.kafka.soak.events=N} sets the number of events; the {@code stress} profile runs a long
 * soak.
 */
@ExtendWith(TestClusters.Shared.class)
class KafkaSoakTest {
  static final int EVENTS = Integer.getInteger("herald.kafka.soak.events", 3_000);
  static final int KEYS = 16;

  @Test
  void everyEventIsHandledThroughRepeatedRebalances() throws Exception {
    String prefix = KafkaTransportTest.freshPrefix("soak");
    Set<String> handled = ConcurrentHashMap.newKeySet();
    LongAdder deliveries = new LongAdder();
    SubscribeOptions member =
        SubscribeOptions.defaults()
            .group("workers")
            .backpressure(Backpressure.block(Duration.ofSeconds(30)));
    try (EventBus publisher =
            Herald.builder().transport(KafkaTransportTest.transport(prefix).build()).build();
        EventBus steady =
            Herald.builder().transport(KafkaTransportTest.transport(prefix).build()).build();
        EventBus bouncing =
            Herald.builder().transport(KafkaTransportTest.transport(prefix).build()).build()) {
      steady.subscribe(
          "soak.work", String.class, e -> handle(e, handled, deliveries), member.name("steady"));
      Subscription bouncer = subscribe(bouncing, handled, deliveries, member);

      List<CompletableFuture<?>> window = new ArrayList<>();
      int rebalances = 0;
      for (int i = 0; i < EVENTS; i++) {
        window.add(publisher.publish(Event.of("soak.work", "k" + (i % KEYS), "e" + i)));
        if (window.size() == 500) {
          CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, SECONDS);
          window.clear();
        }
        if (i > 0 && i % Math.max(1, EVENTS / 4) == 0) {
          bouncer.close(); // leaves the group: a rebalance; its unfinished records move
          bouncer = subscribe(bouncing, handled, deliveries, member); // and joins again
          rebalances++;
        }
      }
      CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, SECONDS);
      await().atMost(Duration.ofMinutes(5)).until(() -> handled.size() == EVENTS);
      System.out.printf(
          "kafka soak: %d events, %d deliveries (%d again), %d rebalances%n",
          EVENTS, deliveries.sum(), deliveries.sum() - EVENTS, rebalances);
      assertThat(deliveries.sum()).isGreaterThanOrEqualTo(EVENTS);
      assertThat(IN_HAND.overlaps())
          .as("times a key was in two members' handlers at once")
          .isZero();
    }
  }

  /** No key may be in two members' handlers at once, whatever the rebalances. */
  private static final OneKeyAtATime IN_HAND = new OneKeyAtATime();

  private static void handle(Event<String> e, Set<String> handled, LongAdder deliveries) {
    IN_HAND.handle(
        e,
        () -> {
          handled.add(e.data());
          deliveries.increment();
        });
  }

  private static Subscription subscribe(
      EventBus bus, Set<String> handled, LongAdder deliveries, SubscribeOptions member) {
    return bus.subscribe(
        "soak.work", String.class, e -> handle(e, handled, deliveries), member.name("bouncing"));
  }
}
