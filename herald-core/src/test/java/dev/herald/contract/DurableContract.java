package dev.herald.contract;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.herald.Backpressure;
import dev.herald.BusListener;
import dev.herald.BusStats;
import dev.herald.CloseReport;
import dev.herald.DeadLetter;
import dev.herald.Delivery;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.PublishResult;
import dev.herald.RetryPolicy;
import dev.herald.StoreRefusedException;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.SubscriptionStats;
import dev.herald.contract.payloads.LegacyOrderPlaced;
import dev.herald.contract.payloads.OrderPlaced;
import dev.herald.contract.payloads.RefundIssued;
import dev.herald.contract.payloads.Shipment;
import dev.herald.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every storing transport promises to durable subscriptions (those given a consumer group):
 * replay for a new group, resume after a restart, at-least-once redelivery of what was not
 * finished, independent groups, and failures of the store surfacing to publishers. A transport's
 * test subclasses this; {@link #openTransport()} reopens the same storage each time it is called.
 */
@Timeout(value = 120, unit = SECONDS)
public abstract class DurableContract {

  /** Opens (or reopens, after a previous transport on it was closed) the test's storage. */
  protected abstract Transport openTransport() throws Exception;

  /** Makes the next store fail with {@code failure}, or returns false if the transport cannot. */
  protected abstract boolean failNextStore(RuntimeException failure);

  /**
   * Whether stored payloads come back through a {@code JsonPayloadCodec} that allows no class of
   * {@code dev.herald.contract.payloads}: true for the log and Kafka (the default codec's case),
   * false for a transport that keeps the payload objects themselves.
   */
  protected boolean decodesThroughJsonCodec() {
    return true;
  }

  /**
   * Makes the next stored payload name {@code claimed} as its class (its stored type hint),
   * whatever its own class, as an older version of that class or a foreign producer would have
   * written it; or returns false if the transport cannot.
   */
  protected boolean storeNextPayloadAs(Class<?> claimed) {
    return false;
  }

  /**
   * Stores a record as it would be written in CloudEvents binary mode, {@code headers} and {@code
   * payload} as given, past the codec, to the events' stream; or returns false if the transport
   * cannot (it keeps payload objects, not their bytes). Called while a transport from {@link
   * #openTransport()} is open.
   */
  protected boolean storeRaw(Map<String, String> headers, byte[] payload) throws Exception {
    return false;
  }

  /**
   * Checks what the transport says about where the dead-lettered poison record was stored (its
   * topic, partition, offset), and what it stored of the dead letter; nothing by default.
   */
  protected void checkPoisonDeadLetter(DeadLetter deadLetter) throws Exception {}

  /**
   * Opens the storage as {@link #openTransport()} does, with a transport whose feeds wait up to
   * {@code closeTimeout}, as they close, for the events they fed to be finished; a transport whose
   * feeds have no such wait ignores it (the default).
   */
  protected Transport openTransport(Duration closeTimeout) throws Exception {
    return openTransport();
  }

  private final List<EventBus> buses = new ArrayList<>();

  protected EventBus openBus(BusListener listener) throws Exception {
    return keep(Herald.builder().transport(openTransport()).listener(listener).build());
  }

  /** A bus whose transport's feeds wait up to {@code feedCloseTimeout} as they close. */
  protected EventBus openBus(Duration feedCloseTimeout) throws Exception {
    return keep(Herald.builder().transport(openTransport(feedCloseTimeout)).build());
  }

  private EventBus keep(EventBus bus) {
    buses.add(bus);
    return bus;
  }

  protected EventBus openBus() throws Exception {
    return openBus(BusListener.none());
  }

  @AfterEach
  void closeAll() {
    for (EventBus b : buses) {
      b.close(Duration.ofSeconds(10));
    }
  }

  static SubscribeOptions group(String group, String name) {
    return SubscribeOptions.defaults()
        .group(group)
        .name(name)
        .backpressure(Backpressure.block(Duration.ofSeconds(30)));
  }

  static List<Integer> awaitCount(ConcurrentLinkedQueue<Integer> q, int n) {
    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> q.size() >= n);
    return new ArrayList<>(q);
  }

  @Test
  void aNewGroupReplaysWhatWasStoredBeforeItSubscribed() throws Exception {
    EventBus bus = openBus();
    for (int i = 0; i < 50; i++) {
      bus.publish("d.replay", i).get(30, SECONDS);
    }
    ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
    bus.subscribe("d.replay", Integer.class, e -> got.add(e.data()), group("g1", "replayer"));
    for (int i = 50; i < 60; i++) {
      bus.publish("d.replay", i).get(30, SECONDS);
    }
    List<Integer> all = awaitCount(got, 60);
    assertThat(all).hasSize(60);
    assertThat(all).isSorted();
  }

  @Test
  void aGroupResumesAfterARestartWithoutRedeliveringFinishedEvents() throws Exception {
    EventBus first = openBus();
    ConcurrentLinkedQueue<Integer> before = new ConcurrentLinkedQueue<>();
    first.subscribe("d.resume", Integer.class, e -> before.add(e.data()), group("g", "r1"));
    for (int i = 0; i < 100; i++) {
      first.emit("d.resume", i);
    }
    awaitCount(before, 100);
    assertThat(first.close(Duration.ofSeconds(30)).drained()).isTrue();

    EventBus second = openBus();
    ConcurrentLinkedQueue<Integer> after = new ConcurrentLinkedQueue<>();
    second.subscribe("d.resume", Integer.class, e -> after.add(e.data()), group("g", "r2"));
    for (int i = 100; i < 150; i++) {
      second.emit("d.resume", i);
    }
    List<Integer> resumed = awaitCount(after, 50);
    assertThat(resumed).hasSize(50).allMatch(i -> i >= 100).isSorted();
  }

  @Test
  void eventsNotFinishedBeforeARestartAreDeliveredAgain() throws Exception {
    EventBus first = openBus();
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    first.subscribe(
        "d.again",
        Integer.class,
        e -> {
          if (e.data() == 5) {
            entered.countDown();
            never.await();
          }
          handled.incrementAndGet();
        },
        group("g", "stuck"));
    for (int i = 0; i < 10; i++) {
      first.emit("d.again", i);
    }
    assertThat(entered.await(30, SECONDS)).isTrue();
    first.close(Duration.ofMillis(200));
    assertThat(handled.get()).isEqualTo(5);

    EventBus second = openBus();
    ConcurrentLinkedQueue<Integer> redelivered = new ConcurrentLinkedQueue<>();
    second.subscribe("d.again", Integer.class, e -> redelivered.add(e.data()), group("g", "fresh"));
    List<Integer> got = awaitCount(redelivered, 5);
    // At least once: everything from the stuck event on comes again; nothing finished before does.
    assertThat(got).startsWith(5, 6, 7, 8, 9).allMatch(i -> i >= 5);
  }

  /**
   * How long the feeds of the close tests below may wait, as they close, for the events they fed:
   * long, so that a close that waits it out fails the test clearly.
   */
  static final Duration LONG_FEED_CLOSE = Duration.ofSeconds(30);

  /** What those tests take as a close that did not wait for the events it left behind. */
  static final long PROMPT_CLOSE_MILLIS = 5_000;

  static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Emits 0 to 9 and waits until all are in the subscription's mailbox or its handler's hands. */
  static void emitTenQueued(EventBus bus, String type, Subscription sub) {
    for (int i = 0; i < 10; i++) {
      bus.emit(type, i);
    }
    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> sub.stats().routed() == 10);
  }

  /** Subscribes a second bus on the same storage to {@code group} and returns what it gets. */
  List<Integer> whatTheGroupGetsAfterARestart(String type, String group, int expected)
      throws Exception {
    EventBus next = openBus();
    ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
    next.subscribe(type, Integer.class, e -> got.add(e.data()), group(group, "next"));
    awaitCount(got, expected);
    // Closing drains what the feed took: anything delivered twice would show by now.
    assertThat(next.close(Duration.ofSeconds(30)).drained()).isTrue();
    return new ArrayList<>(got);
  }

  /**
   * A durable subscription closed while its handler is blocked, with events queued behind it: the
   * handler, released, finishes its event and stops for the rest as {@link Subscription} says
   * (throwing {@link InterruptedException}); those are left behind, not acknowledged, and the
   * group's next subscriber gets every one. Close does not wait for them: the transport hears they
   * are left behind ({@link Transport.Done#leftBehind}), so a feed that waits for the events it
   * fed, up to a long timeout, stops waiting at once.
   */
  @Test
  void closingASubscriptionLeavesWhatIsQueuedBehindItsBlockedHandlerToTheGroup() throws Exception {
    EventBus first = openBus(LONG_FEED_CLOSE);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Subscription> self = new AtomicReference<>();
    ConcurrentLinkedQueue<Integer> handled = new ConcurrentLinkedQueue<>();
    self.set(
        first.subscribe(
            "d.left",
            Integer.class,
            e -> {
              if (!self.get().isActive()) {
                throw new InterruptedException("closed: left for the group");
              }
              if (e.data() == 0) {
                entered.countDown();
                release.await();
              }
              handled.add(e.data());
            },
            group("gleft", "first")));
    Subscription sub = self.get();
    emitTenQueued(first, "d.left", sub);
    assertThat(entered.await(30, SECONDS)).isTrue();

    CompletableFuture<Long> closing =
        CompletableFuture.supplyAsync(
            () -> {
              long start = System.nanoTime();
              sub.close();
              return millisSince(start);
            });
    org.awaitility.Awaitility.await().atMost(30, SECONDS).until(() -> !sub.isActive());
    release.countDown();
    long closeMillis = closing.get(90, SECONDS);

    assertThat(closeMillis)
        .as("close waited for the events it left behind (feed close timeout %s)", LONG_FEED_CLOSE)
        .isLessThan(PROMPT_CLOSE_MILLIS);
    assertFirstHandledAndNineLeftBehind(first, sub, handled, "d.left", "gleft");
  }

  /**
   * A bus closed while a durable handler is blocked, with events queued behind it: at the close
   * timeout the handler is interrupted and every event it had not finished is left behind, counted,
   * not acknowledged, and the group gets each again after a restart. Close returns at about its own
   * timeout: not after a feed's wait, up to a long timeout, for the events the bus left behind.
   */
  @Test
  void closingTheBusLeavesWhatIsQueuedBehindABlockedHandlerToTheGroup() throws Exception {
    EventBus first = openBus(LONG_FEED_CLOSE);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    ConcurrentLinkedQueue<Integer> handled = new ConcurrentLinkedQueue<>();
    Subscription sub =
        first.subscribe(
            "d.busleft",
            Integer.class,
            e -> {
              if (e.data() == 0) {
                entered.countDown();
                never.await(); // until close interrupts it
              }
              handled.add(e.data());
            },
            group("gbusleft", "first"));
    emitTenQueued(first, "d.busleft", sub);
    assertThat(entered.await(30, SECONDS)).isTrue();

    Duration timeout = Duration.ofMillis(500);
    long start = System.nanoTime();
    CloseReport report = first.close(timeout);
    long closeMillis = millisSince(start);

    assertThat(closeMillis)
        .as("close waited for the events it left behind (feed close timeout %s)", LONG_FEED_CLOSE)
        .isLessThan(timeout.toMillis() + PROMPT_CLOSE_MILLIS);
    assertThat(report.drained()).isFalse();
    assertThat(report.undelivered()).containsExactly(Map.entry("first", 10L));
    assertThat(handled).isEmpty();
    assertThat(sub.stats().dropped()).as("left behind, dropped CLOSED").isEqualTo(10);

    assertThat(whatTheGroupGetsAfterARestart("d.busleft", "gbusleft", 10))
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  /**
   * A handler that closes its own durable subscription (as a webhook does on a 410): the close
   * returns promptly, though the feed may wait a long time for the events it fed, the handler's own
   * among them; the handler's event is then finished as the handler says (acknowledged: it
   * returned), the events after it are left behind (the handler stops for them, as {@link
   * Subscription} says), and the group's next subscriber gets each of those and nothing else.
   */
  @Test
  void aHandlerClosingItsOwnSubscriptionIsNotWaitedForAndLeavesTheRestToTheGroup()
      throws Exception {
    EventBus first = openBus(LONG_FEED_CLOSE);
    CountDownLatch queued = new CountDownLatch(1);
    AtomicReference<Subscription> self = new AtomicReference<>();
    CompletableFuture<Long> closed = new CompletableFuture<>();
    ConcurrentLinkedQueue<Integer> handled = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Thread> closingAside = new ConcurrentLinkedQueue<>();
    self.set(
        first.subscribe(
            "d.selfclose",
            Integer.class,
            e -> {
              if (!self.get().isActive()) {
                throw new InterruptedException("closed: left for the group");
              }
              if (e.data() == 0) {
                queued.await(); // the other nine wait behind this one
                long start = System.nanoTime();
                self.get().close();
                closed.complete(millisSince(start));
                // The thread closing the feed aside, if still at it: the bus's close joins it.
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                  if (t.getName().equals("herald-feed-close-first")) {
                    closingAside.add(t);
                  }
                }
              }
              handled.add(e.data());
            },
            group("gself", "first")));
    Subscription sub = self.get();
    emitTenQueued(first, "d.selfclose", sub);
    queued.countDown();

    long closeMillis = closed.get(100, SECONDS);
    assertThat(closeMillis)
        .as("the handler's close waited for its own event (feed close timeout %s)", LONG_FEED_CLOSE)
        .isLessThan(PROMPT_CLOSE_MILLIS);
    assertFirstHandledAndNineLeftBehind(first, sub, handled, "d.selfclose", "gself");
    assertThat(closingAside)
        .as("threads the bus started to close a feed, alive after the bus closed")
        .noneMatch(Thread::isAlive);
  }

  /**
   * Of ten events, subscription "first" of {@code bus} handled the first and left the nine behind:
   * counted as dropped, reported by the bus's close, and every one of them (no more) fed to the
   * group's next subscriber after a restart.
   */
  private void assertFirstHandledAndNineLeftBehind(
      EventBus bus,
      Subscription sub,
      ConcurrentLinkedQueue<Integer> handled,
      String type,
      String groupName)
      throws Exception {
    org.awaitility.Awaitility.await()
        .atMost(30, SECONDS)
        .untilAsserted(
            () -> {
              assertThat(sub.stats().delivered()).isEqualTo(1);
              assertThat(sub.stats().dropped()).as("left behind, dropped CLOSED").isEqualTo(9);
            });
    assertThat(handled).containsExactly(0);
    // The bus reports the events its closed subscription left behind.
    assertThat(bus.close(Duration.ofSeconds(30)).undelivered())
        .containsExactly(Map.entry("first", 9L));

    assertThat(whatTheGroupGetsAfterARestart(type, groupName, 9))
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void durableSubscriptionsShowInTheBusStats() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
    bus.subscribe("d.stats", Integer.class, e -> got.add(e.data()), group("gs", "counted"));
    for (int i = 0; i < 20; i++) {
      bus.emit("d.stats", i);
    }
    awaitCount(got, 20);
    org.awaitility.Awaitility.await()
        .atMost(60, SECONDS)
        .untilAsserted(
            () ->
                assertThat(bus.stats().subscriptions())
                    .filteredOn(s -> s.name().equals("counted"))
                    .singleElement()
                    .satisfies(
                        s -> {
                          assertThat(s.delivered()).isEqualTo(20);
                          assertThat(s.routed()).isEqualTo(20);
                        }));
  }

  /** Records the events the listener hears of as unrouted. */
  static final class UnroutedListener implements BusListener {
    final ConcurrentLinkedQueue<Event<?>> unrouted = new ConcurrentLinkedQueue<>();

    @Override
    public void onUnrouted(Event<?> event) {
      unrouted.add(event);
    }
  }

  @Test
  void eventsThatOnlyConsumerGroupsTakeAreStoredNotUnrouted() throws Exception {
    UnroutedListener listener = new UnroutedListener();
    EventBus bus = openBus(listener);
    ConcurrentLinkedQueue<Integer> unroutedChannel = new ConcurrentLinkedQueue<>();
    bus.subscribeUnrouted(
        e -> unroutedChannel.add((Integer) e.data()), SubscribeOptions.defaults().name("unrouted"));
    ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
    bus.subscribe("d.only", Integer.class, e -> got.add(e.data()), group("go", "grouped"));
    for (int i = 0; i < 3; i++) {
      PublishResult r = bus.publish("d.only", i).get(30, SECONDS);
      assertThat(r.stored()).isTrue();
      assertThat(r.unrouted()).isFalse();
      assertThat(r.deliveries()).isEmpty(); // no subscription of this process took it
    }
    bus.emit("d.only", 3);
    assertThat(awaitCount(got, 4)).containsExactly(0, 1, 2, 3);
    org.awaitility.Awaitility.await().atMost(30, SECONDS).until(() -> bus.stats().stored() == 4);
    BusStats st = bus.stats();
    assertThat(st.published()).isEqualTo(4);
    assertThat(st.routed()).isZero();
    assertThat(st.storedOnly()).isEqualTo(4);
    assertThat(st.unrouted()).isZero();
    assertThat(st.storeFailed()).isZero();
    assertThat(st.routed() + st.storedOnly() + st.unrouted()).isEqualTo(st.published());
    assertThat(listener.unrouted).isEmpty();
    assertThat(unroutedChannel).isEmpty();
  }

  @Test
  void anEventTakenInProcessAndByAGroupIsRoutedAndStored() throws Exception {
    EventBus bus = openBus();
    bus.subscribe("d.both", e -> {}, SubscribeOptions.defaults().name("local"));
    ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
    bus.subscribe("d.both", Integer.class, e -> got.add(e.data()), group("gb", "grouped"));
    PublishResult r = bus.publish("d.both", 1).get(30, SECONDS);
    assertThat(r.stored()).isTrue();
    assertThat(r.unrouted()).isFalse();
    assertThat(r.deliveries())
        .extracting(Delivery::subscription, Delivery::outcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("local", Delivery.Outcome.HANDLED));
    assertThat(awaitCount(got, 1)).containsExactly(1);
    BusStats st = bus.stats();
    assertThat(st.published()).isEqualTo(1);
    assertThat(st.routed()).isEqualTo(1);
    assertThat(st.storedOnly()).isZero();
    assertThat(st.unrouted()).isZero();
    assertThat(st.stored()).isEqualTo(1);
  }

  @Test
  void groupsAreIndependent() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<Integer> a = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> b = new ConcurrentLinkedQueue<>();
    bus.subscribe("d.groups", Integer.class, e -> a.add(e.data()), group("ga", "a"));
    bus.subscribe("d.groups", Integer.class, e -> b.add(e.data()), group("gb", "b"));
    for (int i = 0; i < 30; i++) {
      bus.emit("d.groups", i);
    }
    assertThat(awaitCount(a, 30)).hasSize(30);
    assertThat(awaitCount(b, 30)).hasSize(30);
  }

  @Test
  void durableSubscriptionsRetryAndDeadLetterAsInProcessOnesDo() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<DeadLetter> dead = new ConcurrentLinkedQueue<>();
    bus.subscribe(DeadLetter.class, dead::add, SubscribeOptions.defaults().name("dlq"));
    AtomicInteger calls = new AtomicInteger();
    bus.subscribe(
        "d.fail",
        e -> {
          calls.incrementAndGet();
          throw new IllegalStateException("nope");
        },
        group("g", "failing")
            .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(2))));
    ConcurrentLinkedQueue<Integer> after = new ConcurrentLinkedQueue<>();
    bus.subscribe("d.after", Integer.class, e -> after.add(e.data()), group("g2", "after"));
    bus.emit("d.fail", 1);
    bus.emit("d.after", 2);
    org.awaitility.Awaitility.await().atMost(30, SECONDS).until(() -> dead.size() == 1);
    assertThat(calls.get()).isEqualTo(3);
    assertThat(dead.peek().subscription()).isEqualTo("failing");
    assertThat(awaitCount(after, 1)).containsExactly(2);
  }

  /**
   * A group acknowledges an event only once what its handler published is stored: a failed store of
   * an effect fails the delivery, which the subscription's policy retries; the retry's effect is
   * stored, and only then is the cause acknowledged (a restart does not deliver it again).
   */
  @Test
  void anEffectThatFailsToStoreFailsItsCauseWhichIsRetried() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<Integer> effects = new ConcurrentLinkedQueue<>();
    bus.subscribe("d.effect", Integer.class, e -> effects.add(e.data()), group("ge", "effects"));
    AtomicInteger attempts = new AtomicInteger();
    AtomicReference<Boolean> injected = new AtomicReference<>();
    bus.subscribe(
        "d.cause",
        Integer.class,
        e -> {
          if (attempts.incrementAndGet() == 1) {
            injected.set(failNextStore(new IllegalStateException("effect not stored")));
          }
          // Not waiting for the store, nor looking at its outcome: the bus does both.
          bus.publish(Event.<Integer>causedBy(e, "d.effect").data(e.data()).build());
        },
        group("gc", "causes")
            .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(2))));
    bus.publish("d.cause", 7).get(30, SECONDS);
    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> injected.get() != null);
    assumeTrue(injected.get(), "this transport cannot inject a store failure");
    assertThat(awaitCount(effects, 1)).containsExactly(7);
    assertThat(attempts.get()).isEqualTo(2);
    assertThat(bus.stats().storeFailed()).isEqualTo(1);
    assertThat(bus.close(Duration.ofSeconds(30)).drained()).isTrue();

    EventBus second = openBus();
    ConcurrentLinkedQueue<Integer> after = new ConcurrentLinkedQueue<>();
    second.subscribe("d.cause", Integer.class, e -> after.add(e.data()), group("gc", "again"));
    second.emit("d.cause", 8);
    assertThat(awaitCount(after, 1)).containsExactly(8);
  }

  /** An effect that cannot be stored within the policy's attempts dead-letters its cause. */
  @Test
  void aCauseWhoseEffectCannotBeStoredIsDeadLettered() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<DeadLetter> dead = new ConcurrentLinkedQueue<>();
    bus.subscribe(DeadLetter.class, dead::add, SubscribeOptions.defaults().name("dlq"));
    AtomicReference<Boolean> injected = new AtomicReference<>();
    AtomicInteger attempts = new AtomicInteger();
    bus.subscribe(
        "d.lonecause",
        Integer.class,
        e -> {
          attempts.incrementAndGet();
          injected.set(failNextStore(new IllegalStateException("effect not stored")));
          bus.publish(Event.<Integer>causedBy(e, "d.loneeffect").data(e.data()).build());
        },
        group("gl", "lonely").retry(RetryPolicy.none()));
    bus.emit("d.lonecause", 1);
    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> injected.get() != null);
    assumeTrue(injected.get(), "this transport cannot inject a store failure");
    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> dead.size() == 1);
    assertThat(dead.peek().subscription()).isEqualTo("lonely");
    assertThat(dead.peek().causeMessage()).isEqualTo("effect not stored");
    assertThat(attempts.get()).isEqualTo(1);
  }

  /**
   * Store backpressure is the emitter's: a store refused at once throws, counted, and routes
   * nowhere.
   */
  @Test
  void anEmitWhoseStoreIsRefusedThrowsAndIsCounted() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<Integer> local = new ConcurrentLinkedQueue<>();
    bus.subscribe(
        "d.refused", Integer.class, e -> local.add(e.data()), SubscribeOptions.defaults());
    RuntimeException boom = new IllegalStateException("append queue full");
    assumeTrue(failNextStore(boom), "this transport cannot inject a store failure");
    assertThatThrownBy(() -> bus.emit("d.refused", 1))
        .isInstanceOf(StoreRefusedException.class)
        .hasCause(boom)
        .hasMessageContaining("d.refused");
    assertThat(bus.stats().storeFailed()).isEqualTo(1);
    bus.emit("d.refused", 2);
    assertThat(awaitCount(local, 1)).containsExactly(2);
  }

  /**
   * A redrive goes to the group that dead-lettered the event, not to the groups that handled it.
   */
  @Test
  void aRedriveReachesOnlyTheGroupThatDeadLetteredTheEvent() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<DeadLetter> dead = new ConcurrentLinkedQueue<>();
    bus.subscribe(DeadLetter.class, dead::add, SubscribeOptions.defaults().name("dlq"));
    ConcurrentLinkedQueue<Integer> steady = new ConcurrentLinkedQueue<>();
    bus.subscribe(
        "d.redrive", Integer.class, e -> steady.add(e.data()), group("gsteady", "steady"));
    AtomicInteger calls = new AtomicInteger();
    ConcurrentLinkedQueue<Integer> flaky = new ConcurrentLinkedQueue<>();
    bus.subscribe(
        "d.redrive",
        Integer.class,
        e -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("down");
          }
          flaky.add(e.data());
        },
        group("gflaky", "flaky").retry(RetryPolicy.none()));
    bus.emit(Event.of("d.redrive", "k", 1));
    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> dead.size() == 1);
    assertThat(awaitCount(steady, 1)).containsExactly(1);
    bus.redrive(dead.peek()).get(30, SECONDS);
    bus.emit(Event.of("d.redrive", "k", 2)); // same key: fed after the redrive, in order
    assertThat(awaitCount(flaky, 2)).containsExactly(1, 2);
    // The steady group gets 2 after a redriven 1 would have come: it has had 1 once only.
    assertThat(awaitCount(steady, 2)).containsExactly(1, 2);
  }

  @Test
  void aFailedStoreFailsThePublishAndIsReported() throws Exception {
    AtomicReference<Throwable> reported = new AtomicReference<>();
    AtomicInteger unrouted = new AtomicInteger();
    EventBus bus =
        openBus(
            new BusListener() {
              @Override
              public void onStoreFailed(Event<?> event, Throwable cause) {
                reported.set(cause);
              }

              @Override
              public void onUnrouted(Event<?> event) {
                unrouted.incrementAndGet();
              }
            });
    RuntimeException boom = new IllegalStateException("disk full");
    assumeTrue(failNextStore(boom), "this transport cannot inject a store failure");
    assertThatThrownBy(() -> bus.publish("d.store", 1).get(30, SECONDS)).cause().isSameAs(boom);
    assertThat(reported.get()).isSameAs(boom);
    BusStats st = bus.stats();
    assertThat(st.storeFailed()).isEqualTo(1);
    assertThat(st.stored()).isZero();
    // Handed to the transport for durable subscriptions: stored only, whose store failed.
    assertThat(st.storedOnly()).isEqualTo(1);
    assertThat(st.unrouted()).isZero();
    assertThat(unrouted.get()).isZero();
  }

  @Test
  void perKeyOrderHoldsWithConcurrency() throws Exception {
    EventBus bus = openBus();
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    bus.subscribe(
        "d.keys",
        Integer.class,
        e -> seen.add(e.key() + ":" + e.data()),
        group("g", "keys").concurrency(3));
    for (int i = 0; i < 300; i++) {
      bus.emit(Event.of("d.keys", "k" + (i % 7), i));
    }
    org.awaitility.Awaitility.await().atMost(30, SECONDS).until(() -> seen.size() == 300);
    for (int k = 0; k < 7; k++) {
      String prefix = "k" + k + ":";
      List<Integer> perKey = new ArrayList<>();
      synchronized (seen) {
        for (String s : seen) {
          if (s.startsWith(prefix)) {
            perKey.add(Integer.parseInt(s.substring(prefix.length())));
          }
        }
      }
      assertThat(perKey).isSorted();
    }
  }

  // ------------------------------------------------------------------ typed payloads

  /**
   * A subscription that names its payload class gets instances of it, whether or not the codec's
   * allow-list names the class: the subscription chose it. Other classes stored under the same type
   * stay out, as they would in process.
   */
  @Test
  void aClassSubscriptionGetsItsClassWithTheDefaultCodec() throws Exception {
    EventBus bus = openBus();
    bus.publish(Event.of("t.order", "o", new OrderPlaced("o-1", 1250))).get(30, SECONDS);
    bus.publish(Event.of("t.order", "o", new RefundIssued("r-1", 300))).get(30, SECONDS);
    ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
    bus.subscribe(
        OrderPlaced.class, got::add, SubscribeOptions.defaults().group("billing").name("billing"));
    bus.publish(Event.of("t.order", "o", new OrderPlaced("o-2", 40))).get(30, SECONDS);

    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> got.size() >= 2);
    assertThat(got).containsExactly(new OrderPlaced("o-1", 1250), new OrderPlaced("o-2", 40));
  }

  /** A pattern subscription that names a payload type gets instances of it too. */
  @Test
  void aPatternSubscriptionWithAPayloadTypeGetsThatClassWithTheDefaultCodec() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<OrderPlaced> got = new ConcurrentLinkedQueue<>();
    bus.subscribe("t.*", OrderPlaced.class, e -> got.add(e.data()), group("billing", "billing"));
    bus.publish(Event.of("t.order", "o", new OrderPlaced("o-1", 1250))).get(30, SECONDS);

    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> !got.isEmpty());
    assertThat(got).containsExactly(new OrderPlaced("o-1", 1250));
  }

  /**
   * A subscription to a sealed interface names each permitted class, and gets instances of each.
   */
  @Test
  void aSealedInterfaceSubscriptionGetsEachPermittedClass() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<Shipment> got = new ConcurrentLinkedQueue<>();
    bus.subscribe(Shipment.class, got::add, group("shipping", "shipping"));
    bus.publish(Event.of("t.shipment", "o-1", new Shipment.Sent("o-1", "parcelco")))
        .get(30, SECONDS);
    bus.publish(Event.of("t.shipment", "o-1", new Shipment.Returned("o-1", "damaged")))
        .get(30, SECONDS);

    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> got.size() >= 2);
    assertThat(got)
        .containsExactly(
            new Shipment.Sent("o-1", "parcelco"), new Shipment.Returned("o-1", "damaged"));
  }

  /**
   * A stored record that names a subscription's class but cannot become one is dead-lettered for
   * that subscription's group, with the cause; the group goes on with the later events.
   */
  @Test
  void aRecordThatCannotBecomeTheSubscribedClassIsDeadLetteredForTheGroup() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<DeadLetter> dead = new ConcurrentLinkedQueue<>();
    bus.subscribe(DeadLetter.class, dead::add, SubscribeOptions.defaults().name("dlq"));
    assumeTrue(
        storeNextPayloadAs(OrderPlaced.class), "this transport stores objects, not their bytes");
    Event<LegacyOrderPlaced> legacy =
        Event.of("t.order", "o", new LegacyOrderPlaced("o-1", "twelve euros"));
    bus.publish(legacy).get(30, SECONDS);
    bus.publish(Event.of("t.order", "o", new OrderPlaced("o-2", 40))).get(30, SECONDS);
    ConcurrentLinkedQueue<OrderPlaced> got = new ConcurrentLinkedQueue<>();
    bus.subscribe(OrderPlaced.class, got::add, group("billing", "billing"));

    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> got.size() >= 1);
    assertThat(got).containsExactly(new OrderPlaced("o-2", 40));
    org.awaitility.Awaitility.await().atMost(30, SECONDS).until(() -> !dead.isEmpty());
    DeadLetter d = dead.peek();
    assertThat(d.subscription()).isEqualTo("billing");
    assertThat(d.event().id()).isEqualTo(legacy.id());
    assertThat(d.event().type()).isEqualTo("t.order");
    assertThat(d.causeMessage()).contains(OrderPlaced.class.getName());
    assertThat(dead).hasSize(1);
  }

  /**
   * A stored record that cannot be decoded at all (a poison record: a producer's bug, a foreign
   * producer) is dead-lettered with its cause for the group it was for, and blocks no group: both
   * go on past it, and after a restart neither gets it, or anything before it, again.
   */
  @Test
  void aPoisonRecordIsDeadLetteredWithItsCauseAndBlocksNoGroup() throws Exception {
    EventBus bus = openBus();
    Map<String, String> headers = jsonRecordHeaders("broken-1", "/shop", "order.placed");
    headers.put("ce_time", "2026-01-02T03:04:05Z");
    headers.put("herald_class", OrderPlaced.class.getName());
    assumeTrue(
        storeRaw(headers, "{\"id\": \"1\", amount".getBytes(StandardCharsets.UTF_8)),
        "this transport stores objects, not their bytes");
    bus.publish(Event.of("order.placed", new OrderPlaced("o-2", 20))).get(30, SECONDS);
    TwoGroups first = TwoGroups.subscribe(bus);
    // A consumer group of dead letters: told of the poison record's dead letter, never given up on
    // the record itself as if it were one of its own (a dead letter only comes in Herald's type).
    ConcurrentLinkedQueue<DeadLetter> deadGroup = new ConcurrentLinkedQueue<>();
    bus.subscribe(DeadLetter.class, deadGroup::add, group("dead", "dead"));

    org.awaitility.Awaitility.await()
        .atMost(60, SECONDS)
        .until(() -> !first.dead().isEmpty() && !first.orders().isEmpty() && !deadGroup.isEmpty());
    assertThat(first.orders()).containsExactly(new OrderPlaced("o-2", 20));
    // The group that gave up on the record counts it, as any event it dead-lettered.
    SubscriptionStats orders = bus.stats().subscription("orders");
    assertThat(orders.routed()).isEqualTo(2);
    assertThat(orders.delivered()).isEqualTo(1);
    assertThat(orders.deadLettered()).isEqualTo(1);
    assertThat(orders.inFlight()).isZero();
    DeadLetter d = first.dead().peek();
    assertThat(d.subscription()).isEqualTo("orders");
    assertThat(d.attempts()).isZero();
    assertThat(d.causeMessage()).contains("malformed JSON");
    assertThat(d.event().id()).isEqualTo("broken-1");
    assertThat(d.event().type()).isEqualTo("order.placed");
    checkPoisonDeadLetter(d);
    // Once the dead letters' group has read all stored for it (the poison record among them, for a
    // group by class), it has given up on nothing.
    org.awaitility.Awaitility.await()
        .atMost(60, SECONDS)
        .until(() -> bus.stats().subscription("dead").lag() <= 0);
    assertThat(bus.stats().subscription("dead").deadLettered()).isZero();
    assertThat(bus.close(Duration.ofSeconds(30)).drained()).isTrue();
    assertThat(first.dead()).hasSize(1);
    assertThat(first.payments()).isEmpty();
    assertThat(deadGroup).extracting(DeadLetter::subscription).containsOnly("orders");

    EventBus again = openBus();
    TwoGroups after = TwoGroups.subscribe(again);
    again.publish(Event.of("order.placed", new OrderPlaced("o-3", 30))).get(30, SECONDS);
    again.publish(Event.of("payment.taken", "o-3")).get(30, SECONDS);
    org.awaitility.Awaitility.await()
        .atMost(60, SECONDS)
        .until(() -> !after.orders().isEmpty() && !after.payments().isEmpty());
    // Closing drains what the feeds took: a record before the later events would be handled by now.
    assertThat(again.close(Duration.ofSeconds(30)).drained()).isTrue();
    assertThat(after.orders()).containsExactly(new OrderPlaced("o-3", 30));
    assertThat(after.payments()).containsExactly("payment.taken");
    assertThat(after.dead()).isEmpty();
  }

  /**
   * A record that names no class (a CloudEvent posted over HTTP) decodes into the class a
   * subscription by type names, which keeps only what the class models; when that subscription
   * gives up on it, the dead letter keeps the event as it was published, field the class lacks
   * included, in process and as stored for a group of dead letters.
   */
  @Test
  void aDeadLetterKeepsTheEventAsPublishedNotAsTheSubscriptionsClassDecodedIt() throws Exception {
    EventBus bus = openBus();
    Map<String, String> headers = jsonRecordHeaders("http-1", "/curl", "order.placed");
    assumeTrue(
        storeRaw(
            headers,
            "{\"id\": \"o-1\", \"amountCents\": 1250, \"note\": \"gift\"}"
                .getBytes(StandardCharsets.UTF_8)),
        "this transport stores objects, not their bytes");
    ConcurrentLinkedQueue<DeadLetter> inProcess = new ConcurrentLinkedQueue<>();
    bus.subscribe(DeadLetter.class, inProcess::add, SubscribeOptions.defaults().name("dlq"));
    ConcurrentLinkedQueue<DeadLetter> stored = new ConcurrentLinkedQueue<>();
    bus.subscribe(DeadLetter.class, stored::add, group("dead", "dead"));
    ConcurrentLinkedQueue<OrderPlaced> got = new ConcurrentLinkedQueue<>();
    bus.subscribe(
        "order.placed",
        OrderPlaced.class,
        e -> {
          got.add(e.data());
          throw new IllegalStateException("no stock");
        },
        group("orders", "orders").retry(RetryPolicy.none()));

    org.awaitility.Awaitility.await()
        .atMost(60, SECONDS)
        .until(() -> !inProcess.isEmpty() && !stored.isEmpty());
    // The subscription had its class, without the field it does not model...
    assertThat(got).containsExactly(new OrderPlaced("o-1", 1250));
    // ...and its dead letter has the event as published.
    Map<String, Object> published = Map.of("id", "o-1", "amountCents", 1250, "note", "gift");
    DeadLetter d = inProcess.peek();
    assertThat(d.subscription()).isEqualTo("orders");
    assertThat(d.event().id()).isEqualTo("http-1");
    assertThat(d.event().data()).isEqualTo(published);
    DeadLetter s = stored.peek();
    assertThat(s.event().id()).isEqualTo("http-1");
    assertThat(s.event().data()).isEqualTo(published);
  }

  /**
   * The headers of a CloudEvents binary-mode record with JSON data, as {@link #storeRaw} takes
   * them; a mutable map, for a test to add to.
   */
  private static Map<String, String> jsonRecordHeaders(String id, String source, String type) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("ce_specversion", "1.0");
    headers.put("ce_id", id);
    headers.put("ce_source", source);
    headers.put("ce_type", type);
    headers.put("content-type", "application/json");
    return headers;
  }

  /**
   * What the poison test's subscriptions on one bus got: dead letters, and the two groups' events.
   */
  private record TwoGroups(
      ConcurrentLinkedQueue<DeadLetter> dead,
      ConcurrentLinkedQueue<OrderPlaced> orders,
      ConcurrentLinkedQueue<String> payments) {
    static TwoGroups subscribe(EventBus bus) {
      TwoGroups got =
          new TwoGroups(
              new ConcurrentLinkedQueue<>(),
              new ConcurrentLinkedQueue<>(),
              new ConcurrentLinkedQueue<>());
      bus.subscribe(DeadLetter.class, got.dead()::add, SubscribeOptions.defaults().name("dlq"));
      bus.subscribe(
          "order.placed",
          OrderPlaced.class,
          e -> got.orders().add(e.data()),
          group("orders", "orders"));
      bus.subscribe("payment.#", e -> got.payments().add(e.type()), group("payments", "payments"));
      return got;
    }
  }

  /**
   * A pattern subscription names no class, so it gets what the codec decodes by itself: with the
   * default codec, a class its allow-list does not name arrives as a {@code Map} of the payload's
   * JSON fields (allow the class with {@code allowPackages}, or subscribe by class, to get
   * instances); a transport that keeps objects hands over the payload itself.
   */
  @Test
  void aPatternSubscriptionGetsUnlistedClassesAsMapsWithTheDefaultCodec() throws Exception {
    EventBus bus = openBus();
    ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
    bus.subscribe("t.#", e -> got.add(e.data()), group("audit", "audit"));
    bus.publish("t.order", new OrderPlaced("o-1", 1250)).get(30, SECONDS);

    org.awaitility.Awaitility.await().atMost(60, SECONDS).until(() -> !got.isEmpty());
    if (decodesThroughJsonCodec()) {
      assertThat(got).containsExactly(Map.of("id", "o-1", "amountCents", 1250));
    } else {
      assertThat(got).containsExactly(new OrderPlaced("o-1", 1250));
    }
  }
}
