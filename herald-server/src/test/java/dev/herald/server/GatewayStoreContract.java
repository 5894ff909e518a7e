package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.Event;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link GatewayStore} owes, from its Javadoc: one subclass per store supplies
 * {@link #newStore()}, a fresh, empty store for each test (fresh topics, directories or group
 * names, so that tests do not see each other's events). Waits are bounded and generous (the suite
 * runs on a loaded two-core machine); nothing sleeps.
 */
abstract class GatewayStoreContract {
  /** How long any one expectation may take to come true. */
  static final Duration PATIENCE = Duration.ofSeconds(60);

  private static final Duration READ_WAIT = Duration.ofMillis(500);

  /** A new, empty store; the contract closes it after the test. */
  protected abstract GatewayStore newStore() throws Exception;

  protected GatewayStore store;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void anAppendedEventIsReadFromTheStartWithThePositionTheAppendAnswered() throws Exception {
    Event<String> e = Event.of("contract.one", "k", "hello");
    String position = store.append(e).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    assertThat(position).isNotBlank();
    try (GatewayStore.Cursor c = store.cursor("earliest")) {
      GatewayStore.StoredEvent read = nextOrFail(c);
      assertThat(read.event().id()).isEqualTo(e.id());
      assertThat(read.event().type()).isEqualTo("contract.one");
      assertThat(read.event().data()).isEqualTo("hello");
      assertThat(read.position()).isEqualTo(position);
      assertThat(c.position()).isEqualTo(position);
    }
  }

  @Test
  void eventsAppendedTogetherAreEachStoredWithAPositionOfTheirOwn() throws Exception {
    List<Event<String>> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(Event.of("contract.batch", "k" + (i % 3), "e" + i));
    }
    List<CompletableFuture<String>> futures = store.appendAll(batch);
    assertThat(futures).hasSize(batch.size());
    Set<String> positions = new HashSet<>();
    for (CompletableFuture<String> f : futures) {
      positions.add(f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
    }
    assertThat(positions).as("distinct positions").hasSize(batch.size()).doesNotContain("");
    List<GatewayStore.StoredEvent> read = readFromStart(batch.size());
    assertThat(ids(read)).containsExactlyInAnyOrderElementsOf(idsOf(batch));
  }

  @Test
  void resumingAfterAnyPositionYieldsExactlyTheLaterEventsAcrossKeys() throws Exception {
    List<Event<Integer>> published = appendAcrossKeys("contract.resume", 12);
    List<GatewayStore.StoredEvent> all = readFromStart(published.size());
    assertThat(ids(all)).containsExactlyInAnyOrderElementsOf(idsOf(published));
    assertThat(new HashSet<>(positions(all))).as("positions are distinct").hasSize(all.size());
    for (int k = 0; k < all.size(); k++) {
      List<String> expected = ids(all.subList(k + 1, all.size()));
      try (GatewayStore.Cursor c = store.cursor(all.get(k).position())) {
        List<GatewayStore.StoredEvent> rest = readAll(c, expected.size());
        assertThat(ids(rest))
            .as("resumed after event %d of %d", k + 1, all.size())
            .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(c.next(Duration.ofMillis(200))).as("nothing after the last").isEmpty();
      }
    }
  }

  @Test
  void aCursorResumedAfterTheLastEventSeesOnlyEventsStoredLater() throws Exception {
    appendAcrossKeys("contract.before", 6);
    List<GatewayStore.StoredEvent> before = readFromStart(6);
    String last = before.get(before.size() - 1).position();
    List<Event<Integer>> later = appendAcrossKeys("contract.after", 6);
    try (GatewayStore.Cursor c = store.cursor(last)) {
      assertThat(ids(readAll(c, 6))).containsExactlyInAnyOrderElementsOf(idsOf(later));
      assertThat(c.next(Duration.ofMillis(200))).isEmpty();
    }
  }

  @Test
  void aCursorAtLatestStandsWhereAReaderOfEveryEventStands() throws Exception {
    try (GatewayStore.Cursor empty = store.cursor("latest")) {
      assertThat(empty.position()).isEqualTo("earliest");
    }
    appendAcrossKeys("contract.everything", 7);
    List<GatewayStore.StoredEvent> all = readFromStart(7);
    String end = all.get(all.size() - 1).position();
    try (GatewayStore.Cursor latest = store.cursor("latest")) {
      assertThat(latest.position()).isEqualTo(end);
    }
    try (GatewayStore.Cursor resumed = store.cursor(all.get(2).position())) {
      readAll(resumed, 4);
      assertThat(resumed.position())
          .as("read the same events, stands at the same place")
          .isEqualTo(end);
    }
  }

