package dev.herald.log;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.codec.JsonPayloadCodec;
import dev.herald.codec.PayloadCodec;
import dev.herald.codec.UndecodableRecord;
import dev.herald.contract.DurableContract;
import dev.herald.contract.EventBusContract;
import dev.herald.contract.OneKeyAtATime;
import dev.herald.spi.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTransportTest {
  // Interval flushing keeps the suite fast; durability across a process crash is the log's own
  // tests'.
  static final LogOptions OPTIONS =
      LogOptions.builder()
          .flushPolicy(FlushPolicy.interval(50))
          .appendQueueCapacity(1 << 16)
          .build();

  record Order(String id, int amount) {}

  static final JsonPayloadCodec CODEC =
      JsonPayloadCodec.builder().allowClasses(Order.class).build();

  @TempDir Path dir;

  static LogTransport open(Path dir, PayloadCodec codec) throws IOException {
    return LogTransport.builder(LogDirectory.open(dir, OPTIONS)).codec(codec).build();
  }

  @Nested
  class Durable extends DurableContract {
    @TempDir Path storage;

    private final FailingCodec codec = new FailingCodec(CODEC);
    private volatile LogTransport opened;

    @Override
    protected Transport openTransport() throws IOException {
      opened = open(storage, codec);
      return opened;
    }

    @Override
    protected boolean storeRaw(Map<String, String> headers, byte[] payload) throws Exception {
      List<Header> logHeaders = new ArrayList<>();
      headers.forEach((name, value) -> logHeaders.add(Header.of(name, value)));
      opened.log().append(LogRecord.of(1L, null, logHeaders, payload)).get(10, SECONDS);
      return true;
    }

    @Override
    protected void checkPoisonDeadLetter(DeadLetter deadLetter) {
      UndecodableRecord u = (UndecodableRecord) deadLetter.event().data();
      assertThat(u.topic()).isEqualTo("events");
      assertThat(u.offset()).isZero();
      assertThat(u.error()).contains("malformed JSON");
    }

    @Override
    protected boolean failNextStore(RuntimeException failure) {
      codec.failNext = failure;
      return true;
    }

    @Override
    protected boolean storeNextPayloadAs(Class<?> claimed) {
      codec.nextTypeHint = claimed.getName();
      return true;
    }
  }

  @Nested
  class InProcessSubscriptionsOnALogBus extends EventBusContract {
    @TempDir Path storage;

    @Override
    protected Herald.Builder newBusBuilder() {
      try {
        return Herald.builder().transport(open(storage, CODEC));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    protected boolean storesEvents() {
      return true;
    }

    @Override
    protected int stressEventsPerPublisher() {
      return 5_000;
    }
  }

  @Test
  void everyCloudEventsAttributeAndExtensionSurvivesStoreAndFeed() throws Exception {
    Event<Order> full =
        Event.<Order>builder("order.placed")
            .id("order-42-placed")
            .source("/shop/eu")
            .time(Instant.parse("2026-01-02T03:04:05.678Z"))
            .subject("orders/42")
            .dataContentType("application/json; charset=utf-8")
            .key("customer-7")
            .correlationId("flow-1")
            .causationId("cart-9")
            .traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .extension("tenant", "eu1")
            .data(new Order("42", 100))
            .build();
    Event<Object> bare = Event.of("order.cancelled", null);
    Event<Integer> number = Event.of("order.count", 7);
    try (LogTransport t = open(dir, CODEC)) {
      t.store(full).get(10, SECONDS);
      t.store(bare).get(10, SECONDS);
      t.store(number).get(10, SECONDS);
      LinkedBlockingQueue<Event<?>> fed = new LinkedBlockingQueue<>();
      Transport.Feed f = feedInto(t, fed);
      try {
        assertThat(fed.poll(10, SECONDS)).isEqualTo(full);
        assertThat(fed.poll(10, SECONDS)).isEqualTo(bare);
        assertThat(fed.poll(10, SECONDS)).isEqualTo(number);
      } finally {
        f.close();
      }
      try (LogReader r = t.log().reader(0)) {
        LogRecord record = r.next(Duration.ofSeconds(10)).orElseThrow();
        Map<String, String> headers =
            record.headers().stream()
                .collect(Collectors.toMap(Header::name, Header::valueAsString));
        assertThat(headers)
            .containsEntry("ce_id", "order-42-placed")
            .containsEntry("ce_source", "/shop/eu")
            .containsEntry("ce_specversion", "1.0")
            .containsEntry("ce_type", "order.placed")
            .containsEntry("ce_time", "2026-01-02T03:04:05.678Z")
            .containsEntry("ce_subject", "orders/42")
            .containsEntry("ce_correlationid", "flow-1")
            .containsEntry("ce_causationid", "cart-9")
            .containsEntry("ce_tenant", "eu1")
            .containsEntry("content-type", "application/json; charset=utf-8")
            .containsEntry("herald_class", Order.class.getName());
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("customer-7");
        assertThat(record.timestamp()).isEqualTo(full.timeMillis());
        assertThat(new String(record.payload(), StandardCharsets.UTF_8))
            .isEqualTo("{\"id\":\"42\",\"amount\":100}");
      }
      assertThat(t.log().endOffset()).isEqualTo(3);
    }
  }

  @Test
  void aPayloadClassNotAllowedDecodesToAGenericTree() throws Exception {
    try (LogTransport t = open(dir, JsonPayloadCodec.defaults())) {
      t.store(Event.of("order.placed", new Order("1", 5))).get(10, SECONDS);
      LinkedBlockingQueue<Event<?>> fed = new LinkedBlockingQueue<>();
      Transport.Feed f = feedInto(t, fed);
      try {
        assertThat(fed.poll(10, SECONDS).data()).isEqualTo(Map.of("id", "1", "amount", 5));
      } finally {
        f.close();
      }
    }
  }

  @Test
  void anUndecodableRecordGoesToAGroupMemberThatTakesItsType() throws Exception {
    try (LogTransport t = open(dir, CODEC)) {
      EventBus bus = Herald.builder().transport(t).build();
      ConcurrentLinkedQueue<DeadLetter> bad = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Order> orders = new ConcurrentLinkedQueue<>();
      bus.subscribe(DeadLetter.class, bad::add);
      // One group, two members: the first (index 0 when the feed picks by key) never takes orders.
      bus.subscribe("payment.#", e -> {}, SubscribeOptions.defaults().group("g").name("payments"));
      bus.subscribe(
          "order.placed",
          Order.class,
          e -> orders.add(e.data()),
          SubscribeOptions.defaults().group("g").name("orders"));
      t.store(Event.of("order.placed", new Order("1", 10))).get(10, SECONDS);
      await().atMost(30, SECONDS).until(() -> orders.size() == 1); // both members are assigned now
      List<Header> headers =
          List.of(
              Header.of("ce_id", "broken-1"), Header.of("ce_source", "/shop"),
              Header.of("ce_specversion", "1.0"), Header.of("ce_type", "order.placed"),
              Header.of("ce_time", "2026-01-02T03:04:05Z"),
                  Header.of("herald_class", Order.class.getName()));
      // Key "a": Arrays.hashCode is 128, even, so a pick among both members would take "payments".
      t.log()
          .append(
              LogRecord.of(
                  1L,
                  "a".getBytes(StandardCharsets.UTF_8),
                  headers,
                  "{\"id\": \"1\", amount".getBytes(StandardCharsets.UTF_8)))
          .get(10, SECONDS);
      await().atMost(30, SECONDS).until(() -> !bad.isEmpty());
      assertThat(bad)
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.subscription()).isEqualTo("orders");
                assertThat(d.event().id()).isEqualTo("broken-1");
              });
      assertThat(bus.close(Duration.ofSeconds(10)).drained()).isTrue();
    }
  }

  @Test
  void subscriptionsOfOneGroupShareTheWorkByKeyAndALeaverHandsOverWhatItHeld() throws Exception {
    try (LogTransport t = open(dir, CODEC)) {
      EventBus bus = Herald.builder().transport(t).build();
      Map<String, ConcurrentLinkedQueue<Event<Order>>> got =
          new java.util.concurrent.ConcurrentHashMap<>();
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      SubscribeOptions member =
          SubscribeOptions.defaults()
              .group("billing")
              .backpressure(dev.herald.Backpressure.block(Duration.ofSeconds(30)));
      for (String name : List.of("a", "b")) {
        got.put(name, new ConcurrentLinkedQueue<>());
        bus.subscribe("order.placed", Order.class, e -> got.get(name).add(e), member.name(name));
      }
      // "c" takes its share and holds it: it never finishes the first event it gets.
      got.put("c", new ConcurrentLinkedQueue<>());
      dev.herald.Subscription c =
          bus.subscribe(
              "order.placed",
              Order.class,
              e -> {
                got.get("c").add(e);
                release.await();
              },
              member.name("c"));
      int n = 300;
      for (int i = 0; i < n; i++) {
        bus.publish(Event.of("order.placed", "k" + (i % 12), new Order("" + i, i)))
            .get(10, SECONDS);
      }
      await()
          .atMost(30, SECONDS)
          .until(
              () -> got.get("c").size() == 1 && !got.get("a").isEmpty() && !got.get("b").isEmpty());

      c.close(); // leaves the group, still stuck: what it held goes to a and b
      await()
          .atMost(30, SECONDS)
          .untilAsserted(
              () -> assertThat(handledIds(got.get("a"), got.get("b"))).containsAll(allIds(n)));
      release.countDown();
      // Each key went to one member at a time, in order there.
      for (String name : List.of("a", "b")) {
        Map<String, List<Integer>> byKey =
            got.get(name).stream()
                .collect(
                    Collectors.groupingBy(
                        Event::key,
                        Collectors.mapping(e -> e.data().amount(), Collectors.toList())));
        byKey.values().forEach(amounts -> assertThat(amounts).isSorted());
      }
      bus.close(Duration.ofSeconds(10));
    }
    try (LogDirectory d = LogDirectory.open(dir, OPTIONS)) {
      assertThat(d.offsets().committed("billing", "events")).isEqualTo(OptionalLong.of(300));
    }
  }

  @Test
  void aMemberJoiningMidStreamNeverWorksOnAKeyItsOldOwnerStillHolds() throws Exception {
    int n = 4_000;
    int keys = 16;
    try (LogTransport t = open(dir, CODEC)) {
      EventBus bus = Herald.builder().transport(t).build();
      // No key ever in two members' hands at once; per member and key, the amounts in the order
      // handled (must rise: per-key order).
      OneKeyAtATime inHand = new OneKeyAtATime();
      Map<String, ConcurrentLinkedQueue<Event<Order>>> got =
          new java.util.concurrent.ConcurrentHashMap<>();
      java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
      SubscribeOptions member =
          SubscribeOptions.defaults()
              .group("billing")
              .backpressure(dev.herald.Backpressure.block(Duration.ofSeconds(30)));
      java.util.function.Function<String, dev.herald.Subscription> join =
          name -> {
            got.put(name, new ConcurrentLinkedQueue<>());
            return bus.subscribe(
                "order.placed",
                Order.class,
                e ->
                    inHand.handle(
                        e,
                        () -> {
                          got.get(name).add(e);
                          seen.add(e.data().id());
                        }),
                member.name(name));
          };
      join.apply("a");
      join.apply("b");
      for (int i = 0; i < n; i++) {
        bus.emit(Event.of("order.placed", "k" + (i % keys), new Order("" + i, i)));
        if (i == n / 4) {
          join.apply("c"); // while a and b still hold records of most keys
        }
        if (i == n / 2) {
          join.apply("d");
        }
      }
      await().atMost(60, SECONDS).until(() -> seen.size() == n);
      bus.close(Duration.ofSeconds(10));
      assertThat(inHand.overlaps()).as("times a key was in two members' hands at once").isZero();
      for (Map.Entry<String, ConcurrentLinkedQueue<Event<Order>>> e : got.entrySet()) {
        Map<String, List<Integer>> byKey =
            e.getValue().stream()
                .collect(
                    Collectors.groupingBy(
                        Event::key,
                        Collectors.mapping(ev -> ev.data().amount(), Collectors.toList())));
        byKey.values().forEach(amounts -> assertThat(amounts).as(e.getKey()).isSorted());
      }
      assertThat(got.get("c")).as("the joiner took a share").isNotEmpty();
    }
  }

  private static java.util.Set<String> handledIds(
      ConcurrentLinkedQueue<Event<Order>> a, ConcurrentLinkedQueue<Event<Order>> b) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    a.forEach(e -> ids.add(e.data().id()));
    b.forEach(e -> ids.add(e.data().id()));
    return ids;
  }

  private static List<String> allIds(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(Integer::toString).toList();
  }

  @Test
  void aFeedThatFailsForGoodIsReportedToTheBus() throws Exception {
    // Small segments with a dense index: the damage below lies in a sealed segment that the open
    // trusts by its index, so the feed's reader is the one to find it.
    LogOptions small =
        LogOptions.builder().segmentBytes(2048).indexIntervalBytes(64).maxRecordBytes(1024).build();
    try (LogTransport t =
        LogTransport.builder(LogDirectory.open(dir, small)).codec(CODEC).build()) {
      for (int i = 0; i < 40; i++) {
        t.store(Event.of("order.placed", new Order("" + i, i))).get(10, SECONDS);
      }
    }
    // Damage the middle of the (sealed, trusted) segment: the feed's reader meets it.
    Path segment = dir.resolve("topics/events/" + String.format("%020d.log", 0));
    byte[] bytes = java.nio.file.Files.readAllBytes(segment);
    bytes[bytes.length / 2] ^= 0x40;
    java.nio.file.Files.write(segment, bytes);

    LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    ConcurrentLinkedQueue<Order> orders = new ConcurrentLinkedQueue<>();
    try (LogTransport t =
        LogTransport.builder(LogDirectory.open(dir, small)).codec(CODEC).build()) {
      EventBus bus =
          Herald.builder()
              .transport(t)
              .listener(
                  new dev.herald.BusListener() {
                    @Override
                    public void onFeedFailed(String subscription, Throwable cause) {
                      failures.add(cause);
                    }
                  })
              .build();
      bus.subscribe(
          "order.placed",
          Order.class,
          e -> orders.add(e.data()),
          SubscribeOptions.defaults().group("orders").name("orders"));
      Throwable cause = failures.poll(30, SECONDS);
      assertThat(cause).isInstanceOf(LogCorruptedException.class);
      assertThat(cause.getMessage()).contains(segment.toString());
      // The subscription's own snapshot says so too, for whoever reads stats() (a health check of
      // a bus it did not build).
      assertThat(bus.stats().subscription("orders").feedFailure()).isEqualTo(String.valueOf(cause));
      // What lies before the damage was handed to the subscription, which may still be handling
      // it when the failure is reported.
      await().atMost(30, SECONDS).until(() -> !orders.isEmpty());
      assertThat(orders.size()).isBetween(1, 39);
      assertThat(orders).doesNotHaveDuplicates();
      bus.close(Duration.ofSeconds(10));
    }
  }

  @Test
  void acknowledgingNeverWaitsForTheOffsetCommit() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(FileLayer.system());
    LogOptions options =
        LogOptions.builder().flushPolicy(FlushPolicy.interval(50)).fileLayer(files).build();
    CountDownLatch commitGate = new CountDownLatch(1);
    LinkedBlockingQueue<Order> received = new LinkedBlockingQueue<>();
    LogTransport t =
        LogTransport.builder(LogDirectory.open(dir, options)).codec(CODEC).commitEvery(1).build();
    EventBus bus = Herald.builder().transport(t).build();
    files.otherForceGate = commitGate; // the first offsets commit hangs in its fsync
    bus.subscribe(
        "order.placed",
        Order.class,
        e -> received.add(e.data()),
        SubscribeOptions.defaults().group("orders").name("orders"));
    for (int i = 0; i < 10; i++) {
      bus.publish(Event.of("order.placed", new Order(String.valueOf(i), i))).get(10, SECONDS);
    }

    await().atMost(30, SECONDS).until(() -> received.size() == 10);
    commitGate.countDown();
    assertThat(bus.close(Duration.ofSeconds(10)).drained()).isTrue();
    try (LogDirectory d = LogDirectory.open(dir, OPTIONS)) {
      assertThat(d.offsets().committed("orders", "events")).isEqualTo(OptionalLong.of(10));
    }
  }

  @Test
  void anEmitTheLogRefusesAtOnceIsCountedStoredOnlyNotRouted() throws Exception {
    try (EventBus bus = Herald.builder().transport(open(dir, CODEC)).build()) {
      // The only in-process subscription matches none of the events below.
      bus.subscribe("other.type", e -> {});
      String tooBig = "x".repeat(2 * 1024 * 1024); // over the default maxRecordBytes (1 MiB)
      assertThatThrownBy(() -> bus.emit(Event.of("order.big", tooBig)))
          .isInstanceOf(dev.herald.StoreRefusedException.class);
      // emitAll stops at the refused event: the one before it is stored, the one after is not
      // published.
      assertThatThrownBy(
              () ->
                  bus.emitAll(
                      List.of(
                          Event.of("order.small", "a"),
                          Event.of("order.big", tooBig),
                          Event.of("order.small", "b"))))
          .isInstanceOf(dev.herald.StoreRefusedException.class);

      await().atMost(30, SECONDS).until(() -> bus.stats().stored() == 1);
      dev.herald.BusStats st = bus.stats();
      assertThat(st.published()).isEqualTo(3);
      assertThat(st.routed()).isZero();
      assertThat(st.storedOnly()).isEqualTo(3);
      assertThat(st.unrouted()).isZero();
      assertThat(st.storeFailed()).isEqualTo(2);
      assertThat(st.stored() + st.storeFailed()).isEqualTo(st.published());
      assertThat(st.subscriptions().get(0).routed()).isZero();
    }
  }

  @Test
  void emitsAFullAppendQueueRefusesAreCountedStoredOnlyNotRouted() throws Exception {
    LogOptions oneSlot = LogOptions.builder().appendQueueCapacity(1).build();
    try (EventBus bus =
        Herald.builder()
            .transport(LogTransport.builder(LogDirectory.open(dir, oneSlot)).codec(CODEC).build())
            .build()) {
      int refused = 0;
      for (int i = 0; i < 1_000_000 && refused < 100; i++) {
        try {
          bus.emit(Event.of("order.placed", "p" + i));
        } catch (dev.herald.StoreRefusedException e) {
          refused++;
        }
      }
      assertThat(refused).isPositive();
      await()
          .atMost(30, SECONDS)
          .until(
              () -> {
                dev.herald.BusStats s = bus.stats();
                return s.stored() + s.storeFailed() == s.published();
              });
      dev.herald.BusStats st = bus.stats();
      assertThat(st.routed()).isZero();
      assertThat(st.unrouted()).isZero();
      assertThat(st.storedOnly()).isEqualTo(st.published());
      assertThat(st.storeFailed()).isEqualTo(refused);
      assertThat(st.subscriptions()).isEmpty();
    }
  }

  @Test
  void deadLettersAreStoredAndReadableAfterARestart() throws Exception {
    EventBus first = Herald.builder().transport(open(dir, CODEC)).build();
    LinkedBlockingQueue<DeadLetter> local = new LinkedBlockingQueue<>();
    first.subscribe(DeadLetter.class, local::add);
    first.subscribe(
        "order.placed",
        Order.class,
        e -> {
          throw new IllegalStateException("no stock for " + e.data().id());
        },
        SubscribeOptions.defaults()
            .group("g")
            .name("reserve")
            .retry(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2))));
    Event<Order> order = Event.of("order.placed", "customer-1", new Order("9", 90));
    first.publish(order).get(10, SECONDS);
    assertThat(local.poll(30, SECONDS)).isNotNull();
    first.close(Duration.ofSeconds(10));

    EventBus second = Herald.builder().transport(open(dir, CODEC)).build();
    try {
      LinkedBlockingQueue<DeadLetter> stored = new LinkedBlockingQueue<>();
      second.subscribe(
          DeadLetter.class, stored::add, SubscribeOptions.defaults().group("dlq").name("dlq"));
      DeadLetter d = stored.poll(30, SECONDS);
      assertThat(d).isNotNull();
      assertThat(d.subscription()).isEqualTo("reserve");
      assertThat(d.attempts()).isEqualTo(2);
      assertThat(d.causeType()).isEqualTo(IllegalStateException.class.getName());
      assertThat(d.causeMessage()).isEqualTo("no stock for 9");
      assertThat(d.cause()).isNull();
      assertThat(d.event()).isEqualTo(order);

      // Redriven once the cause is fixed: the same event (same id) reaches the group again.
      LinkedBlockingQueue<Event<Order>> reserved = new LinkedBlockingQueue<>();
      second.subscribe(
          "order.placed",
          Order.class,
          reserved::add,
          SubscribeOptions.defaults().group("g").name("reserve"));
      second.redrive(d).get(10, SECONDS);
      Event<Order> again = reserved.poll(30, SECONDS);
      assertThat(again.id()).isEqualTo(order.id());
      assertThat(again.key()).isEqualTo(order.key());
      assertThat(again.extension("redriveto")).isEqualTo("reserve");
      assertThat(again.data()).isEqualTo(new Order("9", 90));
      assertThat(stored.poll(200, TimeUnit.MILLISECONDS)).isNull();
    } finally {
      second.close(Duration.ofSeconds(10));
    }
  }

  /** Feeds group {@code g} into {@code fed}, acknowledging at once. */
  static Transport.Feed feedInto(LogTransport t, LinkedBlockingQueue<Event<?>> fed) {
    return t.feed(
        "g",
        e -> true,
        (e, done) -> {
          fed.add(e);
          done.run();
        });
  }

  /**
   * Delegates to a codec, failing the next encode with a given exception when asked, and giving the
   * next payload a given type hint when asked.
   */
  static final class FailingCodec extends dev.herald.codec.ForwardingPayloadCodec {
    volatile RuntimeException failNext;
    volatile String nextTypeHint;

    FailingCodec(PayloadCodec delegate) {
      super(delegate);
    }

    @Override
    public String typeHint(Object data) {
      String h = nextTypeHint;
      if (h != null) {
        nextTypeHint = null;
        return h;
      }
      return super.typeHint(data);
    }

    @Override
    public byte[] encode(Object data) {
      RuntimeException f = failNext;
      if (f != null) {
        failNext = null;
        throw f;
      }
      return super.encode(data);
    }
  }
}
