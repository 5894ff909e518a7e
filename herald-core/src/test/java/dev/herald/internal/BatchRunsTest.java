package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.Backpressure;
import dev.herald.BatchRefusedException;
import dev.herald.BusStats;
import dev.herald.Delivery;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.MailboxFullException;
import dev.herald.PublishResult;
import dev.herald.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A batch's events that go to one shared ring only, or to one subscription's own mailbox only, are
 * written a run at a time, with one claim (see {@code Router.writeRun}): under contention from
 * other batches and from single emits, with runs broken by events of another route and rings too
 * small for a whole run, every subscription still gets every event once, in each publisher's order,
 * a tracked batch's futures each name every delivery, and the counts agree; into an own mailbox
 * under the fail policy, every event is delivered or refused by that policy and counted as such.
 */
class BatchRunsTest {
  private static final int SUBSCRIPTIONS = 4;
  private static final int PUBLISHERS = 3;
  private static final int PER_PUBLISHER = 60_000;

  /** What publisher {@code publisher} sent as its {@code n}th event. */
  private record Item(int publisher, int n) {}

  /** Checks each publisher's order as events arrive; one lane calls it at a time. */
  private static final class Seen {
    final int[] next = new int[PUBLISHERS + 1];
    volatile long count;
    final AtomicReference<String> disorder = new AtomicReference<>();

    void take(Object data) {
      Item item = (Item) data;
      if (item.n() != next[item.publisher()]) {
        disorder.compareAndSet(
            null, "got " + item + " when " + next[item.publisher()] + " was next");
      }
      next[item.publisher()] = item.n() + 1;
      count = count + 1;
    }
  }