  @Test
  void latestSeesOnlyEventsStoredAfterTheCursorOpened() throws Exception {
    appendAcrossKeys("contract.old", 5);
    try (GatewayStore.Cursor c = store.cursor("latest")) {
      assertThat(c.next(Duration.ofMillis(300))).isEmpty();
      List<Event<Integer>> fresh = appendAcrossKeys("contract.new", 5);
      List<GatewayStore.StoredEvent> read = readAll(c, 5);
      assertThat(ids(read)).containsExactlyInAnyOrderElementsOf(idsOf(fresh));
      assertThat(c.next(Duration.ofMillis(200))).isEmpty();
    }
  }

  @Test
  void aBoundAtLatestEndsAtWhatWasStoredWhenTheCursorOpened() throws Exception {
    List<Event<Integer>> stored = appendAcrossKeys("contract.bound", 8);
    try (GatewayStore.Cursor c = store.cursor("earliest")) {
      GatewayStore.Bound bound = c.bound("latest");
      assertThat(bound.size()).isEqualTo(8);
      appendAcrossKeys("contract.later", 3);
      assertThat(ids(readBounded(c, bound))).containsExactlyInAnyOrderElementsOf(idsOf(stored));
      assertThat(bound.read()).isEqualTo(bound.size());
    }
  }

