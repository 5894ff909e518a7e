package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a bus keeps reachable once its subscriptions have handled their events: a mailbox is a
 * queue, not a cache, so a drained subscription lets go of every event it took, whichever
 * backpressure policy it has, and so do subscriptions that share one mailbox (alike, under {@link
 * Backpressure#block}) once each of them has drained it.
 */
class RetentionTest {
  private static final int EVENTS = 200;

  /** A payload whose reachability the test follows. */
  record Blob(int n, byte[] bytes) {}

  private static List<WeakReference<Blob>> publish(EventBus bus, int count) {
    List<WeakReference<Blob>> refs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Blob b = new Blob(i, new byte[1024]);
      refs.add(new WeakReference<>(b));
      bus.emit(Event.of("blob.made", b));
    }
    return refs;
  }

  private static long reachable(List<WeakReference<Blob>> refs) {
    return refs.stream().filter(r -> r.get() != null).count();
  }

  /** Collects until at most {@code atMost} of the payloads are reachable, or fails. */
  private static void awaitReachableAtMost(List<WeakReference<Blob>> refs, long atMost) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              System.gc();
              assertThat(reachable(refs)).isLessThanOrEqualTo(atMost);
            });
  }

  @Test
  void aDrainedSubscriptionKeepsNoEventReachableUnderEachPolicy() throws Exception {
    for (Backpressure policy :
        List.of(
            Backpressure.block(Duration.ofSeconds(10)),
            Backpressure.dropNewest(),
            Backpressure.dropOldest(),
            Backpressure.fail())) {
      try (EventBus bus = Herald.inMemory()) {
        CountDownLatch handled = new CountDownLatch(EVENTS);
        bus.subscribe(
            Blob.class,
            b -> handled.countDown(),
            SubscribeOptions.defaults().backpressure(policy).mailboxCapacity(1024));
        List<WeakReference<Blob>> refs = publish(bus, EVENTS);
        assertThat(handled.await(30, TimeUnit.SECONDS)).as("%s: handled", policy).isTrue();
        awaitReachableAtMost(refs, 0);
      }
    }
  }

  @Test
  void alikeBlockingSubscriptionsSharingAMailboxKeepNoEventReachableOnceDrained() throws Exception {
    try (EventBus bus = Herald.inMemory()) {
      CountDownLatch handled = new CountDownLatch(3 * EVENTS);
      SubscribeOptions options =
          SubscribeOptions.defaults()
              .backpressure(Backpressure.block(Duration.ofSeconds(10)))
              .mailboxCapacity(64);
      // Three alike subscriptions share one ring; a slow one makes the others drain first.
      bus.subscribe(Blob.class, b -> handled.countDown(), options);
      bus.subscribe(Blob.class, b -> handled.countDown(), options);
      bus.subscribe(
          Blob.class,
          b -> {
            if (b.n() % 50 == 0) {
              Thread.sleep(5); // a slower handler now and then: the others wait at its cursor
            }
            handled.countDown();
          },
          options);
      List<WeakReference<Blob>> refs = publish(bus, EVENTS);
      assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
      awaitReachableAtMost(refs, 0);
    }
  }
}
