package dev.herald;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.spi.Interceptor;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The {@link Interceptor} seam: what a bus calls, how often, with what, in which order, and what an
 * interceptor's failure does.
 */
class InterceptorTest {
  /**
   * Records every call; its replacement event carries the extension named after it. Thread-safe.
   */
  static class Recorder implements Interceptor {
    final String name;
    final List<EventBus> attached = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> onPublish = new ConcurrentHashMap<>();
    final Map<String, List<Throwable>> onPublished = new ConcurrentHashMap<>();

    /** "subscription|group|event id" per handler call. */
    final List<String> calls = new CopyOnWriteArrayList<>();

    /** Entry and exit of each handler call, shared between recorders to see the nesting. */
    final List<String> trail;

    Recorder(String name) {
      this(name, new CopyOnWriteArrayList<>());
    }

    Recorder(String name, List<String> trail) {
      this.name = name;
      this.trail = trail;
    }

    @Override
    public void attach(EventBus bus) {
      attached.add(bus);
    }

    @Override
    public Event<?> onPublish(Event<?> event) {
      onPublish.computeIfAbsent(event.id(), k -> new AtomicInteger()).incrementAndGet();
      return event.toBuilder().extension(name, "seen").build();
    }

    @Override
    public void onPublished(Event<?> event, Throwable failure) {
      onPublished
          .computeIfAbsent(event.id(), k -> new CopyOnWriteArrayList<>())
          .add(failure == null ? NONE : failure);
    }

    @Override
    public void aroundHandler(String subscription, String group, Event<?> event, Next next)
        throws Exception {
      calls.add(subscription + "|" + group + "|" + event.id());
      trail.add(name + ">");
      try {
        next.proceed(event);
      } finally {
        trail.add("<" + name);
      }
    }

    int publishes(String id) {
      AtomicInteger n = onPublish.get(id);
      return n == null ? 0 : n.get();
    }

    List<Throwable> outcomes(String id) {
      return onPublished.getOrDefault(id, List.of());
    }