  @Test
  void aBoundAtAPositionEndsWhereAReaderAtItStands() throws Exception {
    appendAcrossKeys("contract.range", 10);
    List<GatewayStore.StoredEvent> all = readFromStart(10);
    for (int k = 1; k < all.size(); k++) {
      try (GatewayStore.Cursor c = store.cursor(all.get(1).position())) {
        GatewayStore.Bound bound = c.bound(all.get(k).position());
        assertThat(bound.size()).as("from event 2 to event %d", k + 1).isEqualTo(k - 1);
        assertThat(ids(readBounded(c, bound)))
            .as("from event 2 to event %d", k + 1)
            .containsExactlyInAnyOrderElementsOf(ids(all.subList(2, k + 1)));
      }
    }
    try (GatewayStore.Cursor c = store.cursor("earliest")) {
      assertThatThrownBy(() -> c.bound("x1")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aWaitingCursorReturnsEarlyWhenWokenUp() throws Exception {
    try (GatewayStore.Cursor c = store.cursor("latest")) {
      AtomicBoolean returned = new AtomicBoolean();
      Thread waker =
          new Thread(
              () -> {
                while (!returned.get()) {
                  c.wakeup();
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
              });
      waker.start();
      long start = System.nanoTime();
      try {
        assertThat(c.next(PATIENCE)).isEmpty();
      } finally {
        returned.set(true);
        waker.join();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PATIENCE);
    }
  }

  @Test
  void aMalformedPositionIsAnIllegalArgument() {
    for (String bad : List.of("", "bogus", "-1", "1.2.3.4.5", "12abc", "9".repeat(100_000))) {
      assertThatThrownBy(() -> store.cursor(bad).close())
          .as("position '%s'", bad.length() > 20 ? bad.substring(0, 20) + "..." : bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aGroupShowsLagThatFallsAsItsDurableSubscriptionConsumes() throws Exception {
    appendAcrossKeys("contract.lag", 8);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    Subscription s =
        store
            .bus()
            .subscribe(
                "contract.lag",
                e -> {
                  if (handled.incrementAndGet() > 2) {
                    gate.await(); // holds the rest back while the test reads the lag
                  }
                },
                SubscribeOptions.defaults().name("lagging").group("lagging"));
    try {
      await()
          .atMost(PATIENCE)
          .untilAsserted(
              () ->
                  assertThat(lagOf("lagging")).hasValueSatisfying(l -> assertThat(l).isPositive()));
      gate.countDown();
      await().atMost(PATIENCE).untilAsserted(() -> assertThat(lagOf("lagging")).hasValue(0L));
      assertThat(handled.get()).isGreaterThanOrEqualTo(8);
    } finally {
      gate.countDown();
      s.close();
    }
  }

  @Test
  void deadLettersAreListedWithoutBeingConsumedAndLeaveTheListOnceRedriven() throws Exception {
    AtomicBoolean healthy = new AtomicBoolean();
    List<String> handled = new ArrayList<>();
    Subscription s =
        store
            .bus()
            .subscribe(
                "contract.fragile",
                e -> {
                  if (!healthy.get()) {
                    throw new IllegalStateException("not yet");
                  }
                  synchronized (handled) {
                    handled.add(e.id());
                  }
                },
                SubscribeOptions.defaults()
                    .name("fragile")
                    .group("fragile")
                    .retry(RetryPolicy.none()));
    try {
      Event<String> e = Event.of("contract.fragile", "k1", "payload");
      store.append(e).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      await()
          .atMost(PATIENCE)
          .untilAsserted(() -> assertThat(store.deadLetters("fragile", 10)).hasSize(1));
      GatewayStore.StoredDeadLetter dl = store.deadLetters("fragile", 10).get(0);
      assertThat(dl.deadLetter().event().id()).isEqualTo(e.id());
      assertThat(dl.deadLetter().subscription()).isEqualTo("fragile");
      assertThat(dl.deadLetter().causeType()).isEqualTo(IllegalStateException.class.getName());
      // Listing consumed nothing: listed again, and found by its position.
      assertThat(store.deadLetters("fragile", 10)).hasSize(1);
      assertThat(store.deadLetters("someone-else", 10)).isEmpty();
      Optional<GatewayStore.StoredDeadLetter> found = store.deadLetter(dl.position());
      assertThat(found).isPresent();
      assertThat(found.get().deadLetter().event().id()).isEqualTo(e.id());

      // A second one, dead-lettered later: listed after the first, and the limit keeps the oldest.
      Event<String> e2 = Event.of("contract.fragile", "k2", "payload 2");
      store.append(e2).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      await()
          .atMost(PATIENCE)
          .untilAsserted(() -> assertThat(store.deadLetters("fragile", 10)).hasSize(2));
      assertThat(store.deadLetters("fragile", 10))
          .extracting(d -> d.deadLetter().event().id())
          .containsExactly(e.id(), e2.id());
      assertThat(store.deadLetters("fragile", 1))
          .extracting(GatewayStore.StoredDeadLetter::position)
          .containsExactly(dl.position());

      healthy.set(true);
      store.redrive(dl).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      await()
          .atMost(PATIENCE)
          .untilAsserted(
              () -> {
                synchronized (handled) {
                  assertThat(handled).contains(e.id());
                }
              });
      assertThat(store.deadLetters("fragile", 10))
          .extracting(d -> d.deadLetter().event().id())
          .containsExactly(e2.id());
      assertThat(store.deadLetter(dl.position())).isEmpty();
      synchronized (handled) {
        assertThat(handled).as("only the redriven one was handled again").doesNotContain(e2.id());
      }
      // A reader of every event (a stream) sees the redriven event a second time, with its id and
      // the subscription it went back to (docs/server.md, Redrive).
      List<Event<?>> copies = new ArrayList<>();
      try (GatewayStore.Cursor c = store.cursor("earliest")) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (copies.size() < 2 && System.nanoTime() < deadline) {
          Optional<GatewayStore.StoredEvent> next = c.next(Duration.ofMillis(200));
          if (next.isPresent() && next.get().event().id().equals(e.id())) {
            copies.add(next.get().event());
          }
        }
      }
      assertThat(copies).hasSize(2);
      assertThat(copies.get(0).extensions()).doesNotContainKey("redriveto");
      assertThat(copies.get(1).extensions()).containsEntry("redriveto", "fragile");
    } finally {
      s.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Appends {@code n} events of {@code type} with data 0..n-1 over n distinct keys, in order. */
  protected List<Event<Integer>> appendAcrossKeys(String type, int n) throws Exception {
    List<Event<Integer>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Event<Integer> e = Event.of(type, "key-" + i, i);
      store.append(e).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      out.add(e);
    }
    return out;
  }

  private Optional<Long> lagOf(String group) {
    return store.groups().stream()
        .filter(g -> g.group().equals(group))
        .map(GatewayStore.GroupLag::lag)
        .findFirst();
  }

  /** Reads exactly {@code n} events (failing if they do not come in time), and closes nothing. */
  static List<GatewayStore.StoredEvent> readAll(GatewayStore.Cursor c, int n)
      throws InterruptedException {
    List<GatewayStore.StoredEvent> out = new ArrayList<>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (out.size() < n) {
      assertThat(System.nanoTime())
          .as("%d of %d events read in time", out.size(), n)
          .isLessThan(deadline);
      c.next(READ_WAIT).ifPresent(out::add);
    }
    return out;
  }

  /** Reads up to {@code bound} (failing if that takes too long): the events within it. */
  static List<GatewayStore.StoredEvent> readBounded(GatewayStore.Cursor c, GatewayStore.Bound bound)
      throws InterruptedException {
    List<GatewayStore.StoredEvent> out = new ArrayList<>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (bound.read() < bound.size()) {
      assertThat(System.nanoTime()).as("the bound reached in time").isLessThan(deadline);
      c.next(READ_WAIT).filter(e -> bound.includesLast()).ifPresent(out::add);
    }
    return out;
  }

  static GatewayStore.StoredEvent nextOrFail(GatewayStore.Cursor c) throws InterruptedException {
    return readAll(c, 1).get(0);
  }

  static List<String> ids(List<GatewayStore.StoredEvent> events) {
    return events.stream().map(s -> s.event().id()).toList();
  }

  static List<String> idsOf(List<? extends Event<?>> events) {
    return events.stream().map(Event::id).toList();
  }

  static List<String> positions(List<GatewayStore.StoredEvent> events) {
    return events.stream().map(GatewayStore.StoredEvent::position).toList();
  }

  /** The first {@code n} events of the store, read by a cursor opened at "earliest". */
  protected List<GatewayStore.StoredEvent> readFromStart(int n) throws InterruptedException {
    try (GatewayStore.Cursor c = store.cursor("earliest")) {
      return readAll(c, n);
    }
  }
}
