package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lane's state machine under real contention on a real worker pool, beside herald-jcstress's
 * LaneStress (which runs the same races on one drain and one publisher at a time, in every
 * interleaving jcstress finds): a publisher offering while the drainer goes idle, and publishers
 * blocked on a full mailbox while the drainer frees room and goes idle. A lost wake-up shows as an
 * event never delivered (the bounded waits below fail) or as a blocked publish timing out.
 */
class LaneStressTest {
  private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * One event at a time, each published just as the drainer of the one before finds the mailbox
   * empty and goes idle: the publisher's offer races the drainer's IDLE store and its re-check, and
   * the event must be delivered whichever wins.
   */
  @Test
  @Timeout(120)
  void anOfferRacingTheDrainerGoingIdleIsNeverStranded() {
    AtomicLong delivered = new AtomicLong();
    try (EventBus bus = Herald.inMemory()) {
      bus.subscribe(Long.class, n -> delivered.incrementAndGet());
      for (long i = 1; i <= 50_000; i++) {
        bus.emit(Event.of("stress.tick", i));
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (delivered.get() < i) {
          assertThat(System.nanoTime()).as("event %d delivered", i).isLessThan(deadline);
          Thread.onSpinWait();
        }
      }
    }
  }

  /**
   * Three publishers on a mailbox of two with {@code block}: they are parked and woken on nearly
   * every event, while the drainer frees a slot, signals, and goes idle between bursts. Every event
   * arrives exactly once, and no publish times out (a lost wake-up would leave one parked until its
   * timeout, far longer than the run).
   */
  @Test
  @Timeout(120)
  void publishersBlockedOnAFullMailboxAreAlwaysWoken() throws Exception {
    int publishers = 3;
    int perPublisher = 100_000;
    long[] seen = new long[publishers];
    AtomicLong delivered = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (EventBus bus = Herald.inMemory()) {
      bus.subscribe(
          long[].class,
          m -> {
            // One drainer at a time, so plain fields suffice; each publisher's events in order.
            int p = (int) m[0];
            if (m[1] != seen[p] + 1) {
              failure.compareAndSet(null, new AssertionError("publisher " + p + ": " + m[1]));
            }
            seen[p] = m[1];
            delivered.incrementAndGet();
          },
          SubscribeOptions.defaults()
              .mailboxCapacity(2)
              .backpressure(Backpressure.block(Duration.ofSeconds(60))));
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        long id = p;
        Thread t =
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (long i = 1; i <= perPublisher; i++) {
                      bus.emit(Event.of("stress.pair", new long[] {id, i}));
                    }
                  } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                  }
                });
        t.start();
        threads.add(t);
      }
      start.countDown();
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(100));
        assertThat(t.isAlive()).as("publisher still blocked").isFalse();
      }
      long deadline = System.nanoTime() + BOUND_NANOS;
      while (delivered.get() < (long) publishers * perPublisher && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    }
    assertThat(failure.get()).isNull();
    assertThat(delivered.get()).isEqualTo((long) publishers * perPublisher);
  }

  /**
   * Lanes holding events that are still being routed: a batch into four blocking mailboxes of two,
   * on more workers than cores, so the publisher waits for room in one mailbox while the others'
   * lanes take the event and hold it, and lanes are preempted between holding and re-checking. Each
   * subscription sees every event exactly once, in order. (A wake-up meant for an earlier hold,
   * taken for a later one, once delivered an event twice and forgot another.)
   */
  @Test
  @Timeout(120)
  void heldEventsAreDeliveredOnceInOrderWhateverWakesTheLane() {
    int subscriptions = 4;
    int events = 2_000;
    List<Object> expected = new ArrayList<>();
    List<Event<?>> batch = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      expected.add(i);
      batch.add(Event.of("stress.held", i));
    }
    for (int round = 0; round < 100; round++) {
      List<List<Object>> seen = new ArrayList<>();
      try (EventBus bus = Herald.builder().workerThreads(8).build()) {
        for (int s = 0; s < subscriptions; s++) {
          List<Object> mine = Collections.synchronizedList(new ArrayList<>());
          seen.add(mine);
          bus.subscribe(
              "stress.held",
              e -> mine.add(e.data()),
              SubscribeOptions.defaults()
                  .name("held-" + s)
                  .mailboxCapacity(2)
                  .backpressure(Backpressure.block(Duration.ofSeconds(60))));
        }
        bus.emitAll(batch);
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (seen.stream().anyMatch(l -> l.size() < events) && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
      for (int s = 0; s < subscriptions; s++) {
        synchronized (seen.get(s)) {
          assertThat(seen.get(s)).as("round %d, subscription %d", round, s).isEqualTo(expected);
        }
      }
    }
  }
}