    /** Every event seen was published exactly once and heard of exactly once. */
    void assertPairedOnce(List<String> ids) {
      for (String id : ids) {
        assertThat(publishes(id)).as("onPublish of %s", id).isEqualTo(1);
        assertThat(outcomes(id)).as("onPublished of %s", id).hasSize(1);
      }
      assertThat(onPublish.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(onPublished.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  /** What {@link Recorder} records for an onPublished without failure. */
  static final Throwable NONE = new Throwable("none");

  @Test
  void attachIsCalledOnceWithTheBusEachInterceptorIsInstalledIn() {
    Recorder a = new Recorder("a");
    Recorder b = new Recorder("b");
    try (EventBus bus = Herald.builder().interceptor(a).interceptor(b).build()) {
      assertThat(a.attached).containsExactly(bus);
      assertThat(b.attached).containsExactly(bus);
    }
  }

  @Test
  void eachPublishEmitAndBatchedEventIsSeenOnceAndSubscribersGetTheReplacements() throws Exception {
    Recorder a = new Recorder("a");
    Recorder b = new Recorder("b");
    List<Event<?>> got = new CopyOnWriteArrayList<>();
    try (EventBus bus = Herald.builder().interceptor(a).interceptor(b).build()) {
      bus.subscribe("item.added", got::add);
      List<String> ids = new ArrayList<>();
      Event<Integer> published = Event.of("item.added", 1);
      ids.add(published.id());
      bus.publish(published).get(10, SECONDS);
      Event<Integer> emitted = Event.of("item.added", 2);
      ids.add(emitted.id());
      bus.emit(emitted);
      List<Event<Integer>> tracked = List.of(Event.of("item.added", 3), Event.of("item.added", 4));
      List<Event<Integer>> untracked =
          List.of(Event.of("item.added", 5), Event.of("item.added", 6));
      tracked.forEach(e -> ids.add(e.id()));
      untracked.forEach(e -> ids.add(e.id()));
      CompletableFuture.allOf(bus.publishAll(tracked).toArray(new CompletableFuture<?>[0]))
          .get(10, SECONDS);
      bus.emitAll(untracked);

      await().atMost(10, SECONDS).until(() -> got.size() == 6);
      a.assertPairedOnce(ids);
      b.assertPairedOnce(ids);
      for (String id : ids) {
        assertThat(a.outcomes(id)).containsExactly(NONE);
      }
      assertThat(got).extracting(Event::id).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(got)
          .allSatisfy(
              e ->
                  assertThat(e.extensions()).containsEntry("a", "seen").containsEntry("b", "seen"));
      assertThat(got)
          .extracting(e -> (Object) e.data())
          .containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
    }
  }

  @Test
  void aRefusedBatchTellsEachEventItsOwnOutcomeOnce() throws Exception {
    Recorder a = new Recorder("a");
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch inHandler = new CountDownLatch(1);
    try (EventBus bus = Herald.builder().interceptor(a).build()) {
      bus.subscribe(
          "batch.placed",
          e -> {
            inHandler.countDown();
            gate.await();
          },
          SubscribeOptions.defaults()
              .name("full")
              .mailboxCapacity(4)
              .backpressure(Backpressure.fail()));
      Event<Integer> first = Event.of("batch.placed", -1);
      bus.emit(first);
      assertThat(inHandler.await(10, SECONDS)).isTrue();
      List<Event<Integer>> untracked = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        untracked.add(Event.of("batch.placed", i));
      }
      assertThatThrownBy(() -> bus.emitAll(untracked)).isInstanceOf(BatchRefusedException.class);
      for (int i = 0; i < 6; i++) {
        List<Throwable> outcome = a.outcomes(untracked.get(i).id());
        assertThat(outcome).as("event %s", i).hasSize(1);
        if (i < 4) {
          assertThat(outcome.get(0)).isSameAs(NONE);
        } else {
          assertThat(outcome.get(0)).isInstanceOf(BatchRefusedException.class);
        }
      }

      List<Event<Integer>> tracked = List.of(Event.of("batch.placed", 7));
      List<CompletableFuture<PublishResult>> results = bus.publishAll(tracked);
      assertThat(results.get(0)).isCompletedExceptionally();
      assertThat(a.outcomes(tracked.get(0).id()))
          .singleElement()
          .isInstanceOf(MailboxFullException.class);
      gate.countDown();
      List<String> ids = new ArrayList<>(List.of(first.id(), tracked.get(0).id()));
      untracked.forEach(e -> ids.add(e.id()));
      a.assertPairedOnce(ids);
    }
  }

  @Test
  void aStoreRefusedMidBatchFailsOnlyTheEventsNotPublished() {
    Recorder a = new Recorder("a");
    QueueTransport transport = new QueueTransport();
    transport.refuseStore = 2;
    try (EventBus bus = Herald.builder().transport(transport).interceptor(a).build()) {
      List<Event<Integer>> batch = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        batch.add(Event.of("batch.placed", i));
      }
      assertThatThrownBy(() -> bus.emitAll(batch)).isInstanceOf(StoreRefusedException.class);
      assertThat(a.outcomes(batch.get(0).id())).containsExactly(NONE);
      assertThat(a.outcomes(batch.get(1).id())).containsExactly(NONE);
      assertThat(a.outcomes(batch.get(2).id()))
          .singleElement()
          .isInstanceOf(StoreRefusedException.class);
      assertThat(a.outcomes(batch.get(3).id()))
          .singleElement()
          .isInstanceOf(StoreRefusedException.class);
      a.assertPairedOnce(batch.stream().map(Event::id).toList());
    }
  }

  @Test
  void aRequestIsSeenOnceAndItsReplyNot() throws Exception {
    Recorder a = new Recorder("a");
    try (EventBus bus = Herald.builder().interceptor(a).build()) {
      bus.respond(
          "price.quote",
          Integer.class,
          r -> {
            assertThat(r.extension("a")).isEqualTo("seen");
            return r.data() * 2;
          });
      assertThat(
              bus.request("price.quote", 21, Integer.class, Duration.ofSeconds(10))
                  .get(10, SECONDS))
          .isEqualTo(42);
      assertThat(a.onPublish).hasSize(1);
      String id = a.onPublish.keySet().iterator().next();
      a.assertPairedOnce(List.of(id));
      assertThat(a.calls).singleElement().asString().endsWith("|null|" + id);
    }
  }

  @Test
  void aRedriveIsSeenAgainAndTheDeadLetterNot() throws Exception {
    Recorder a = new Recorder("a");
    CompletableFuture<DeadLetter> dead = new CompletableFuture<>();
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<Event<?>> redriven = new CompletableFuture<>();
    try (EventBus bus = Herald.builder().interceptor(a).build()) {
      bus.subscribe(DeadLetter.class, dead::complete);
      bus.subscribe(
          "job.run",
          e -> {
            if (attempts.incrementAndGet() == 1) {
              throw new IllegalStateException("first time");
            }
            redriven.complete(e);
          },
          SubscribeOptions.defaults().name("runner").retry(RetryPolicy.none()));
      Event<Integer> job = Event.of("job.run", 1);
      bus.publish(job);
      DeadLetter letter = dead.get(10, SECONDS);
      assertThat(a.onPublish.keySet()).containsExactly(job.id());
      bus.redrive(letter).get(10, SECONDS);
      assertThat(redriven.get(10, SECONDS).id()).isEqualTo(job.id());
      assertThat(a.publishes(job.id())).isEqualTo(2);
      assertThat(a.outcomes(job.id())).containsExactly(NONE, NONE);
      assertThat(a.onPublish.keySet()).containsExactly(job.id());
    }
  }

  @Test
  void aroundHandlerWrapsEachCallWithTheSubscriptionAndNestsInInstallOrder() throws Exception {
    List<String> trail = new CopyOnWriteArrayList<>();
    Recorder a = new Recorder("a", trail);
    Recorder b = new Recorder("b", trail);
    CountDownLatch two = new CountDownLatch(2);
    try (EventBus bus = Herald.builder().interceptor(a).interceptor(b).build()) {
      bus.subscribe(
          "order.placed",
          e -> {
            trail.add("handler " + e.data());
            two.countDown();
          },
          SubscribeOptions.defaults().name("billing"));
      Event<Integer> one = Event.of("order.placed", 1);
      Event<Integer> other = Event.of("order.placed", 2);
      bus.publish(one).get(10, SECONDS);
      bus.publish(other).get(10, SECONDS);
      assertThat(two.await(10, SECONDS)).isTrue();
      assertThat(a.calls).containsExactly("billing|null|" + one.id(), "billing|null|" + other.id());
      assertThat(b.calls).isEqualTo(a.calls);
      assertThat(trail)
          .containsExactly(
              "a>", "b>", "handler 1", "<b", "<a", "a>", "b>", "handler 2", "<b", "<a");
    }
  }

  @Test
  void aroundHandlerOfADurableSubscriptionNamesItsGroup() throws Exception {
    Recorder a = new Recorder("a");
    CompletableFuture<Event<?>> got = new CompletableFuture<>();
    try (EventBus bus = Herald.builder().transport(new QueueTransport()).interceptor(a).build()) {
      bus.subscribe(
          "order.placed",
          got::complete,
          SubscribeOptions.defaults().name("billing").group("accounts"));
      Event<Integer> order = Event.of("order.placed", 1);
      bus.publish(order).get(10, SECONDS);
      assertThat(got.get(10, SECONDS).extension("a")).as("stored as replaced").isEqualTo("seen");
      assertThat(a.calls).containsExactly("billing|accounts|" + order.id());
    }
  }

  @Test
  void anAroundHandlerFailureIsTheHandlersRetriedThenDeadLettered() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    Interceptor failing =
        new Interceptor() {
          @Override
          public void aroundHandler(String subscription, String group, Event<?> event, Next next)
              throws Exception {
            if (event.type().equals("job.run")) {
              throw new IllegalStateException("refused by the interceptor");
            }
            next.proceed(event);
          }
        };
    CompletableFuture<DeadLetter> dead = new CompletableFuture<>();
    try (EventBus bus = Herald.builder().interceptor(failing).build()) {
      bus.subscribe(DeadLetter.class, dead::complete);
      bus.subscribe(
          "job.run",
          e -> handled.incrementAndGet(),
          SubscribeOptions.defaults()
              .name("runner")
              .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(1))));
      bus.publish("job.run", 1);
      DeadLetter letter = dead.get(10, SECONDS);
      assertThat(letter.subscription()).isEqualTo("runner");
      assertThat(letter.attempts()).isEqualTo(3);
      assertThat(letter.causeType()).isEqualTo(IllegalStateException.class.getName());
      assertThat(letter.causeMessage()).isEqualTo("refused by the interceptor");
      assertThat(handled).hasValue(0);
      SubscriptionStats s = bus.stats().subscription("runner");
      assertThat(s.retried()).isEqualTo(2);
      assertThat(s.deadLettered()).isEqualTo(1);
    }
  }

  @Test
  void anOnPublishFailureFailsThePublishAndThoseBeforeHearOfIt() throws Exception {
    Recorder a = new Recorder("a");
    RuntimeException refusal = new IllegalStateException("no");
    Recorder b =
        new Recorder("b") {
          @Override
          public Event<?> onPublish(Event<?> event) {
            super.onPublish(event);
            if (event.type().equals("bad.one")) {
              throw refusal;
            }
            return event;
          }
        };
    List<Event<?>> got = new CopyOnWriteArrayList<>();
    try (EventBus bus = Herald.builder().interceptor(a).interceptor(b).build()) {
      bus.subscribe("#", got::add);
      Event<Integer> bad = Event.of("bad.one", 1);
      assertThatThrownBy(() -> bus.publish(bad)).isSameAs(refusal);
      assertThatThrownBy(() -> bus.emit(bad)).isSameAs(refusal);
      assertThat(a.outcomes(bad.id())).containsExactly(refusal, refusal);
      assertThat(b.outcomes(bad.id())).as("not told of its own refusal").isEmpty();

      Event<Integer> good = Event.of("good.one", 1);
      Event<Integer> alsoBad = Event.of("bad.one", 2);
      assertThatThrownBy(() -> bus.publishAll(List.of(good, alsoBad))).isSameAs(refusal);
      assertThat(a.outcomes(good.id())).containsExactly(refusal);
      assertThat(b.outcomes(good.id())).containsExactly(refusal);
      assertThat(a.outcomes(alsoBad.id())).containsExactly(refusal);
      assertThat(bus.stats().published()).isZero();
      bus.publish("after", 0).get(10, SECONDS);
      await().atMost(10, SECONDS).until(() -> got.size() == 1);
      assertThat(got).extracting(Event::type).containsExactly("after");
    }
  }

  @Test
  void anOnPublishedFailureIsCountedAsAListenerErrorAndThePublishStands() throws Exception {
    Interceptor throwing =
        new Interceptor() {
          @Override
          public void onPublished(Event<?> event, Throwable failure) {
            throw new IllegalStateException("listener bug");
          }
        };
    CompletableFuture<Event<?>> got = new CompletableFuture<>();
    try (EventBus bus = Herald.builder().interceptor(throwing).build()) {
      bus.subscribe("order.placed", got::complete);
      bus.publish("order.placed", 1).get(10, SECONDS);
      bus.emit("order.placed", 2);
      assertThat(got.get(10, SECONDS).data()).isEqualTo(1);
      assertThat(bus.stats().listenerErrors()).isEqualTo(2);
    }
  }

  /**
   * A storing transport of one feed, for a durable subscription: stored events wait in a queue that
   * the feed's thread takes them from.
   */
  static final class QueueTransport implements Transport {
    private final BlockingQueue<Event<?>> stored = new LinkedBlockingQueue<>(1024);
    private final List<Thread> feeds = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "queue";
    }

    /** The number of the store (from 0) to refuse at once, or -1. */
    volatile int refuseStore = -1;

    private final AtomicInteger stores = new AtomicInteger();

    @Override
    public CompletableFuture<Void> store(Event<?> event) {
      if (stores.getAndIncrement() == refuseStore) {
        return CompletableFuture.failedFuture(new IllegalStateException("refused"));
      }
      return stored.offer(event)
          ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(new IllegalStateException("full"));
    }

    @Override
    public Feed feed(String group, Predicate<Event<?>> filter, FeedSink sink) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Event<?> e = stored.take();
                    if (filter.test(e)) {
                      sink.accept(e, () -> {});
                    }
                  }
                } catch (InterruptedException stop) {
                  // closed
                }
              },
              "queue-feed-" + group);
      t.setDaemon(true);
      t.start();
      feeds.add(t);
      return t::interrupt;
    }

    @Override
    public void close() {
      feeds.forEach(Thread::interrupt);
    }
  }
}