  @Test
  @Timeout(120)
  void batchesAndSingleEmitsReachEverySubscriptionOnceInEachPublishersOrder() throws Exception {
    for (int capacity : new int[] {8, 1024}) {
      try (EventBus bus = Herald.builder().workerThreads(4).build()) {
        SubscribeOptions options =
            SubscribeOptions.defaults()
                .mailboxCapacity(capacity)
                .backpressure(Backpressure.block(Duration.ofSeconds(60)));
        List<Seen> seen = new ArrayList<>();
        for (int s = 0; s < SUBSCRIPTIONS; s++) {
          Seen mine = new Seen();
          seen.add(mine);
          // The same selector and options: the four share one ring.
          bus.subscribe("run.e", e -> mine.take(e.data()), options.name("run-" + s));
        }
        Seen other = new Seen();
        bus.subscribe("run.other", e -> other.take(e.data()), options.name("other"));

        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
          int id = p;
          threads.add(new Thread(() -> publishInBatches(bus, id, start, failure)));
        }
        // And one more publisher that emits one event at a time into the same ring.
        threads.add(
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int n = 0; n < PER_PUBLISHER; n++) {
                      bus.emit(Event.of("run.e", new Item(PUBLISHERS, n)));
                    }
                  } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                  }
                }));
        runAll(threads, start, failure);

        long each = (long) (PUBLISHERS + 1) * PER_PUBLISHER;
        long others = PUBLISHERS * (long) otherEvents();
        await()
            .atMost(60, TimeUnit.SECONDS)
            .until(
                () ->
                    seen.stream().allMatch(x -> x.count == each)
                        && other.count == others
                        // The bus counts a delivery once its handler has returned.
                        && IntStream.range(0, SUBSCRIPTIONS)
                            .allMatch(
                                s -> bus.stats().subscription("run-" + s).delivered() == each));
        for (Seen x : seen) {
          assertThat(x.disorder.get()).as("capacity %d", capacity).isNull();
        }
        assertThat(other.disorder.get()).isNull();
        BusStats st = bus.stats();
        assertThat(st.published()).isEqualTo(each + others);
        for (int s = 0; s < SUBSCRIPTIONS; s++) {
          assertThat(st.subscription("run-" + s).routed()).isEqualTo(each);
          assertThat(st.subscription("run-" + s).delivered()).isEqualTo(each);
          assertThat(st.subscription("run-" + s).dropped()).isZero();
        }
      }
    }
  }

  /**
   * A batch's events for one subscription with a mailbox of its own (the default fail policy) are
   * written a run at a time too. With a mailbox of 8, which four publishers keep filling, runs find
   * no room and fall back to the single path, which refuses by the policy: every event is either
   * delivered (each publisher's in order) or refused to its publisher (listed in the batch's
   * refusal, failed in a tracked batch's future), and the counts agree with what publishers saw.
   */
  @Test
  @Timeout(120)
  void batchesIntoAnOwnMailboxAreDeliveredInOrderOrRefusedAndCounted() throws Exception {
    for (int capacity : new int[] {8, 1 << 19}) {
      try (EventBus bus = Herald.builder().workerThreads(2).build()) {
        SubscribeOptions options = SubscribeOptions.defaults().mailboxCapacity(capacity);
        long[] last = new long[PUBLISHERS + 1];
        Arrays.fill(last, -1);
        AtomicReference<String> disorder = new AtomicReference<>();
        AtomicLong delivered = new AtomicLong();
        bus.subscribe(
            "own.e",
            e -> {
              Item item = (Item) e.data();
              if (item.n() <= last[item.publisher()]) {
                disorder.compareAndSet(null, "got " + item + " after " + last[item.publisher()]);
              }
              last[item.publisher()] = item.n();
              delivered.incrementAndGet();
            },
            options.name("own"));
        AtomicLong refused = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
          int id = p;
          threads.add(
              new Thread(
                  () -> {
                    try {
                      start.await();
                      int size = 1 + id;
                      for (int n = 0; n < PER_PUBLISHER; ) {
                        List<Event<?>> batch = new ArrayList<>();
                        for (int k = 0; k < size && n < PER_PUBLISHER; k++, n++) {
                          batch.add(Event.of("own.e", new Item(id, n)));
                        }
                        refused.addAndGet(publishCountingRefusals(bus, batch, id == 0));
                        size = size * 7 % 300 + 1;
                      }
                    } catch (Throwable t) {
                      failure.compareAndSet(null, t);
                    }
                  }));
        }
        threads.add(
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int n = 0; n < PER_PUBLISHER; n++) {
                      try {
                        bus.emit(Event.of("own.e", new Item(PUBLISHERS, n)));
                      } catch (MailboxFullException e) {
                        refused.incrementAndGet();
                      }
                    }
                  } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                  }
                }));
        runAll(threads, start, failure);
        long sent = (long) (PUBLISHERS + 1) * PER_PUBLISHER;
        await()
            .atMost(60, TimeUnit.SECONDS)
            .until(
                () ->
                    delivered.get() + refused.get() == sent
                        // The bus counts a delivery once its handler has returned.
                        && bus.stats().subscription("own").delivered() == delivered.get());
        assertThat(disorder.get()).as("capacity %d", capacity).isNull();
        if (capacity > sent) {
          assertThat(refused.get()).as("room for everything").isZero();
        }
        BusStats st = bus.stats();
        assertThat(st.published()).isEqualTo(sent);
        assertThat(st.subscription("own").delivered()).isEqualTo(delivered.get());
        assertThat(st.subscription("own").dropped()).isEqualTo(refused.get());
        assertThat(st.subscription("own").routed()).isEqualTo(sent);
      }
    }
  }

  /**
   * Publishes {@code batch} with {@code publishAll} (tracked) or {@code emitAll}; returns how many
   * of its events were refused, each checked to be refused the way its call reports it.
   */
  private static int publishCountingRefusals(EventBus bus, List<Event<?>> batch, boolean tracked)
      throws Exception {
    if (tracked) {
      List<CompletableFuture<PublishResult>> results = bus.publishAll(batch);
      int refused = 0;
      for (int k = 0; k < batch.size(); k++) {
        try {
          PublishResult r = results.get(k).get(60, TimeUnit.SECONDS);
          assertThat(r.event()).isSameAs(batch.get(k));
          assertThat(r.deliveries())
              .singleElement()
              .extracting(Delivery::outcome)
              .isEqualTo(Delivery.Outcome.HANDLED);
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(MailboxFullException.class);
          refused++;
        }
      }
      return refused;
    }
    try {
      bus.emitAll(batch);
      return 0;
    } catch (BatchRefusedException e) {
      return e.refused().size();
    }
  }

  /** Starts the publishers together and waits until each is done, none having failed or stuck. */
  private static void runAll(
      List<Thread> threads, CountDownLatch start, AtomicReference<Throwable> failure)
      throws InterruptedException {
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(100));
      assertThat(t.isAlive()).as("a publisher is still blocked").isFalse();
    }
    assertThat(failure.get()).isNull();
  }

  /** Events of the other type each publisher sends: one after every 97th of its own. */
  private static int otherEvents() {
    return PER_PUBLISHER / 97;
  }

  /**
   * Sends {@link #PER_PUBLISHER} events as batches of 1 to 300, one event of another type after
   * every 97th (a run ends there).
   */
  private static void publishInBatches(
      EventBus bus, int id, CountDownLatch start, AtomicReference<Throwable> failure) {
    try {
      start.await();
      int others = 0;
      int size = 1 + id;
      for (int n = 0; n < PER_PUBLISHER; ) {
        List<Event<?>> batch = new ArrayList<>();
        for (int k = 0; k < size && n < PER_PUBLISHER; k++, n++) {
          batch.add(Event.of("run.e", new Item(id, n)));
          if (n % 97 == 96 && others < otherEvents()) {
            batch.add(Event.of("run.other", new Item(id, others++)));
          }
        }
        if (id == 0) {
          // Tracked: each event's future says it reached every subscription it was routed to.
          List<CompletableFuture<PublishResult>> results = bus.publishAll(batch);
          for (int k = 0; k < batch.size(); k++) {
            PublishResult r = results.get(k).get(60, TimeUnit.SECONDS);
            assertThat(r.event()).isSameAs(batch.get(k));
            assertThat(r.deliveries())
                .hasSize(r.event().type().equals("run.e") ? SUBSCRIPTIONS : 1)
                .allMatch(d -> d.outcome() == Delivery.Outcome.HANDLED);
          }
        } else {
          bus.emitAll(batch);
        }
        size = size * 7 % 300 + 1;
      }
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    }
  }
}
