package dev.herald.contract;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.Backpressure;
import dev.herald.BatchRefusedException;
import dev.herald.BusClosedException;
import dev.herald.BusListener;
import dev.herald.BusStats;
import dev.herald.CloseReport;
import dev.herald.DeadLetter;
import dev.herald.Delivery;
import dev.herald.DropReason;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.EventHandler;
import dev.herald.Herald;
import dev.herald.MailboxFullException;
import dev.herald.NoResponderException;
import dev.herald.PublishResult;
import dev.herald.Registration;
import dev.herald.RemoteFailureException;
import dev.herald.RequestTimeoutException;
import dev.herald.RetryPolicy;
import dev.herald.Subscribe;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.SubscriptionStats;
import dev.herald.TooManyRequestsException;
import dev.herald.spi.Transport;
import dev.herald.testing.VirtualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every Herald transport promises, written once. A transport's test subclasses this
 * and supplies {@link #newBusBuilder()}; nothing here knows which transport it runs on. No test
 * sleeps to wait for delivery: futures, latches and Awaitility with a bound.
 */
@Timeout(value = 120, unit = SECONDS)
public abstract class EventBusContract {

  /** A builder for a fresh bus of the transport under test. */
  protected abstract Herald.Builder newBusBuilder();

  /**
   * Whether the bus under test stores events with a transport. Then an event that no subscription
   * of this process takes is stored for durable subscriptions, not unrouted.
   */
  protected boolean storesEvents() {
    return false;
  }

  /** How many events each of the 8 publishers sends in the stress test. */
  protected int stressEventsPerPublisher() {
    return Integer.getInteger("herald.stress.perPublisher", 100_000);
  }

  /** How many fresh buses the causal-order test builds, one after another. */
  protected int causalOrderRounds() {
    return 200;
  }

  protected EventBus bus;
  protected final RecordingListener listener = new RecordingListener();

  /**
   * Herald threads alive before this test's bus was built: a previous test's, still ending (a
   * handler that outlived its bus's close returns a moment later). Not this bus's to stop.
   */
  private Set<Thread> heraldThreadsBefore;

  @BeforeEach
  void openBus() {
    heraldThreadsBefore = heraldThreads();
    bus = newBusBuilder().listener(listener).build();
  }

  static Set<Thread> heraldThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      // The event clock's thread belongs to no bus: it keeps the time of events created at high
      // rates, and ends on its own after a minute without them (see Event's time).
      if (t.getName().startsWith("herald-") && !t.getName().equals("herald-clock") && t.isAlive()) {
        threads.add(t);
      }
    }
    return threads;
  }

  @AfterEach
  void closeBus() {
    if (bus != null) {
      // A bus on the virtual clock would wait for it forever: its tests leave nothing in flight.
      bus.close(onVirtualTime ? Duration.ZERO : Duration.ofSeconds(10));
    }
  }

  /** The clock of a bus built by {@link #onVirtualTime()}. */
  protected final VirtualTimeSource clock = new VirtualTimeSource();

  private boolean onVirtualTime;

  /**
   * Replaces this test's bus with one on {@link #clock}, so that its backoffs and timeouts pass
   * when the test advances the clock, not in real time.
   */
  protected EventBus onVirtualTime() {
    bus.close(Duration.ofSeconds(10));
    bus = newBusBuilder().listener(listener).timeSource(clock).build();
    onVirtualTime = true;
    return bus;
  }

  static boolean refusesSubscriptions(EventBus bus) {
    try {
      bus.subscribe("probe.e", e -> {}).close();
      return false;
    } catch (BusClosedException e) {
      return true;
    }
  }

  /** Waits until {@code thread} waits (for room in a mailbox, say). */
  static void awaitWaiting(AtomicReference<Thread> thread) {
    await()
        .atMost(30, SECONDS)
        .until(
            () ->
                thread.get() != null
                    && (thread.get().getState() == Thread.State.WAITING
                        || thread.get().getState() == Thread.State.TIMED_WAITING));
  }

  static final Duration LONG = Duration.ofSeconds(30);

  static SubscribeOptions named(String name) {
    return SubscribeOptions.defaults().name(name);
  }

  static SubscribeOptions blocking(String name) {
    return named(name).backpressure(Backpressure.block(LONG));
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(30, SECONDS);
  }

  // ------------------------------------------------------------------ records

  record OrderPlaced(String id, int amount) implements Priced {}

  record OrderShipped(String id) {}

  interface Priced {
    int amount();
  }

  /** Collects what a handler saw, for assertions. Thread-safe. */
  static final class Inbox<T> {
    final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();

    void add(T item) {
      items.add(item);
    }

    List<T> awaitCount(int n) {
      await().atMost(30, SECONDS).until(() -> items.size() >= n);
      return new ArrayList<>(items);
    }
  }

  /** An annotated listener: one method takes the payload, the other the event by type. */
  static final class Shipping {
    final Inbox<String> inbox = new Inbox<>();

    @Subscribe
    void on(OrderPlaced order) {
      inbox.add("payload " + order.id() + " " + order.amount());
    }

    @Subscribe(type = "order.placed")
    void on(Event<OrderPlaced> event) {
      inbox.add("event " + event.type() + " " + event.data().id());
    }
  }

  /** Remembers every listener callback. */
  static final class RecordingListener implements BusListener {
    final ConcurrentLinkedQueue<Event<?>> unrouted = new ConcurrentLinkedQueue<>();
    final Map<DropReason, LongAdder> drops = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<DeadLetter> deadLetters = new ConcurrentLinkedQueue<>();
    final LongAdder failures = new LongAdder();

    @Override
    public void onUnrouted(Event<?> event) {
      unrouted.add(event);
    }

    @Override
    public void onDropped(String subscription, Event<?> event, DropReason reason) {
      drops.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    @Override
    public void onHandlerFailure(
        String subscription, Event<?> event, Throwable cause, int attempt, boolean willRetry) {
      failures.increment();
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter) {
      deadLetters.add(deadLetter);
    }

    long drops(DropReason r) {
      LongAdder a = drops.get(r);
      return a == null ? 0 : a.sum();
    }
  }

  // ------------------------------------------------------------------ 3. subscribing

  @Nested
  class Subscribing {
    @Test
    void byExactType() throws Exception {
      Inbox<Object> inbox = new Inbox<>();
      bus.subscribe("order.placed", e -> inbox.add(e.data()));
      get(bus.publish("order.placed", "a"));
      get(bus.publish("order.shipped", "b"));
      get(bus.publish("order.placed", "c"));
      assertThat(inbox.awaitCount(2)).containsExactly("a", "c");
    }

    @Test
    void byPatternWithOneAndManySegmentWildcards() throws Exception {
      Inbox<String> one = new Inbox<>();
      Inbox<String> many = new Inbox<>();
      bus.subscribe("order.*", e -> one.add(e.type()));
      bus.subscribe("order.#", e -> many.add(e.type()));
      for (String t : List.of("order", "order.placed", "order.line.added", "stock.reserved")) {
        get(bus.publish(t, 1));
      }
      assertThat(one.awaitCount(1)).containsExactly("order.placed");
      assertThat(many.awaitCount(3))
          .containsExactlyInAnyOrder("order", "order.placed", "order.line.added");
    }

    @Test
    void byPayloadClassIncludingSupertypesAndInterfaces() throws Exception {
      Inbox<OrderPlaced> exact = new Inbox<>();
      Inbox<Priced> byInterface = new Inbox<>();
      Inbox<Object> byObject = new Inbox<>();
      bus.subscribe(OrderPlaced.class, exact::add);
      bus.subscribe(Priced.class, byInterface::add);
      bus.subscribe(Object.class, byObject::add);
      get(bus.publish("order.placed", new OrderPlaced("o-1", 5)));
      get(bus.publish("order.shipped", new OrderShipped("o-1")));
      assertThat(exact.awaitCount(1)).containsExactly(new OrderPlaced("o-1", 5));
      assertThat(byInterface.awaitCount(1)).extracting(Priced::amount).containsExactly(5);
      assertThat(byObject.awaitCount(2)).hasSize(2);
    }

    /**
     * An event that subscriptions select both by type and by payload class, some of them sharing a
     * ring (alike, under block), one with a mailbox of its own: each receives every event once, in
     * each publisher's order, with two publishers at once.
     */
    @Test
    void byTypeAndByClassAtOnceEverySubscriptionGetsEachPublishersOrder() throws Exception {
      record Numbered(int publisher, int n) {}
      int perPublisher = 5_000;
      List<String> names = List.of("type-a", "type-b", "class-a", "class-b", "type-own");
      List<AtomicInteger> counts = new ArrayList<>();
      ConcurrentLinkedQueue<String> disorder = new ConcurrentLinkedQueue<>();
      for (String name : names) {
        AtomicInteger count = new AtomicInteger();
        counts.add(count);
        int[] last = {-1, -1};
        EventHandler<Object> check =
            e -> {
              Numbered x = (Numbered) e.data();
              if (x.n() != last[x.publisher()] + 1) {
                disorder.add(name + ": " + x + " after " + last[x.publisher()]);
              }
              last[x.publisher()] = x.n();
              count.incrementAndGet();
            };
        SubscribeOptions options =
            name.equals("type-own") ? named(name).mailboxCapacity(1 << 14) : blocking(name);
        if (name.startsWith("class")) {
          bus.subscribe(Numbered.class, x -> check.handle(Event.of("n", x)), options);
        } else {
          bus.subscribe("numbered", check, options);
        }
      }
      List<CompletableFuture<Void>> publishers = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        int id = p;
        publishers.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int n = 0; n < perPublisher; n++) {
                    bus.emit("numbered", new Numbered(id, n));
                  }
                }));
      }
      for (CompletableFuture<Void> f : publishers) {
        get(f);
      }
      await()
          .atMost(30, SECONDS)
          .until(() -> counts.stream().allMatch(c -> c.get() >= 2 * perPublisher));
      assertThat(disorder).isEmpty();
      assertThat(counts).extracting(AtomicInteger::get).containsOnly(2 * perPublisher);
    }

    @Test
    void anAnnotatedListenerReceivesTypedPayloadsAndEvents() throws Exception {
      Shipping shipping = new Shipping();
      try (Registration r = bus.register(shipping)) {
        assertThat(r.subscriptions())
            .extracting(Subscription::name)
            .containsExactly("Shipping.on(Event<OrderPlaced>)", "Shipping.on(OrderPlaced)");
        get(bus.publish("order.placed", new OrderPlaced("o-1", 5)));
        get(bus.publish("order.shipped", new OrderShipped("o-1")));
        assertThat(shipping.inbox.awaitCount(2))
            .containsExactlyInAnyOrder("payload o-1 5", "event order.placed o-1");
      }
      PublishResult after = get(bus.publish("order.placed", new OrderPlaced("o-2", 1)));
      assertThat(after.deliveries()).isEmpty();
    }

    @Test
    void typedPatternSubscriptionDeadLettersForeignPayloads() throws Exception {
      Inbox<OrderPlaced> inbox = new Inbox<>();
      bus.subscribe("order.placed", OrderPlaced.class, e -> inbox.add(e.data()), named("typed"));
      PublishResult wrong = get(bus.publish("order.placed", "not an order"));
      assertThat(wrong.deliveries())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.outcome()).isEqualTo(Delivery.Outcome.DEAD_LETTERED);
                assertThat(d.failure()).isInstanceOf(ClassCastException.class);
              });
      get(bus.publish("order.placed", new OrderPlaced("o-2", 1)));
      assertThat(inbox.awaitCount(1)).containsExactly(new OrderPlaced("o-2", 1));
    }

    @Test
    void unsubscribeStopsDelivery() throws Exception {
      Inbox<Object> inbox = new Inbox<>();
      Subscription s = bus.subscribe("a.b", e -> inbox.add(e.data()));
      get(bus.publish("a.b", 1));
      s.close();
      s.close();
      assertThat(s.isActive()).isFalse();
      PublishResult after = get(bus.publish("a.b", 2));
      assertThat(after.deliveries()).isEmpty();
      assertThat(after.unrouted()).isEqualTo(!storesEvents());
      assertThat(after.stored()).isEqualTo(storesEvents());
      assertThat(inbox.awaitCount(1)).containsExactly(1);
    }

    @Test
    void handlersMaySubscribeAndUnsubscribeFromInsideAHandler() throws Exception {
      Inbox<Object> late = new Inbox<>();
      AtomicReference<Subscription> self = new AtomicReference<>();
      CountDownLatch subscribed = new CountDownLatch(1);
      self.set(
          bus.subscribe(
              "x.y",
              e -> {
                bus.subscribe("x.z", z -> late.add(z.data()));
                self.get().close();
                subscribed.countDown();
              }));
      get(bus.publish("x.y", 1));
      assertThat(subscribed.await(30, SECONDS)).isTrue();
      assertThat(self.get().isActive()).isFalse();
      get(bus.publish("x.z", "hello"));
      assertThat(late.awaitCount(1)).containsExactly("hello");
      assertThat(get(bus.publish("x.y", 2)).deliveries()).isEmpty();
    }

    @Test
    void aPayloadClassThatNoPayloadCanHaveIsRefused() {
      assertThatThrownBy(() -> bus.subscribe(int.class, x -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("payloadType")
          .hasMessageContaining("Integer");
      assertThatThrownBy(() -> bus.subscribe("a.b", long.class, e -> {}, named("prim")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Long");
      assertThatThrownBy(() -> bus.subscribe(void.class, x -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("payloadType");
      assertThatThrownBy(() -> bus.subscribe(Void.class, x -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("payloadType");
      assertThatThrownBy(() -> bus.respond("a.q", boolean.class, r -> r.data()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Boolean");
      assertThat(bus.stats().subscriptions()).isEmpty();
    }

    @Test
    void duplicateLiveNamesAreRefused() {
      bus.subscribe("a.b", e -> {}, named("dup"));
      assertThatThrownBy(() -> bus.subscribe("a.c", e -> {}, named("dup")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dup");
    }

    @Test
    void subscribeAndUnsubscribeRaceWithPublishersWithoutLosingAccounting() throws Exception {
      Subscription steady = bus.subscribe("race.t", e -> {}, blocking("steady"));
      int publishers = 3;
      int perPublisher = 20_000;
      ExecutorService pool = Executors.newFixedThreadPool(publishers + 1);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < perPublisher; i++) {
                      bus.emit("race.t", i);
                    }
                    return null;
                  }));
        }
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 300; i++) {
                    try (Subscription s =
                        bus.subscribe("race.#", e -> {}, blocking("churn-" + i))) {
                      assertThat(s.isActive()).isTrue();
                    }
                  }
                  return null;
                }));
        start.countDown();
        for (Future<?> f : futures) {
          f.get(60, SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      long total = (long) publishers * perPublisher;
      await().atMost(30, SECONDS).until(() -> steady.stats().delivered() == total);
      SubscriptionStats s = steady.stats();
      assertThat(s.routed()).isEqualTo(total);
      assertThat(s.dropped()).isZero();
      assertThat(bus.stats().published()).isEqualTo(total);
    }
  }

  // ------------------------------------------------------------------ 4. dispatch

  @Nested
  class Dispatch {
    @Test
    void aSlowSubscriberBlocksNeitherPublishersNorOtherSubscribers() throws Exception {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch slowStarted = new CountDownLatch(1);
      bus.subscribe(
          "work.item",
          e -> {
            slowStarted.countDown();
            release.await();
          },
          named("slow").mailboxCapacity(1024).backpressure(Backpressure.dropNewest()));
      Inbox<Object> fast = new Inbox<>();
      bus.subscribe("work.item", e -> fast.add(e.data()), named("fast"));
      for (int i = 0; i < 100; i++) {
        bus.emit("work.item", i);
      }
      assertThat(slowStarted.await(30, SECONDS)).isTrue();
      assertThat(fast.awaitCount(100)).hasSize(100);
      release.countDown();
    }

    /**
     * Every worker busy with a slow subscription: an event for a third one waits for a few slow
     * deliveries at most, not for a batch of them. Counted, not timed.
     */
    @Test
    void aSlowSubscriptionGivesItsThreadBackAfterAFewDeliveries() throws Exception {
      int workers = 2;
      bus.close(LONG);
      bus = newBusBuilder().workerThreads(workers).listener(listener).build();
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger slowDone = new AtomicInteger();
      List<CountDownLatch> started = new ArrayList<>();
      for (String name : List.of("slow-a", "slow-b")) {
        CountDownLatch first = new CountDownLatch(1);
        started.add(first);
        bus.subscribe(
            "slow." + name,
            e -> {
              first.countDown();
              // Stands for 20 ms of work; cut short once the test has its answer.
              release.await(20, java.util.concurrent.TimeUnit.MILLISECONDS);
              slowDone.incrementAndGet();
            },
            named(name));
      }
      AtomicInteger slowBeforeFast = new AtomicInteger(-1);
      CountDownLatch fastDone = new CountDownLatch(1);
      bus.subscribe(
          "fast.e",
          e -> {
            slowBeforeFast.set(slowDone.get());
            fastDone.countDown();
          },
          named("fast"));
      try {
        for (int i = 0; i < 300; i++) {
          bus.emit("slow.slow-a", i);
          bus.emit("slow.slow-b", i);
        }
        for (CountDownLatch first : started) {
          assertThat(first.await(30, SECONDS)).isTrue();
        }
        int atPublish = slowDone.get();
        bus.emit("fast.e", "now");
        assertThat(fastDone.await(30, SECONDS)).isTrue();
        assertThat(slowBeforeFast.get() - atPublish).isLessThanOrEqualTo(2 * workers + 2);
      } finally {
        release.countDown();
      }
    }

    @Test
    void aHandlerNeverRunsConcurrentlyWithItself() throws Exception {
      AtomicInteger running = new AtomicInteger();
      AtomicInteger maxRunning = new AtomicInteger();
      LongAdder seen = new LongAdder();
      bus.subscribe(
          "c.one",
          e -> {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            Thread.yield();
            running.decrementAndGet();
            seen.increment();
          },
          blocking("single"));
      runPublishers(4, 5_000, (p, i) -> bus.emit("c.one", i));
      await().atMost(30, SECONDS).until(() -> seen.sum() == 20_000);
      assertThat(maxRunning.get()).isEqualTo(1);
    }

    @Test
    void concurrencyRunsHandlersInParallelAndKeepsPerKeyOrder() throws Exception {
      int n = 3;
      ExecutorService threads = Executors.newFixedThreadPool(n);
      CyclicBarrier allRunning = new CyclicBarrier(n);
      AtomicInteger barrierRounds = new AtomicInteger();
      Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
      LongAdder seen = new LongAdder();
      bus.subscribe(
          "k.event",
          Integer.class,
          e -> {
            // The first n events, on n different keys, must all be inside the handler at once.
            if (e.data() < 0) {
              allRunning.await(30, SECONDS);
              barrierRounds.incrementAndGet();
            } else {
              perKey
                  .computeIfAbsent(e.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                  .add(e.data());
            }
            seen.increment();
          },
          blocking("parallel").concurrency(n).mailboxCapacity(1 << 14).executor(threads));
      // Keys chosen to land on distinct lanes: probe until n distinct lanes are hit.
      List<String> keys = distinctLaneKeys(n);
      for (String k : keys) {
        bus.emit(Event.of("k.event", k, -1));
      }
      await().atMost(30, SECONDS).until(() -> barrierRounds.get() == n);
      for (int i = 0; i < 3_000; i++) {
        bus.emit(Event.of("k.event", "key-" + (i % 10), i));
      }
      await().atMost(30, SECONDS).until(() -> seen.sum() == n + 3_000);
      for (Map.Entry<String, List<Integer>> entry : perKey.entrySet()) {
        assertThat(entry.getValue()).isSorted();
      }
      assertThat(perKey).hasSize(10);
      bus.close(LONG);
      threads.shutdown();
    }

    private List<String> distinctLaneKeys(int n) {
      // Lane = floorMod(spread(hash), n); reproduce that spread here to pick one key per lane.
      List<String> keys = new ArrayList<>();
      boolean[] taken = new boolean[n];
      for (int i = 0; keys.size() < n; i++) {
        String k = "probe-" + i;
        int h = k.hashCode();
        h ^= h >>> 16;
        int lane = Math.floorMod(h, n);
        if (!taken[lane]) {
          taken[lane] = true;
          keys.add(k);
        }
      }
      return keys;
    }

    @Test
    void eventsFromOnePublisherArriveInPublishOrder() throws Exception {
      Map<Integer, List<Integer>> byPublisher = new ConcurrentHashMap<>();
      LongAdder seen = new LongAdder();
      bus.subscribe(
          "ordered.e",
          int[].class,
          e -> {
            byPublisher.computeIfAbsent(e.data()[0], k -> new ArrayList<>()).add(e.data()[1]);
            seen.increment();
          },
          blocking("ordered").concurrency(2));
      runPublishers(4, 10_000, (p, i) -> bus.emit("ordered.e", new int[] {p, i}));
      await().atMost(30, SECONDS).until(() -> seen.sum() == 40_000);
      assertThat(byPublisher).hasSize(4);
      byPublisher.values().forEach(list -> assertThat(list).isSorted().hasSize(10_000));
    }

    @Test
    void publishingFromAHandlerIntoItsOwnFullMailboxFailsInsteadOfDeadlocking() throws Exception {
      AtomicReference<Throwable> seen = new AtomicReference<>();
      CountDownLatch done = new CountDownLatch(1);
      bus.subscribe(
          "loop.self",
          e -> {
            if ("first".equals(e.data())) {
              try {
                // The mailbox holds 2; the third publish finds it full while this thread drains it.
                for (int i = 0; i < 3; i++) {
                  bus.emit("loop.self", "again");
                }
              } catch (MailboxFullException ex) {
                seen.set(ex);
              }
              done.countDown();
            }
          },
          blocking("self").mailboxCapacity(2));
      bus.emit("loop.self", "first");
      assertThat(done.await(30, SECONDS)).isTrue();
      assertThat(seen.get())
          .isInstanceOf(MailboxFullException.class)
          .hasMessageContaining("self")
          .hasMessageContaining("delivery thread");
    }

    @Test
    void anEffectNeverOvertakesItsCauseAtASubscription() throws Exception {
      // P publishes an effect of each cause; R takes both. E is offered to P before R (P subscribed
      // first), and on a fresh bus P's lane may run before R is offered E.
      for (int round = 0; round < causalOrderRounds(); round++) {
        if (round > 0) {
          bus.close(LONG);
          bus = newBusBuilder().listener(listener).build();
        }
        bus.subscribe(
            "causal.cause",
            e -> bus.emit(Event.causedBy(e, "causal.effect").data("F").build()),
            named("p"));
        List<String> seenByR = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch both = new CountDownLatch(2);
        bus.subscribe(
            "causal.*",
            e -> {
              seenByR.add(e.type());
              both.countDown();
            },
            named("r"));
        bus.emit("causal.cause", "E");
        assertThat(both.await(30, SECONDS)).as("round %d: R got both", round).isTrue();
        assertThat(seenByR)
            .as("round %d: what R saw", round)
            .containsExactly("causal.cause", "causal.effect");
      }
    }

    @Test
    void aCauseWhosePublisherWaitsForAFullMailboxHoldsNoWorkerAndKeepsItsOrder() throws Exception {
      bus.close(LONG);
      bus = newBusBuilder().workerThreads(1).listener(listener).build();
      // G holds the only worker while the stage is set.
      CountDownLatch gStarted = new CountDownLatch(1);
      CountDownLatch gGate = new CountDownLatch(1);
      bus.subscribe(
          "stage.gate",
          e -> {
            gStarted.countDown();
            gGate.await();
          },
          named("g"));
      bus.subscribe(
          "*.cause",
          e -> {
            if (e.type().equals("block.cause")) {
              bus.emit(Event.causedBy(e, "block.effect").data("F").build());
            }
          },
          named("p").retry(RetryPolicy.none()));
      List<String> seenByR = Collections.synchronizedList(new ArrayList<>());
      bus.subscribe("block.*", e -> seenByR.add(e.type()), blocking("r").mailboxCapacity(2));
      bus.emit("stage.gate", "hold");
      assertThat(gStarted.await(30, SECONDS)).isTrue();
      bus.emit("prep.cause", "P's lane is queued for the worker before R's");
      bus.emit("block.fill", 1);
      bus.emit("block.fill", 2); // R's mailbox is full
      ExecutorService publisher = Executors.newSingleThreadExecutor();
      try {
        AtomicReference<Thread> publishing = new AtomicReference<>();
        Future<?> cause =
            publisher.submit(
                () -> {
                  publishing.set(Thread.currentThread());
                  bus.emit("block.cause", "E"); // offered to P, then waits for room at R
                });
        await()
            .atMost(30, SECONDS)
            .until(
                () ->
                    publishing.get() != null
                        && publishing.get().getState() == Thread.State.TIMED_WAITING);
        // The worker runs P's lane first, which takes E while it is still being routed: P must give
        // the worker back for R's lane to make room, and handle E only once R holds it.
        gGate.countDown();
        cause.get(30, SECONDS);
        await()
            .atMost(30, SECONDS)
            .until(() -> seenByR.size() >= 4 || !listener.deadLetters.isEmpty());
        assertThat(listener.deadLetters).isEmpty();
        assertThat(seenByR)
            .containsExactly("block.fill", "block.fill", "block.cause", "block.effect");
      } finally {
        gGate.countDown();
        publisher.shutdownNow();
      }
    }

    @Test
    void handlersPublishingToEachOtherFlowThrough() throws Exception {
      CountDownLatch done = new CountDownLatch(1_000);
      bus.subscribe("ping", e -> bus.emit("pong", e.data()), blocking("pinger"));
      bus.subscribe("pong", e -> done.countDown(), blocking("ponger"));
      for (int i = 0; i < 1_000; i++) {
        bus.emit("ping", i);
      }
      assertThat(done.await(30, SECONDS)).isTrue();
    }
  }

  // ------------------------------------------------------------------ 5. backpressure

  @Nested
  class BackpressurePolicies {
    private CountDownLatch gate;
    private CountDownLatch inHandler;

    private Subscription gated(String name, Backpressure policy, int capacity) {
      gate = new CountDownLatch(1);
      inHandler = new CountDownLatch(1);
      return bus.subscribe(
          "bp.e",
          e -> {
            inHandler.countDown();
            gate.await();
          },
          named(name).backpressure(policy).mailboxCapacity(capacity));
    }

    /**
     * Emits {@code value} on a thread of its own, and returns once that thread waits (for room, as
     * the tests calling it expect); the future ends with the emit.
     */
    private CompletableFuture<Void> emitUntilWaiting(int value) {
      AtomicReference<Thread> publisher = new AtomicReference<>();
      CompletableFuture<Void> emit =
          CompletableFuture.runAsync(
              () -> {
                publisher.set(Thread.currentThread());
                bus.emit("bp.e", value);
              });
      awaitWaiting(publisher);
      return emit;
    }

    /** Publishes one event that the handler holds, then fills the mailbox of {@code capacity}. */
    private void fill(int capacity) throws InterruptedException {
      bus.emit("bp.e", -1);
      assertThat(inHandler.await(30, SECONDS)).isTrue();
      for (int i = 0; i < capacity; i++) {
        bus.emit("bp.e", i);
      }
    }

    @Test
    void failRefusesThePublishAndCountsIt() throws Exception {
      Subscription s = gated("fail", Backpressure.fail(), 4);
      fill(4);
      // The message says how to change the default policy and capacity.
      assertThatThrownBy(() -> bus.emit("bp.e", 99))
          .isInstanceOf(MailboxFullException.class)
          .hasMessageContaining("'fail'")
          .hasMessageContaining("policy FAIL (the default), capacity 4")
          .hasMessageContaining("SubscribeOptions.backpressure(Backpressure.block(timeout))")
          .hasMessageContaining("SubscribeOptions.mailboxCapacity(n) (default 8192)");
      CompletableFuture<PublishResult> f = bus.publish("bp.e", 100);
      assertThatThrownBy(() -> get(f)).hasCauseInstanceOf(MailboxFullException.class);
      gate.countDown();
      await().atMost(30, SECONDS).until(() -> s.stats().delivered() == 5);
      assertThat(s.stats().dropped()).isEqualTo(2);
      assertThat(s.stats().routed()).isEqualTo(7);
      assertThat(listener.drops(DropReason.REJECTED)).isEqualTo(2);
    }

    @Test
    void dropNewestDropsTheIncomingEvent() throws Exception {
      Inbox<Object> got = new Inbox<>();
      gate = new CountDownLatch(1);
      inHandler = new CountDownLatch(1);
      Subscription s =
          bus.subscribe(
              "bp.e",
              e -> {
                inHandler.countDown();
                gate.await();
                got.add(e.data());
              },
              named("newest").backpressure(Backpressure.dropNewest()).mailboxCapacity(4));
      fill(4);
      PublishResult r = get(bus.publish("bp.e", 99));
      assertThat(r.deliveries())
          .singleElement()
          .satisfies(d -> assertThat(d.dropReason()).isEqualTo(DropReason.NEWEST));
      gate.countDown();
      assertThat(got.awaitCount(5)).containsExactly(-1, 0, 1, 2, 3);
      assertThat(s.stats().dropped()).isEqualTo(1);
      assertThat(listener.drops(DropReason.NEWEST)).isEqualTo(1);
    }

    @Test
    void dropOldestEvictsTheHeadOfTheMailbox() throws Exception {
      Inbox<Object> got = new Inbox<>();
      gate = new CountDownLatch(1);
      inHandler = new CountDownLatch(1);
      Subscription s =
          bus.subscribe(
              "bp.e",
              e -> {
                inHandler.countDown();
                gate.await();
                got.add(e.data());
              },
              named("oldest").backpressure(Backpressure.dropOldest()).mailboxCapacity(4));
      fill(4);
      bus.emit("bp.e", 4);
      bus.emit("bp.e", 5);
      gate.countDown();
      assertThat(got.awaitCount(5)).containsExactly(-1, 2, 3, 4, 5);
      await().atMost(30, SECONDS).until(() -> s.stats().inFlight() == 0);
      assertThat(s.stats().dropped()).isEqualTo(2);
      assertThat(listener.drops(DropReason.OLDEST)).isEqualTo(2);
    }

    @Test
    void blockMakesThePublisherWaitForRoom() throws Exception {
      Subscription s = gated("block", Backpressure.block(LONG), 4);
      fill(4);
      CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> bus.emit("bp.e", 4));
      assertThatThrownBy(() -> blocked.get(200, java.util.concurrent.TimeUnit.MILLISECONDS))
          .isInstanceOf(TimeoutException.class);
      gate.countDown();
      blocked.get(30, SECONDS);
      await().atMost(30, SECONDS).until(() -> s.stats().delivered() == 6);
      assertThat(s.stats().dropped()).isZero();
    }

    @Test
    void blockGivesUpAfterItsTimeoutAndSaysHowToWaitLonger() throws Exception {
      onVirtualTime();
      Subscription s = gated("block-timeout", Backpressure.block(Duration.ofSeconds(30)), 4);
      fill(4);
      CompletableFuture<Void> blocked = emitUntilWaiting(4);
      clock.advance(Duration.ofSeconds(30).minusNanos(1));
      assertThat(blocked).isNotDone();
      clock.advance(Duration.ofNanos(1));
      assertThatThrownBy(() -> get(blocked))
          .hasCauseInstanceOf(MailboxFullException.class)
          .hasMessageContaining("PT30S")
          .hasMessageContaining("Backpressure.block(timeout)")
          .hasMessageContaining("SubscribeOptions.mailboxCapacity(n)");
      gate.countDown();
      await().atMost(30, SECONDS).until(() -> s.stats().delivered() == 5);
      assertThat(s.stats().dropped()).isEqualTo(1);
    }

    /**
     * Subscriptions that select the same events and block alike share one ring: the publisher waits
     * for the slowest, and when the timeout passes the event is refused to each of them, each
     * counting and reporting its drop, the refusal naming the one that held the ring back.
     */
    @Test
    void blockingSubscriptionsOfOneSelectorShareTheirRoomAndATimeoutRefusesEach() throws Exception {
      onVirtualTime();
      Backpressure policy = Backpressure.block(Duration.ofSeconds(30));
      Subscription slow = gated("shared-slow", policy, 4);
      Inbox<Object> fastGot = new Inbox<>();
      Subscription fast =
          bus.subscribe(
              "bp.e",
              e -> fastGot.add(e.data()),
              named("shared-fast").backpressure(policy).mailboxCapacity(4));
      fill(4);
      assertThat(fastGot.awaitCount(5)).containsExactly(-1, 0, 1, 2, 3);
      CompletableFuture<Void> blocked = emitUntilWaiting(4);
      clock.advance(Duration.ofSeconds(30));
      assertThatThrownBy(() -> get(blocked))
          .hasCauseInstanceOf(MailboxFullException.class)
          .hasMessageContaining("'shared-slow'")
          .hasMessageContaining("PT30S");
      gate.countDown();
      await().atMost(30, SECONDS).until(() -> slow.stats().delivered() == 5);
      bus.emit("bp.e", 5);
      assertThat(fastGot.awaitCount(6)).containsExactly(-1, 0, 1, 2, 3, 5);
      await().atMost(30, SECONDS).until(() -> slow.stats().delivered() == 6);
      assertThat(slow.stats().dropped()).isEqualTo(1);
      assertThat(fast.stats().dropped()).isEqualTo(1);
      assertThat(fast.stats().routed()).isEqualTo(7);
      assertThat(listener.drops(DropReason.REJECTED)).isEqualTo(2);
    }
  }

  // ------------------------------------------------------------------ batches

  @Nested
  class Batches {
    private List<Event<?>> batch(String type, int from, int to) {
      List<Event<?>> events = new ArrayList<>();
      for (int i = from; i < to; i++) {
        events.add(Event.of(type, i));
      }
      return events;
    }

    @Test
    void emitAllDeliversEachEventInOrderAndCountsEach() throws Exception {
      Inbox<Object> placed = new Inbox<>();
      Inbox<Object> everything = new Inbox<>();
      bus.subscribe("batch.placed", e -> placed.add(e.data()), named("placed"));
      bus.subscribe("batch.#", e -> everything.add(e.data()), named("everything"));
      List<Event<?>> events = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        // Every third event is of a type the first subscription does not take; every tenth, of a
        // type nobody takes.
        events.add(
            Event.of(i % 10 == 9 ? "nobody.e" : i % 3 == 2 ? "batch.shipped" : "batch.placed", i));
      }
      bus.emitAll(events);
      List<Integer> expectPlaced = new ArrayList<>();
      List<Integer> expectEverything = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        if (i % 10 != 9) {
          expectEverything.add(i);
          if (i % 3 != 2) {
            expectPlaced.add(i);
          }
        }
      }
      assertThat(everything.awaitCount(expectEverything.size())).isEqualTo(expectEverything);
      assertThat(placed.awaitCount(expectPlaced.size())).isEqualTo(expectPlaced);
      BusStats st = bus.stats();
      assertThat(st.published()).isEqualTo(300);
      assertThat(st.routed()).isEqualTo(270);
      assertThat(storesEvents() ? st.storedOnly() : st.unrouted()).isEqualTo(30);
      assertThat(st.subscription("everything").routed()).isEqualTo(270);
      assertThat(st.subscription("placed").routed()).isEqualTo(expectPlaced.size());
      if (storesEvents()) {
        await().atMost(30, SECONDS).until(() -> bus.stats().stored() == 300);
      }
    }

    @Test
    void publishAllGivesEachEventItsOwnFutureAndOutcome() throws Exception {
      Inbox<Object> got = new Inbox<>();
      bus.subscribe("batch.placed", e -> got.add(e.data()), named("one"));
      bus.subscribe("batch.placed", e -> {}, named("two"));
      List<Event<?>> events = batch("batch.placed", 0, 50);
      events.add(Event.of("nobody.e", 50));
      List<CompletableFuture<PublishResult>> results = bus.publishAll(events);
      assertThat(results).hasSize(51);
      for (int i = 0; i < 50; i++) {
        PublishResult r = get(results.get(i));
        assertThat(r.event()).isSameAs(events.get(i));
        assertThat(r.deliveries())
            .extracting(Delivery::subscription)
            .containsExactlyInAnyOrder("one", "two");
        assertThat(r.allHandled()).isTrue();
      }
      PublishResult nobody = get(results.get(50));
      assertThat(nobody.deliveries()).isEmpty();
      assertThat(storesEvents() ? nobody.stored() : nobody.unrouted()).isTrue();
      assertThat(got.awaitCount(50))
          .isEqualTo(batch("x", 0, 50).stream().<Object>map(Event::data).toList());
      assertThat(bus.stats().published()).isEqualTo(51);
    }

    @Test
    void aBatchLargerThanABlockingMailboxWaitsForRoomAndLosesNothing() throws Exception {
      Inbox<Object> got = new Inbox<>();
      Inbox<Object> other = new Inbox<>();
      bus.subscribe("batch.placed", e -> got.add(e.data()), blocking("small").mailboxCapacity(4));
      bus.subscribe("batch.placed", e -> other.add(e.data()), blocking("other").mailboxCapacity(4));
      List<Event<?>> events = batch("batch.placed", 0, 500);
      bus.emitAll(events);
      List<Object> expected = events.stream().<Object>map(Event::data).toList();
      assertThat(got.awaitCount(500)).isEqualTo(expected);
      assertThat(other.awaitCount(500)).isEqualTo(expected);
      assertThat(bus.stats().subscription("small").dropped()).isZero();
    }

    @Test
    void emitAllIntoAFullFailMailboxSaysWhichEventsWereRefused() throws Exception {
      CountDownLatch gate = new CountDownLatch(1);
      CountDownLatch inHandler = new CountDownLatch(1);
      Subscription full =
          bus.subscribe(
              "batch.placed",
              e -> {
                inHandler.countDown();
                gate.await();
              },
              named("full").mailboxCapacity(4));
      Inbox<Object> roomy = new Inbox<>();
      bus.subscribe("batch.placed", e -> roomy.add(e.data()), named("roomy"));
      bus.emit("batch.placed", -1);
      assertThat(inHandler.await(30, SECONDS)).isTrue();
      List<Event<?>> events = batch("batch.placed", 0, 7);
      assertThatThrownBy(() -> bus.emitAll(events))
          .isInstanceOfSatisfying(
              BatchRefusedException.class,
              e -> {
                assertThat(e.refused()).containsExactly(4, 5, 6);
                assertThat(e.subscription()).isEqualTo("full");
                assertThat(e.getCause()).isInstanceOf(MailboxFullException.class);
              })
          .hasMessageContaining("3 of the 7 events")
          .hasMessageContaining("policy FAIL");
      // The refused events still reached the subscription that had room.
      assertThat(roomy.awaitCount(8)).containsExactly(-1, 0, 1, 2, 3, 4, 5, 6);
      gate.countDown();
      await().atMost(30, SECONDS).until(() -> full.stats().inFlight() == 0);
      assertThat(full.stats().delivered()).isEqualTo(5);
      assertThat(full.stats().dropped()).isEqualTo(3);
      assertThat(listener.drops(DropReason.REJECTED)).isEqualTo(3);
      assertThat(bus.stats().published()).isEqualTo(8);
    }

    @Test
    void publishAllFailsOnlyTheFuturesOfRefusedEvents() throws Exception {
      CountDownLatch gate = new CountDownLatch(1);
      CountDownLatch inHandler = new CountDownLatch(1);
      bus.subscribe(
          "batch.placed",
          e -> {
            inHandler.countDown();
            gate.await();
          },
          named("full").mailboxCapacity(4));
      bus.emit("batch.placed", -1);
      assertThat(inHandler.await(30, SECONDS)).isTrue();
      List<CompletableFuture<PublishResult>> results = bus.publishAll(batch("batch.placed", 0, 6));
      for (int i = 4; i < 6; i++) {
        CompletableFuture<PublishResult> refused = results.get(i);
        assertThatThrownBy(() -> get(refused)).hasCauseInstanceOf(MailboxFullException.class);
      }
      gate.countDown();
      for (int i = 0; i < 4; i++) {
        assertThat(get(results.get(i)).allHandled()).isTrue();
      }
    }

    @Test
    void aBatchWithANullEventPublishesNothing() {
      Inbox<Object> got = new Inbox<>();
      bus.subscribe("batch.placed", e -> got.add(e.data()), named("one"));
      List<Event<?>> events = batch("batch.placed", 0, 3);
      events.add(1, null);
      assertThatThrownBy(() -> bus.emitAll(events))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("events[1]");
      assertThatThrownBy(() -> bus.publishAll(events)).isInstanceOf(NullPointerException.class);
      assertThat(bus.stats().published()).isZero();
      bus.emitAll(List.of());
      assertThat(bus.publishAll(List.of())).isEmpty();
      assertThat(bus.stats().published()).isZero();
    }

    @Test
    void aBatchAfterCloseSaysTheBusIsClosed() {
      bus.close(LONG);
      List<Event<?>> events = batch("batch.placed", 0, 3);
      assertThatThrownBy(() -> bus.emitAll(events))
          .isInstanceOf(BusClosedException.class)
          .hasMessageContaining("emitAll");
      assertThatThrownBy(() -> bus.publishAll(events)).isInstanceOf(BusClosedException.class);
    }

    @Test
    void anEffectNeverOvertakesItsCauseInABatch() throws Exception {
      bus.subscribe(
          "causal.cause",
          e -> bus.emit(Event.causedBy(e, "causal.effect").data(e.data()).build()),
          named("p"));
      List<String> seenByR = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch all = new CountDownLatch(200);
      bus.subscribe(
          "causal.*",
          e -> {
            seenByR.add(e.type() + " " + e.data());
            all.countDown();
          },
          named("r"));
      bus.emitAll(batch("causal.cause", 0, 100));
      assertThat(all.await(30, SECONDS)).isTrue();
      for (int i = 0; i < 100; i++) {
        assertThat(seenByR.indexOf("causal.cause " + i))
            .as("cause %d before its effect", i)
            .isLessThan(seenByR.indexOf("causal.effect " + i));
      }
    }
  }

  // ------------------------------------------------------------------ 6. outcomes and failures

  static final class Transient extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Transient(String m) {
      super(m);
    }
  }

  static final class Permanent extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Permanent(String m) {
      super(m);
    }
  }

  @Nested
  class Outcomes {
    @Test
    void publishCompletesWithTheOutcomePerSubscriber() throws Exception {
      bus.subscribe("o.e", e -> {}, named("ok"));
      bus.subscribe(
          "o.e",
          e -> {
            throw new Permanent("boom");
          },
          named("broken"));
      PublishResult r = get(bus.publish("o.e", 1));
      assertThat(r.deliveries())
          .extracting(Delivery::subscription, Delivery::outcome, Delivery::attempts)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("ok", Delivery.Outcome.HANDLED, 1),
              org.assertj.core.groups.Tuple.tuple("broken", Delivery.Outcome.DEAD_LETTERED, 1));
      assertThat(r.allHandled()).isFalse();
    }

    @Test
    void aFailingHandlerNeverAffectsOthers() throws Exception {
      Inbox<Object> healthy = new Inbox<>();
      bus.subscribe(
          "f.e",
          e -> {
            throw new IllegalStateException("always");
          },
          named("failing"));
      bus.subscribe("f.e", e -> healthy.add(e.data()), named("healthy"));
      for (int i = 0; i < 50; i++) {
        bus.emit("f.e", i);
      }
      assertThat(healthy.awaitCount(50)).hasSize(50);
    }

    /**
     * A JVM error from a handler is that event's failure: dead-lettered (the default policy tries
     * once), counted, reported, and the subscription goes on with the next event.
     */
    @ParameterizedTest
    @ValueSource(classes = {StackOverflowError.class, OutOfMemoryError.class, InternalError.class})
    void aHandlerThrowingAJvmErrorFailsThatEventAndTheSubscriptionGoesOn(Class<?> type)
        throws Exception {
      Inbox<Object> handled = new Inbox<>();
      Inbox<DeadLetter> dead = new Inbox<>();
      bus.subscribe(DeadLetter.class, dead::add, named("dlq"));
      Subscription s =
          bus.subscribe(
              "jvm.e",
              e -> {
                if ("bad".equals(e.data())) {
                  throw (Error) type.getConstructor(String.class).newInstance("from the handler");
                }
                handled.add(e.data());
              },
              named("fragile"));
      PublishResult bad = bus.publish("jvm.e", "bad").get(10, SECONDS);
      assertThat(bad.deliveries())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.outcome()).isEqualTo(Delivery.Outcome.DEAD_LETTERED);
                assertThat(d.failure()).isInstanceOf(type).hasMessage("from the handler");
              });
      PublishResult good = bus.publish("jvm.e", "good").get(10, SECONDS);
      assertThat(good.allHandled()).isTrue();
      assertThat(handled.awaitCount(1)).containsExactly("good");
      assertThat(dead.awaitCount(1).get(0).causeType()).isEqualTo(type.getName());
      assertThat(listener.failures.sum()).isEqualTo(1);
      SubscriptionStats st = s.stats();
      assertThat(st.routed()).isEqualTo(2);
      assertThat(st.delivered()).isEqualTo(1);
      assertThat(st.failed()).isEqualTo(1);
      assertThat(st.deadLettered()).isEqualTo(1);
      assertThat(st.inFlight()).isZero();
      CloseReport report = bus.close(LONG);
      assertThat(report.drained()).isTrue();
      assertThat(report.totalUndelivered()).isZero();
    }

    /**
     * The same for emitted events deep in a lane's run, whose handler calls are mostly not timed
     * (one in many is): each failure, a JVM error or an exception, is dead-lettered, counted and
     * reported, and every other event is delivered, in order.
     */
    @Test
    void emittedEventsThatFailAmongManyAreEachAccountedFor() throws Exception {
      Inbox<Object> handled = new Inbox<>();
      Inbox<DeadLetter> dead = new Inbox<>();
      bus.subscribe(DeadLetter.class, dead::add, named("dlq"));
      Subscription s =
          bus.subscribe(
              "jvm.many",
              e -> {
                int n = (Integer) e.data();
                if (n % 10 == 3) {
                  throw new StackOverflowError("deep " + n);
                }
                if (n % 10 == 7) {
                  throw new IllegalStateException("bad " + n);
                }
                handled.add(n);
              },
              named("fragile"));
      List<Integer> good = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        bus.emit("jvm.many", i);
        if (i % 10 != 3 && i % 10 != 7) {
          good.add(i);
        }
      }
      assertThat(handled.awaitCount(240)).containsExactlyElementsOf(good);
      List<DeadLetter> letters = dead.awaitCount(60);
      assertThat(
              letters.stream()
                  .filter(d -> d.causeType().equals(StackOverflowError.class.getName())))
          .hasSize(30);
      assertThat(
              letters.stream()
                  .filter(d -> d.causeType().equals(IllegalStateException.class.getName())))
          .hasSize(30);
      CloseReport report = bus.close(LONG);
      assertThat(report.drained()).isTrue();
      assertThat(report.totalUndelivered()).isZero();
      assertThat(listener.failures.sum()).isEqualTo(60);
      SubscriptionStats st = s.stats();
      assertThat(st.routed()).isEqualTo(300);
      assertThat(st.delivered()).isEqualTo(240);
      assertThat(st.failed()).isEqualTo(60);
      assertThat(st.deadLettered()).isEqualTo(60);
      assertThat(st.inFlight()).isZero();
    }

    /** The same on an executor of the user's, whose thread may end with the error. */
    @Test
    void aJvmErrorOnTheUsersExecutorLeavesTheSubscriptionDelivering() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(1);
      try {
        bus.close(LONG);
        bus = newBusBuilder().executor(pool).listener(listener).build();
        Inbox<Object> handled = new Inbox<>();
        bus.subscribe(
            "jvm.u",
            e -> {
              if ("bad".equals(e.data())) {
                throw new OutOfMemoryError("from the handler");
              }
              handled.add(e.data());
            },
            named("fragile"));
        bus.emit("jvm.u", "bad");
        PublishResult good = bus.publish("jvm.u", "good").get(10, SECONDS);
        assertThat(good.allHandled()).isTrue();
        assertThat(handled.awaitCount(1)).containsExactly("good");
        assertThat(bus.close(LONG).drained()).isTrue();
      } finally {
        pool.shutdownNow();
      }
    }

    /**
     * An error escaping the lane's own bookkeeping (here a listener's, which Herald does not catch)
     * goes to the worker thread, and the subscription still delivers what comes after.
     */
    @Test
    void anErrorFromTheListenerDoesNotStopTheSubscription() throws Exception {
      bus.close(LONG);
      AtomicInteger calls = new AtomicInteger();
      bus =
          newBusBuilder()
              .listener(
                  new BusListener() {
                    @Override
                    public void onHandled(String s, Event<?> e, int attempts, long nanos) {
                      if ("listened".equals(s) && calls.incrementAndGet() == 1) {
                        throw new AssertionError("listener broken once");
                      }
                    }
                  })
              .build();
      Inbox<Object> handled = new Inbox<>();
      bus.subscribe("l.e", e -> handled.add(e.data()), named("listened"));
      bus.emit("l.e", 1);
      PublishResult second = bus.publish("l.e", 2).get(10, SECONDS);
      assertThat(second.allHandled()).isTrue();
      assertThat(handled.awaitCount(2)).containsExactly(1, 2);
    }

    @Test
    void anErrorFromTheListenerIsCountedAndItsEventStillCompletes() throws Exception {
      bus.close(LONG);
      bus =
          newBusBuilder()
              .listener(
                  new BusListener() {
                    @Override
                    public void onHandled(String s, Event<?> e, int attempts, long nanos) {
                      if ("listened".equals(s)) {
                        throw new InternalError("listener broken");
                      }
                    }
                  })
              .build();
      bus.subscribe("l.e", e -> {}, named("listened"));
      PublishResult first = bus.publish("l.e", 1).get(10, SECONDS);
      assertThat(first.allHandled()).isTrue();
      assertThat(bus.publish("l.e", 2).get(10, SECONDS).allHandled()).isTrue();
      assertThat(bus.stats().listenerErrors()).isEqualTo(2);
    }

    @Test
    void retriesWithBackoffThenSucceeds() throws Exception {
      onVirtualTime();
      AtomicInteger calls = new AtomicInteger();
      Subscription s =
          bus.subscribe(
              "r.e",
              e -> {
                if (calls.incrementAndGet() < 3) {
                  throw new Transient("try again");
                }
              },
              named("retrying")
                  .retry(
                      RetryPolicy.exponential(5, Duration.ofSeconds(10), Duration.ofSeconds(30))
                          .withJitter(0)));
      CompletableFuture<PublishResult> published = bus.publish("r.e", 1);
      // The backoff doubles: 10 s, then 20 s, each passing only when the clock does.
      for (Duration backoff : List.of(Duration.ofSeconds(10), Duration.ofSeconds(20))) {
        await().atMost(30, SECONDS).until(() -> clock.pendingTasks() == 1);
        clock.advance(backoff.minusNanos(1));
        assertThat(published).isNotDone();
        clock.advance(Duration.ofNanos(1));
      }
      PublishResult r = get(published);
      assertThat(r.deliveries())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.outcome()).isEqualTo(Delivery.Outcome.HANDLED);
                assertThat(d.attempts()).isEqualTo(3);
              });
      SubscriptionStats st = s.stats();
      assertThat(st.failed()).isEqualTo(2);
      assertThat(st.retried()).isEqualTo(2);
      assertThat(st.delivered()).isEqualTo(1);
      assertThat(st.deadLettered()).isZero();
    }

    /**
     * Durations past what a long of nanoseconds holds (292 years) mean "for ever": a retry's
     * longest delay or a block timeout of 200,000 days is accepted, and the first failure is
     * retried after the first delay, not lost to an overflow on the delivery thread.
     */
    @Test
    void durationsTooLongForNanosecondsMeanForEver() throws Exception {
      onVirtualTime();
      AtomicInteger calls = new AtomicInteger();
      Duration forEver = Duration.ofDays(200_000);
      Subscription s =
          bus.subscribe(
              "r.long",
              e -> {
                if (calls.incrementAndGet() < 2) {
                  throw new Transient("try again");
                }
              },
              named("patient")
                  .backpressure(Backpressure.block(forEver))
                  .retry(RetryPolicy.exponential(5, Duration.ofSeconds(1), forEver).withJitter(0)));
      CompletableFuture<PublishResult> published = bus.publish("r.long", 1);
      await().atMost(30, SECONDS).until(() -> clock.pendingTasks() == 1);
      clock.advance(Duration.ofSeconds(1));
      assertThat(get(published).deliveries())
          .singleElement()
          .satisfies(d -> assertThat(d.attempts()).isEqualTo(2));
      assertThat(s.stats().retried()).isEqualTo(1);
      assertThat(s.stats().delivered()).isEqualTo(1);
    }

    /**
     * The dead letter of a stored record that did not decode holds a placeholder, not the event:
     * redriving it is refused with the decoding error, and nothing is published.
     */
    @Test
    void aDeadLetterOfAnUndecodableRecordIsNotRedrivenAsIs() {
      Transport.UndecodableData record = () -> "malformed JSON at byte 12";
      Event<Transport.UndecodableData> placeholder = Event.of("order.placed", record);
      DeadLetter dl =
          new DeadLetter(
              placeholder,
              "orders",
              0,
              IllegalArgumentException.class.getName(),
              "malformed JSON at byte 12",
              null,
              Instant.EPOCH);
      long published = bus.stats().published();
      assertThatThrownBy(() -> bus.redrive(dl))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("did not decode (malformed JSON at byte 12)");
      assertThat(bus.stats().published()).isEqualTo(published);
    }

    @Test
    void retryKeepsOrderWithinTheSubscription() throws Exception {
      List<Integer> order = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger failuresLeft = new AtomicInteger(2);
      bus.subscribe(
          "r.order",
          Integer.class,
          e -> {
            if (e.data() == 0 && failuresLeft.getAndDecrement() > 0) {
              throw new Transient("first event fails twice");
            }
            order.add(e.data());
          },
          blocking("ordered-retry")
              .retry(RetryPolicy.exponential(5, Duration.ofMillis(1), Duration.ofMillis(2))));
      for (int i = 0; i < 20; i++) {
        bus.emit("r.order", i);
      }
      await().atMost(30, SECONDS).until(() -> order.size() == 20);
      assertThat(order).isSorted();
    }

    @Test
    void afterTheLastAttemptTheEventIsDeadLetteredWithItsCause() throws Exception {
      Inbox<DeadLetter> dead = new Inbox<>();
      bus.subscribe(DeadLetter.class, dead::add, named("dlq"));
      Subscription s =
          bus.subscribe(
              "payment.charge",
              e -> {
                throw new Transient("card declined");
              },
              named("payments")
                  .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(2))));
      Event<String> event = Event.of("payment.charge", "o-9", "charge o-9");
      PublishResult r = get(bus.publish(event));
      assertThat(r.deliveries().get(0).outcome()).isEqualTo(Delivery.Outcome.DEAD_LETTERED);
      DeadLetter dl = dead.awaitCount(1).get(0);
      assertThat(dl.event()).isEqualTo(event);
      assertThat(dl.subscription()).isEqualTo("payments");
      assertThat(dl.attempts()).isEqualTo(3);
      assertThat(dl.causeType()).isEqualTo(Transient.class.getName());
      assertThat(dl.causeMessage()).isEqualTo("card declined");
      assertThat(s.stats().deadLettered()).isEqualTo(1);
      assertThat(listener.deadLetters).hasSize(1);
    }

    @Test
    void abortOnSkipsTheRemainingAttempts() throws Exception {
      AtomicInteger calls = new AtomicInteger();
      bus.subscribe(
          "a.e",
          e -> {
            calls.incrementAndGet();
            throw new Permanent("no");
          },
          named("aborting")
              .retry(
                  RetryPolicy.exponential(5, Duration.ofMillis(1), Duration.ofMillis(2))
                      .abortOn(Permanent.class)));
      PublishResult r = get(bus.publish("a.e", 1));
      assertThat(r.deliveries().get(0).attempts()).isEqualTo(1);
      assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void deadLettersCanBeRedriven() throws Exception {
      AtomicInteger calls = new AtomicInteger();
      Inbox<Object> handled = new Inbox<>();
      Inbox<DeadLetter> dead = new Inbox<>();
      bus.subscribe(DeadLetter.class, dead::add, named("dlq"));
      bus.subscribe(
          "flaky.e",
          e -> {
            if (calls.incrementAndGet() == 1) {
              throw new Transient("down");
            }
            handled.add(e.id());
          },
          named("flaky"));
      Event<String> event = Event.of("flaky.e", "payload");
      get(bus.publish(event));
      DeadLetter dl = dead.awaitCount(1).get(0);
      PublishResult again = get(bus.redrive(dl));
      assertThat(again.allHandled()).isTrue();
      assertThat(handled.awaitCount(1)).containsExactly(event.id());
    }

    @Test
    void aRedriveReachesOnlyTheSubscriptionThatDeadLetteredTheEvent() throws Exception {
      AtomicInteger calls = new AtomicInteger();
      Inbox<String> flaky = new Inbox<>();
      Inbox<String> steady = new Inbox<>();
      Inbox<DeadLetter> dead = new Inbox<>();
      bus.subscribe(DeadLetter.class, dead::add, named("dlq"));
      bus.subscribe("redrive.e", e -> steady.add(e.id()), named("steady"));
      bus.subscribe(
          "redrive.e",
          e -> {
            if (calls.incrementAndGet() == 1) {
              throw new Transient("down");
            }
            flaky.add(e.id());
          },
          named("flaky"));
      Event<String> event = Event.of("redrive.e", "payload");
      get(bus.publish(event));
      DeadLetter dl = dead.awaitCount(1).get(0);
      PublishResult again = get(bus.redrive(dl));
      assertThat(again.deliveries()).extracting(Delivery::subscription).containsExactly("flaky");
      assertThat(flaky.awaitCount(1)).containsExactly(event.id());
      assertThat(steady.awaitCount(1)).containsExactly(event.id());
      assertThat(bus.stats().subscription("steady").delivered()).isEqualTo(1);
    }

    @Test
    void aFailingDeadLetterHandlerDoesNotLoop() throws Exception {
      LongAdder dlqCalls = new LongAdder();
      bus.subscribe(
          DeadLetter.class,
          d -> {
            dlqCalls.increment();
            throw new Permanent("dlq broken too");
          },
          named("broken-dlq"));
      bus.subscribe(
          "x.e",
          e -> {
            throw new Permanent("x");
          },
          named("x"));
      get(bus.publish("x.e", 1));
      await().atMost(30, SECONDS).until(() -> listener.deadLetters.size() == 2);
      assertThat(dlqCalls.sum()).isEqualTo(1);
    }

    @Test
    void unmatchedEventsGoToTheUnroutedChannelUnlessTheTransportStoresThem() throws Exception {
      Inbox<Event<Object>> unrouted = new Inbox<>();
      bus.subscribeUnrouted(unrouted::add, named("unrouted"));
      bus.subscribe("known.e", e -> {}, named("known"));
      PublishResult known = get(bus.publish("known.e", 1));
      PublishResult unknown = get(bus.publish("unknown.e", 2));
      assertThat(known.unrouted()).isFalse();
      assertThat(known.stored()).isEqualTo(storesEvents());
      assertThat(known.deliveries()).extracting(Delivery::subscription).containsExactly("known");
      BusStats st = bus.stats();
      assertThat(st.published()).isEqualTo(2);
      assertThat(st.routed()).isEqualTo(1);
      assertThat(st.routed() + st.storedOnly() + st.unrouted()).isEqualTo(st.published());
      if (storesEvents()) {
        // Stored for durable subscriptions, wherever they run: it did not go nowhere.
        assertThat(unknown.stored()).isTrue();
        assertThat(unknown.unrouted()).isFalse();
        assertThat(unknown.deliveries()).isEmpty(); // the unrouted channel never took it
        assertThat(listener.unrouted).isEmpty();
        assertThat(st.storedOnly()).isEqualTo(1);
        assertThat(st.unrouted()).isZero();
        assertThat(st.stored()).isEqualTo(2);
      } else {
        // The result and the counters agree: unrouted, though the unrouted channel took it.
        assertThat(unknown.unrouted()).isTrue();
        assertThat(unknown.stored()).isFalse();
        assertThat(unknown.deliveries())
            .extracting(Delivery::subscription, Delivery::outcome)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("unrouted", Delivery.Outcome.HANDLED));
        assertThat(unrouted.awaitCount(1)).extracting(Event::type).containsExactly("unknown.e");
        assertThat(listener.unrouted).extracting(Event::type).containsExactly("unknown.e");
        assertThat(st.storedOnly()).isZero();
        assertThat(st.unrouted()).isEqualTo(1);
        assertThat(st.stored()).isZero();
      }
    }

    @Test
    void everyEventIsAccountedFor() throws Exception {
      AtomicInteger n = new AtomicInteger();
      Subscription flaky =
          bus.subscribe(
              "acct.#",
              e -> {
                if (n.incrementAndGet() % 7 == 0) {
                  throw new Permanent("every seventh");
                }
              },
              blocking("flaky"));
      CountDownLatch gate = new CountDownLatch(1);
      Subscription lossy =
          bus.subscribe(
              "acct.#",
              e -> gate.await(),
              named("lossy").backpressure(Backpressure.dropNewest()).mailboxCapacity(16));
      Subscription evicting =
          bus.subscribe(
              "acct.#",
              e -> gate.await(),
              named("evicting").backpressure(Backpressure.dropOldest()).mailboxCapacity(16));
      runPublishers(4, 2_000, (p, i) -> bus.emit(i % 10 == 0 ? "other.e" : "acct.e", i));
      gate.countDown();
      await()
          .atMost(30, SECONDS)
          .until(
              () ->
                  flaky.stats().inFlight() == 0
                      && lossy.stats().inFlight() == 0
                      && evicting.stats().inFlight() == 0);
      // Dead letters are events on the bus too; with no dead-letter subscriber they are unrouted,
      // or stored only when the transport stores events.
      long deadLetters = flaky.stats().deadLettered();
      if (storesEvents()) {
        await().atMost(30, SECONDS).until(() -> bus.stats().stored() == 8_000 + deadLetters);
      }
      BusStats st = bus.stats();
      assertThat(st.published()).isEqualTo(8_000 + deadLetters);
      assertThat(st.routed() + st.storedOnly() + st.unrouted()).isEqualTo(st.published());
      assertThat(st.routed()).isEqualTo(7_200);
      assertThat(storesEvents() ? st.storedOnly() : st.unrouted()).isEqualTo(800 + deadLetters);
      assertThat(storesEvents() ? st.unrouted() : st.storedOnly()).isZero();
      assertThat(st.stored()).isEqualTo(storesEvents() ? st.published() : 0);
      assertThat(st.storeFailed()).isZero();
      for (Subscription s : List.of(flaky, lossy, evicting)) {
        SubscriptionStats ss = s.stats();
        assertThat(ss.routed()).as(ss.name()).isEqualTo(7_200);
        assertThat(ss.delivered() + ss.deadLettered() + ss.dropped())
            .as(ss.name())
            .isEqualTo(ss.routed());
      }
      assertThat(flaky.stats().deadLettered()).isGreaterThan(0);
      assertThat(lossy.stats().dropped()).isGreaterThan(0);
      assertThat(evicting.stats().dropped()).isGreaterThan(0);
    }

    @Test
    void theListenerHearsEveryHandledEventAndCannotBreakDelivery() throws Exception {
      LongAdder handled = new LongAdder();
      bus.close();
      bus =
          newBusBuilder()
              .listener(
                  new BusListener() {
                    @Override
                    public void onHandled(String s, Event<?> e, int attempts, long nanos) {
                      handled.increment();
                      throw new IllegalStateException("a broken listener");
                    }
                  })
              .build();
      AtomicInteger calls = new AtomicInteger();
      bus.subscribe(
          "l.e",
          e -> {
            if (calls.incrementAndGet() == 1) {
              throw new Transient("once");
            }
          },
          named("listened")
              .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(1))));
      for (int i = 0; i < 10; i++) {
        assertThat(get(bus.publish("l.e", i)).allHandled()).isTrue();
      }
      assertThat(handled.sum()).isEqualTo(10);
    }

    @Test
    void listenerErrorsAndDropsByReasonAreInTheBusStats() throws Exception {
      bus.close();
      bus =
          newBusBuilder()
              .listener(
                  new BusListener() {
                    @Override
                    public void onHandled(String s, Event<?> e, int attempts, long nanos) {
                      throw new IllegalStateException("a broken listener");
                    }

                    @Override
                    public void onDropped(String s, Event<?> e, DropReason reason) {
                      throw new IllegalStateException("a broken listener");
                    }
                  })
              .build();
      CountDownLatch inHandler = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Subscription s =
          bus.subscribe(
              "st.e",
              e -> {
                inHandler.countDown();
                release.await();
              },
              named("shedding").backpressure(Backpressure.dropNewest()).mailboxCapacity(2));
      bus.emit("st.e", -1);
      assertThat(inHandler.await(30, SECONDS)).isTrue();
      for (int i = 0; i < 5; i++) {
        bus.emit("st.e", i); // two fit, three are dropped
      }
      release.countDown();
      await().atMost(30, SECONDS).until(() -> s.stats().delivered() == 3);
      s.close();
      BusStats stats = bus.stats();
      // Counted over the bus's life: the closed subscription's drops stay in.
      assertThat(stats.subscription("shedding")).isNull();
      assertThat(stats.dropped(DropReason.NEWEST)).isEqualTo(3);
      assertThat(stats.droppedByReason())
          .containsOnlyKeys(DropReason.values())
          .containsEntry(DropReason.OLDEST, 0L)
          .containsEntry(DropReason.REJECTED, 0L)
          .containsEntry(DropReason.CLOSED, 0L);
      // Three deliveries heard by onHandled (the last a moment after it counts as delivered), three
      // drops by onDropped: each call threw, and none more.
      await().atMost(30, SECONDS).until(() -> bus.stats().listenerErrors() >= 6);
      assertThat(bus.stats().listenerErrors()).isEqualTo(6);
    }

    @Test
    void latencyIsMeasured() throws Exception {
      Subscription s = bus.subscribe("lat.e", e -> {}, named("lat"));
      for (int i = 0; i < 100; i++) {
        get(bus.publish("lat.e", i));
      }
      SubscriptionStats st = s.stats();
      assertThat(st.latencyMaxNanos()).isGreaterThan(0);
      assertThat(st.latencyP99Nanos()).isLessThanOrEqualTo(st.latencyMaxNanos());
      assertThat(st.latencyP50Nanos()).isLessThanOrEqualTo(st.latencyP99Nanos());
    }
  }

  // ------------------------------------------------------------------ 7. request / reply

  @Nested
  class RequestReply {
    @Test
    void aResponderAnswers() throws Exception {
      bus.respond("price.quote", String.class, req -> req.data().length() * 10);
      Integer price = get(bus.request("price.quote", "apple", Integer.class, LONG));
      assertThat(price).isEqualTo(50);
    }

    @Test
    void noResponderFailsAtOnce() {
      CompletableFuture<String> f =
          bus.request("nobody.home", "x", String.class, Duration.ofSeconds(30));
      assertThatThrownBy(() -> get(f))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(NoResponderException.class)
          .hasMessageContaining("nobody.home");
    }

    @Test
    void aSilentResponderTimesOut() {
      onVirtualTime();
      bus.subscribe("silent.q", e -> {});
      CompletableFuture<String> f =
          bus.request("silent.q", "x", String.class, Duration.ofSeconds(5));
      clock.advance(Duration.ofSeconds(5).minusNanos(1));
      assertThat(f).isNotDone();
      clock.advance(Duration.ofNanos(1));
      assertThatThrownBy(() -> get(f))
          .hasCauseInstanceOf(RequestTimeoutException.class)
          .hasMessageContaining("silent.q");
    }

    @Test
    void aFailingResponderFailsTheRequest() {
      bus.respond(
          "fail.q",
          String.class,
          req -> {
            throw new IllegalArgumentException("bad request");
          });
      CompletableFuture<String> f = bus.request("fail.q", "x", String.class, LONG);
      assertThatThrownBy(() -> get(f))
          .hasCauseInstanceOf(RemoteFailureException.class)
          .hasMessageContaining("bad request");
    }

    @Test
    void aResponderThatThrowsAnErrorFailsTheRequestAtOnce() {
      bus.respond(
          "error.q",
          String.class,
          req -> {
            throw new AssertionError("broken invariant");
          });
      CompletableFuture<String> f = bus.request("error.q", "x", String.class, LONG);
      // Well within the request's own timeout: the failure is the reply, not the timeout.
      assertThatThrownBy(() -> f.get(10, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(RemoteFailureException.class)
          .hasMessageContaining("AssertionError")
          .hasMessageContaining("broken invariant");
    }

    @Test
    void theRepliesNameIsReservedSoRequestsKeepWorking() throws Exception {
      assertThatThrownBy(() -> bus.subscribe("a.b", e -> {}, named("herald.replies")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("herald.replies")
          .hasMessageContaining("reserved");
      bus.respond("twice.q", Integer.class, req -> req.data() * 2);
      assertThat(get(bus.request("twice.q", 21, Integer.class, LONG))).isEqualTo(42);
      assertThatThrownBy(() -> bus.subscribe("a.b", e -> {}, named("herald.replies")))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefused() {
      bus.respond("t.q", Integer.class, req -> req.data());
      for (Duration bad : List.of(Duration.ofMillis(-1), Duration.ZERO)) {
        assertThatThrownBy(() -> bus.request("t.q", 1, Integer.class, bad))
            .as(bad.toString())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("timeout");
      }
    }

    @Test
    void pendingRequestsAreBoundedAndFreedByTheirReplies() throws Exception {
      bus.close(LONG);
      bus = newBusBuilder().listener(listener).maxPendingRequests(4).build();
      CountDownLatch release = new CountDownLatch(1);
      bus.respond(
          "slow.q",
          Integer.class,
          req -> {
            release.await();
            return req.data();
          });
      List<CompletableFuture<Integer>> pending = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        pending.add(bus.request("slow.q", i, Integer.class, LONG));
      }
      CompletableFuture<Integer> fifth = bus.request("slow.q", 4, Integer.class, LONG);
      assertThatThrownBy(() -> fifth.get(10, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TooManyRequestsException.class)
          .hasMessageContaining("4 requests")
          .hasMessageContaining("maxPendingRequests");
      release.countDown();
      for (int i = 0; i < 4; i++) {
        assertThat(get(pending.get(i))).isEqualTo(i);
      }
      // Every reply freed its place: four more fit again.
      for (int i = 0; i < 4; i++) {
        assertThat(get(bus.request("slow.q", 10 + i, Integer.class, LONG))).isEqualTo(10 + i);
      }
    }

    @Test
    void manyConcurrentRequestsGetTheirOwnReplies() throws Exception {
      bus.respond("echo.q", Integer.class, req -> req.data() * 2, named("echo").concurrency(2));
      List<CompletableFuture<Integer>> replies = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        replies.add(bus.request("echo.q", i, Integer.class, LONG));
      }
      for (int i = 0; i < 500; i++) {
        assertThat(get(replies.get(i))).isEqualTo(i * 2);
      }
    }
  }

  // ------------------------------------------------------------------ 8. lifecycle

  @Nested
  class Lifecycle {
    @Test
    void publishAfterCloseSaysTheBusIsClosed() {
      assertThat(bus.isClosed()).isFalse();
      bus.close();
      assertThat(bus.isClosed()).isTrue();
      assertThatThrownBy(() -> bus.emit("a.b", 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("bus is closed");
      assertThatThrownBy(() -> bus.publish("a.b", 1)).isInstanceOf(BusClosedException.class);
      assertThatThrownBy(() -> bus.subscribe("a.b", e -> {}))
          .isInstanceOf(BusClosedException.class);
    }

    @Test
    void requestAfterCloseNamesRequest() {
      bus.close();
      assertThatThrownBy(() -> bus.request("price.quote", "apple", Integer.class, LONG))
          .isInstanceOf(BusClosedException.class)
          .hasMessage("the bus is closed: cannot request");
    }

    @Test
    void requestAfterCloseNamesRequestAfterEarlierRequests() throws Exception {
      bus.respond("price.quote", String.class, req -> req.data().length() * 10);
      assertThat(get(bus.request("price.quote", "apple", Integer.class, LONG))).isEqualTo(50);
      bus.close();
      assertThatThrownBy(() -> bus.request("price.quote", "apple", Integer.class, LONG))
          .isInstanceOf(BusClosedException.class)
          .hasMessage("the bus is closed: cannot request");
    }

    @Test
    void closeRefusesANegativeOrNullTimeoutAndTakesZero() {
      assertThatThrownBy(() -> bus.close(Duration.ofSeconds(-5)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timeout");
      assertThatThrownBy(() -> bus.close(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("timeout");
      // Refused at the call: the bus is still open.
      bus.emit("a.b", 1);
      bus.close(Duration.ZERO);
      assertThatThrownBy(() -> bus.emit("a.b", 2)).isInstanceOf(BusClosedException.class);
    }

    @Test
    void closeDrainsWhatIsInFlight() {
      LongAdder handled = new LongAdder();
      bus.subscribe(
          "drain.e",
          e -> {
            handled.increment();
            Thread.yield();
          },
          blocking("drain").mailboxCapacity(1 << 14));
      for (int i = 0; i < 10_000; i++) {
        bus.emit("drain.e", i);
      }
      CloseReport report = bus.close(LONG);
      assertThat(report.drained()).isTrue();
      assertThat(report.totalUndelivered()).isZero();
      assertThat(report.threadsStopped()).isTrue();
      assertThat(handled.sum()).isEqualTo(10_000);
    }

    @Test
    void aHandlerThatClosesItsSubscriptionAndThrowsInterruptedLeavesTheEventUndelivered()
        throws Exception {
      // Subscription's Javadoc: neither retried nor dead-lettered, left behind as close leaves it.
      AtomicInteger calls = new AtomicInteger();
      AtomicReference<Subscription> self = new AtomicReference<>();
      CountDownLatch subscribed = new CountDownLatch(1);
      Subscription s =
          bus.subscribe(
              "stop.e",
              e -> {
                calls.incrementAndGet();
                subscribed.await();
                self.get().close();
                throw new InterruptedException("told to stop");
              },
              named("stopping")
                  .retry(RetryPolicy.exponential(5, Duration.ofMillis(1), Duration.ofMillis(2))));
      self.set(s);
      subscribed.countDown();
      bus.emit("stop.e", 1);
      await().atMost(30, SECONDS).until(() -> listener.drops(DropReason.CLOSED) == 1);
      assertThat(calls.get()).as("not retried").isEqualTo(1);
      assertThat(listener.deadLetters).as("not dead-lettered").isEmpty();
      assertThat(bus.stats().dropped(DropReason.CLOSED)).isEqualTo(1);
    }

    @Test
    void closeReportsWhatItCouldNotDeliver() throws Exception {
      onVirtualTime();
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      Subscription stuck =
          bus.subscribe(
              "stuck.e",
              e -> {
                entered.countDown();
                never.await();
              },
              named("stuck").mailboxCapacity(64));
      for (int i = 0; i < 10; i++) {
        bus.emit("stuck.e", i);
      }
      assertThat(entered.await(30, SECONDS)).isTrue();
      CompletableFuture<CloseReport> closing =
          CompletableFuture.supplyAsync(() -> bus.close(Duration.ofSeconds(30)));
      // Closed to new subscriptions once close has read the clock for its deadline.
      await().atMost(30, SECONDS).until(() -> refusesSubscriptions(bus));
      clock.advance(Duration.ofSeconds(30).minusNanos(1));
      assertThat(closing).isNotDone();
      clock.advance(Duration.ofNanos(1));
      CloseReport report = get(closing);
      assertThat(report.drained()).isFalse();
      // The one inside the handler was interrupted and the nine queued never started: all ten are
      // left undelivered (not dead-lettered: nobody gave up on them).
      assertThat(report.undelivered()).containsEntry("stuck", 10L);
      SubscriptionStats st = stuck.stats();
      assertThat(st.dropped()).isEqualTo(10);
      assertThat(st.deadLettered()).isZero();
      assertThat(st.delivered() + st.dropped()).isEqualTo(10);
      assertThat(listener.drops(DropReason.CLOSED)).isEqualTo(10);
    }

    @Test
    void handlersMayStillPublishWhileCloseDrains() throws Exception {
      LongAdder second = new LongAdder();
      CountDownLatch release = new CountDownLatch(1);
      bus.subscribe(
          "chain.first",
          e -> {
            release.await();
            bus.emit("chain.second", e.data());
          },
          blocking("first"));
      bus.subscribe("chain.second", e -> second.increment(), blocking("second"));
      for (int i = 0; i < 100; i++) {
        bus.emit("chain.first", i);
      }
      CompletableFuture<CloseReport> closing = CompletableFuture.supplyAsync(() -> bus.close(LONG));
      await()
          .atMost(30, SECONDS)
          .until(
              () -> {
                try {
                  bus.emit("chain.first", -1);
                  return false;
                } catch (BusClosedException expected) {
                  return true;
                }
              });
      release.countDown();
      CloseReport report = closing.get(60, SECONDS);
      assertThat(report.drained()).isTrue();
      assertThat(second.sum()).isEqualTo(100);
    }

    @Test
    void closeFromInsideAHandlerDoesNotWaitForThatHandler() throws Exception {
      LongAdder others = new LongAdder();
      bus.subscribe("other.e", e -> others.increment(), blocking("other"));
      for (int i = 0; i < 100; i++) {
        bus.emit("other.e", i);
      }
      CountDownLatch queued = new CountDownLatch(1);
      CompletableFuture<CloseReport> closedFromHandler = new CompletableFuture<>();
      bus.subscribe(
          "closer.e",
          e -> {
            if (e.data().equals(0)) {
              queued.await();
              closedFromHandler.complete(bus.close(LONG));
            }
          },
          blocking("closer"));
      for (int i = 0; i < 3; i++) {
        bus.emit("closer.e", i);
      }
      queued.countDown();
      // Well within close's own timeout: it does not wait for the handler that called it.
      CloseReport report = closedFromHandler.get(10, SECONDS);
      assertThat(others.sum()).isEqualTo(100);
      // The two events behind the caller in its mailbox cannot be delivered any more.
      assertThat(report.undelivered()).isEqualTo(Map.of("closer", 2L));
      assertThat(report.drained()).isFalse();
      assertThat(report.threadsStopped()).isTrue();
      await().atMost(30, SECONDS).until(() -> listener.drops(DropReason.CLOSED) == 2);
      await()
          .atMost(30, SECONDS)
          .until(
              () -> {
                Set<Thread> left = heraldThreads();
                left.removeAll(heraldThreadsBefore);
                return left.isEmpty();
              });
    }

    @Test
    void closeFromInsideAHandlerWithNothingBehindItDrains() throws Exception {
      CompletableFuture<CloseReport> closedFromHandler = new CompletableFuture<>();
      bus.subscribe("last.e", e -> closedFromHandler.complete(bus.close(LONG)), named("last"));
      bus.emit("last.e", 1);
      CloseReport report = closedFromHandler.get(10, SECONDS);
      assertThat(report.drained()).isTrue();
      assertThat(report.undelivered()).isEmpty();
    }

    @Test
    void closeIsIdempotent() {
      CloseReport first = bus.close(LONG);
      assertThat(bus.close(LONG)).isSameAs(first);
    }

    @Test
    void closeLeavesNoHeraldThreadRunning() throws Exception {
      for (int i = 0; i < 4; i++) {
        bus.subscribe(
            "t.e",
            e -> {},
            named("t" + i)
                .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(1))));
      }
      for (int i = 0; i < 1_000; i++) {
        bus.emit("t.e", i);
      }
      bus.request("t.e", 1, Object.class, Duration.ofMillis(10)).handle((r, t) -> null);
      CloseReport report = bus.close(LONG);
      assertThat(report.threadsStopped()).isTrue();
      Set<Thread> left = heraldThreads();
      left.removeAll(heraldThreadsBefore);
      assertThat(left).isEmpty();
    }

    @Test
    void closeWhilePublishingLosesNothingWithoutATrace() throws Exception {
      LongAdder handled = new LongAdder();
      Subscription s =
          bus.subscribe("cwp.e", e -> handled.increment(), blocking("cwp").mailboxCapacity(256));
      int publishers = 4;
      LongAdder accepted = new LongAdder();
      LongAdder refused = new LongAdder();
      CountDownLatch started = new CountDownLatch(publishers);
      ExecutorService pool = Executors.newFixedThreadPool(publishers);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
          fs.add(
              pool.submit(
                  () -> {
                    started.countDown();
                    for (int i = 0; ; i++) {
                      try {
                        bus.emit("cwp.e", i);
                        accepted.increment();
                      } catch (BusClosedException e) {
                        refused.increment();
                        return null;
                      } catch (MailboxFullException e) {
                        // A publisher blocked when close began is released with a refusal.
                        refused.increment();
                      }
                    }
                  }));
        }
        started.await();
        await().atMost(30, SECONDS).until(() -> handled.sum() > 1_000);
        CloseReport report = bus.close(LONG);
        for (Future<?> f : fs) {
          f.get(30, SECONDS);
        }
        SubscriptionStats st = s.stats();
        assertThat(st.delivered() + st.dropped()).isEqualTo(st.routed());
        assertThat(st.routed() - listener.drops(DropReason.REJECTED)).isEqualTo(accepted.sum());
        assertThat(report.totalUndelivered()).isEqualTo(listener.drops(DropReason.CLOSED));
        assertThat(refused.sum()).isGreaterThanOrEqualTo(publishers);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  // ------------------------------------------------------------------ 12. stress

  @Nested
  class Stress {
    @Test
    @Timeout(value = 240, unit = SECONDS)
    void eightPublishersFourSubscribersNoLossNoDuplicateOrderKept() throws Exception {
      int publishers = 8;
      int perPublisher = stressEventsPerPublisher();
      int subscribers = 4;
      long[][][] lastSeen = new long[subscribers][publishers][1];
      AtomicLong violations = new AtomicLong();
      LongAdder[] counts = new LongAdder[subscribers];
      for (int s = 0; s < subscribers; s++) {
        int sub = s;
        counts[s] = new LongAdder();
        for (int p = 0; p < publishers; p++) {
          lastSeen[s][p][0] = -1;
        }
        bus.subscribe(
            "stress.e",
            long[].class,
            e -> {
              int p = (int) e.data()[0];
              long seq = e.data()[1];
              // Single-threaded per subscription: a plain array is safe here.
              if (seq != lastSeen[sub][p][0] + 1) {
                violations.incrementAndGet();
              }
              lastSeen[sub][p][0] = seq;
              counts[sub].increment();
            },
            blocking("stress-" + s).mailboxCapacity(1 << 14));
      }
      runPublishers(publishers, perPublisher, (p, i) -> bus.emit("stress.e", new long[] {p, i}));
      long expected = (long) publishers * perPublisher;
      await()
          .atMost(120, SECONDS)
          .until(
              () -> {
                for (LongAdder c : counts) {
                  if (c.sum() < expected) {
                    return false;
                  }
                }
                return true;
              });
      assertThat(violations.get()).isZero();
      for (int s = 0; s < subscribers; s++) {
        assertThat(counts[s].sum()).isEqualTo(expected);
        for (int p = 0; p < publishers; p++) {
          assertThat(lastSeen[s][p][0]).isEqualTo(perPublisher - 1);
        }
      }
      BusStats st = bus.stats();
      assertThat(st.published()).isEqualTo(expected);
      for (SubscriptionStats ss : st.subscriptions()) {
        assertThat(ss.delivered()).isEqualTo(expected);
        assertThat(ss.dropped()).isZero();
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Publishes from {@code publishers} threads at once, {@code each} events each. */
  protected static void runPublishers(int publishers, int each, PublishStep step) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(publishers);
    try {
      CyclicBarrier start = new CyclicBarrier(publishers);
      List<Future<?>> fs = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        int id = p;
        fs.add(
            pool.submit(
                () -> {
                  try {
                    start.await(30, SECONDS);
                  } catch (BrokenBarrierException | TimeoutException e) {
                    throw new IllegalStateException(e);
                  }
                  for (int i = 0; i < each; i++) {
                    step.publish(id, i);
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get(120, SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** One publish in a multi-threaded run. */
  @FunctionalInterface
  protected interface PublishStep {
    void publish(int publisher, int index) throws Exception;
  }
}
