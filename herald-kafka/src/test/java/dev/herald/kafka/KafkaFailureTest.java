package dev.herald.kafka;

import static dev.herald.kafka.KafkaTransportTest.freshPrefix;
import static dev.herald.kafka.KafkaTransportTest.transport;
import static dev.herald.kafka.PlainClients.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.herald.BusListener;
import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.StoreRefusedException;
import dev.herald.SubscribeOptions;
import dev.herald.codec.UndecodableRecord;
import dev.herald.kafka.KafkaTransportTest.Order;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Poison records, a consumer that dies mid-batch, and the errors a user must be able to read. */
@Timeout(value = 120, unit = SECONDS)
@ExtendWith(TestClusters.Shared.class)
class KafkaFailureTest {
  final String bootstrap = TestClusters.single().bootstrapServers();
  final String prefix = freshPrefix("failure");

  @Test
  void aRecordWithoutReadableHeadersIsDeadLetteredForEveryGroupUnderItsPosition() throws Exception {
    KafkaTransport t = transport(prefix).partitions(1).build();
    try (KafkaProducer<byte[], byte[]> p = PlainClients.producer(bootstrap)) {
      p.send(new ProducerRecord<>(prefix + "events", utf8("another team's bytes")))
          .get(30, SECONDS);
    }
    EventBus bus = Herald.builder().transport(t).build();
    ConcurrentLinkedQueue<DeadLetter> bad = new ConcurrentLinkedQueue<>();
    bus.subscribe(DeadLetter.class, bad::add);
    bus.subscribe(
        "order.placed", e -> {}, SubscribeOptions.defaults().group("orders").name("orders"));
    bus.subscribe(
        "payment.#", e -> {}, SubscribeOptions.defaults().group("payments").name("payments"));
    await().atMost(60, SECONDS).until(() -> bad.size() == 2);
    assertThat(bad)
        .extracting(DeadLetter::subscription)
        .containsExactlyInAnyOrder("orders", "payments");
    for (DeadLetter dl : bad) {
      assertThat(dl.event().type()).isEqualTo(UndecodableRecord.TYPE);
      assertThat(dl.event().id()).isEqualTo("undecodable-" + prefix + "events-0-0");
    }
    awaitCommitted("orders", 3); // the record and both dead letters
    awaitCommitted("payments", 3);
    assertThat(bus.close(Duration.ofSeconds(10)).drained()).isTrue();
  }

  private void awaitCommitted(String group, long total) {
    await()
        .atMost(60, SECONDS)
        .until(() -> PlainClients.committedTotal(bootstrap, prefix + group) == total);
  }

  @Test
  void recordsOfTypesNoSubscriptionTakesAreSkippedUndecoded() throws Exception {
    CountingCodec codec = new CountingCodec(KafkaTransportTest.CODEC);
    try (KafkaTransport t = transport(prefix).codec(codec).partitions(1).build()) {
      for (int i = 0; i < 20; i++) {
        t.store(Event.of("stock.low", "sku-" + i)).get(30, SECONDS);
      }
      t.store(Event.of("order.placed", new Order("1", 10))).get(30, SECONDS);
      EventBus bus = Herald.builder().transport(t).build();
      ConcurrentLinkedQueue<Order> orders = new ConcurrentLinkedQueue<>();
      bus.subscribe(
          "order.placed",
          Order.class,
          e -> orders.add(e.data()),
          SubscribeOptions.defaults().group("orders").name("orders"));
      await().atMost(60, SECONDS).until(() -> orders.size() == 1);
      assertThat(codec.decoded.get()).isEqualTo(1);
      assertThat(bus.close(Duration.ofSeconds(10)).drained()).isTrue();
      assertThat(PlainClients.committedTotal(bootstrap, prefix + "orders")).isEqualTo(21);
    }
  }

  @Test
  void aFeedThatFailsForGoodIsReportedToTheBus() throws Exception {
    FailingCodec codec = new FailingCodec(KafkaTransportTest.CODEC);
    codec.decodeError = new AssertionError("bug in the codec");
    KafkaTransport t = transport(prefix).codec(codec).build();
    t.store(Event.of("order.placed", new Order("1", 10))).get(30, SECONDS);
    LinkedBlockingQueue<String> subscriptions = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    EventBus bus =
        Herald.builder()
            .transport(t)
            .listener(
                new BusListener() {
                  @Override
                  public void onFeedFailed(String subscription, Throwable cause) {
                    subscriptions.add(subscription);
                    failures.add(cause);
                  }
                })
            .build();
    bus.subscribe(
        "order.placed", e -> {}, SubscribeOptions.defaults().group("orders").name("orders"));
    Throwable cause = failures.poll(60, SECONDS);
    assertThat(cause).isInstanceOf(AssertionError.class).hasMessage("bug in the codec");
    assertThat(subscriptions.poll()).isEqualTo("orders");
    assertThat(t.feeds())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.state()).isEqualTo(KafkaFeed.State.FAILED);
              assertThat(f.failure()).containsSame(cause);
            });
    bus.close(Duration.ofSeconds(10));
    assertThat(failures).isEmpty(); // reported once
    assertThat(PlainClients.committedTotal(bootstrap, prefix + "orders")).isZero();
  }

  @Test
  void aConsumerKilledMidBatchHasItsUnfinishedRecordsRedeliveredToAnotherMember() throws Exception {
    int total = 300;
    int finishedBeforeDeath = 50;
    Set<String> all = new HashSet<>();
    try (KafkaTransport first = transport(prefix).build()) {
      for (int i = 0; i < total; i++) {
        Event<Integer> e = Event.of("job.run", "k" + (i % 10), i);
        all.add(e.id());
        first.store(e).get(30, SECONDS);
      }
      // The first member finishes the first 50 events it is handed and holds on to the rest.
      Set<String> finished = ConcurrentHashMap.newKeySet();
      AtomicInteger handed = new AtomicInteger();
      KafkaFeed dying =
          first.feed(
              "workers",
              e -> true,
              (e, done) -> {
                if (handed.incrementAndGet() <= finishedBeforeDeath) {
                  finished.add(e.id());
                  done.run();
                }
              });
      await().atMost(60, SECONDS).until(() -> handed.get() == total);
      await()
          .atMost(30, SECONDS)
          .until(
              () ->
                  PlainClients.committedTotal(bootstrap, prefix + "workers")
                      == finishedBeforeDeath);
      dying.crash();

      try (KafkaTransport second = transport(prefix).build()) {
        Set<String> redelivered = ConcurrentHashMap.newKeySet();
        second.feed(
            "workers",
            e -> true,
            (e, done) -> {
              redelivered.add(e.id());
              done.run();
            });
        await().atMost(60, SECONDS).until(() -> redelivered.size() == total - finishedBeforeDeath);
        assertThat(redelivered).doesNotContainAnyElementsOf(finished);
        Set<String> union = new HashSet<>(redelivered);
        union.addAll(finished);
        assertThat(union).isEqualTo(all);
      }
    }
  }

  @Test
  void aFeedThatDiesSaysSoInsteadOfVanishing() throws Exception {
    try (KafkaTransport t = transport(prefix).build()) {
      t.store(Event.of("job.run", 1)).get(30, SECONDS);
      KafkaFeed f =
          t.feed(
              "broken",
              e -> true,
              (e, done) -> {
                throw new IllegalStateException("bug in the sink");
              });
      await().atMost(30, SECONDS).until(() -> f.state() == KafkaFeed.State.FAILED);
      assertThat(f.failure())
          .get()
          .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
          .hasMessage("bug in the sink");
      assertThat(t.feeds()).contains(f);
      assertThat(PlainClients.committedTotal(bootstrap, prefix + "broken")).isZero();
    }
  }

  @Test
  void aCustomMappingStoresEachTypeInItsTopicAndFeedsReadThemAll() throws Exception {
    String orders = prefix + "orders";
    String rest = prefix + "rest";
    try (KafkaTransport t =
        transport(prefix)
            .topics(type -> type.startsWith("order.") ? orders : rest, List.of(orders, rest))
            .build()) {
      t.store(Event.of("order.placed", "c1", new Order("1", 10))).get(30, SECONDS);
      t.store(Event.of("stock.low", "sku-1")).get(30, SECONDS);
      Set<String> types = ConcurrentHashMap.newKeySet();
      t.feed(
          "all",
          e -> true,
          (e, done) -> {
            types.add(e.type());
            done.run();
          });
      await().atMost(30, SECONDS).until(() -> types.size() == 2);
      assertThat(PlainClients.readAll(bootstrap, orders, 1)).hasSize(1);
    }
  }

  @Test
  void anUnreachableClusterFailsTheBuildFastNamingTheBootstrapServers() {
    assertThatThrownBy(
            () ->
                KafkaTransport.builder("127.0.0.1:1").startupTimeout(Duration.ofSeconds(2)).build())
        .isInstanceOf(KafkaTransportException.class)
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageContaining("2000 ms");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.0.0.1:99999"})
  void aMalformedBootstrapAddressFailsTheBuildNamingTheRealCause(String bootstrap) {
    assertThatThrownBy(
            () -> KafkaTransport.builder(bootstrap).startupTimeout(Duration.ofSeconds(2)).build())
        .isInstanceOf(KafkaTransportException.class)
        .hasMessageStartingWith("invalid Kafka bootstrap servers '" + bootstrap + "': ")
        .hasMessageContaining("bootstrap.servers: " + bootstrap)
        .hasMessageNotContaining("Failed to create new KafkaAdminClient")
        .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"max.request.size=abc", "batch.size=16k", "buffer.memory=lots"})
  void aSizeThatIsNotANumberFailsTheBuildNamingThePropertyAndLeavesNoClientRunning(String setting) {
    String name = setting.substring(0, setting.indexOf('='));
    String value = setting.substring(setting.indexOf('=') + 1);
    String clientId = prefix + "badsize";
    assertThatThrownBy(
            () -> transport(prefix).clientId(clientId).producerProperty(name, value).build())
        .isInstanceOf(KafkaTransportException.class)
        .hasMessageStartingWith("invalid Kafka client configuration: ")
        .hasMessageContaining(name)
        .hasMessageContaining(value);
    await()
        .atMost(30, SECONDS)
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(
                        th ->
                            th.isAlive()
                                && th.getName().startsWith("kafka-admin-client-thread")
                                && th.getName().contains(clientId)));
  }

  @Test
  void aSizeWithSpaceAroundItIsReadAsKafkaReadsIt() throws Exception {
    // kafka-clients trims a number given as a string; Herald reads it the same way.
    try (KafkaTransport t =
        transport(prefix)
            .producerProperty("max.request.size", " 2097152")
            .producerProperty("batch.size", "32768 ")
            .producerProperty("buffer.memory", " 33554432 ")
            .build()) {
      t.store(Event.of("blob.small", "x")).get(30, SECONDS);
    }
  }

  @Test
  void aMissingTopicWithAutoCreateOffFailsTheBuildNamingTheTopic() {
    assertThatThrownBy(() -> transport(prefix).autoCreateTopics(false).build())
        .isInstanceOf(KafkaTransportException.class)
        .hasMessageContaining(prefix + "events")
        .hasMessageContaining("autoCreateTopics is off")
        .extracting(e -> ((KafkaTransportException) e).missingTopics())
        .asInstanceOf(InstanceOfAssertFactories.list(String.class))
        .contains(prefix + "events");
  }

  @Test
  void aStoreThatFindsTheProducersBufferFullFailsAtOnceInsteadOfBlocking() throws Exception {
    // Room for one 16 KiB batch; a long linger keeps the first batch, and so the room, held.
    KafkaTransport t =
        transport(prefix)
            .producerProperty("buffer.memory", 20_000)
            .producerProperty("batch.size", 16_384)
            .producerProperty("linger.ms", 60_000)
            .producerProperty("max.block.ms", 120_000)
            .build();
    CompletableFuture<Void> first;
    try {
      first = t.store(Event.of("blob.held", "x".repeat(10_000)));
      // Before: the producer waited max.block.ms (here 120 s) for room on the caller's thread.
      CompletableFuture<Void> second =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30), () -> t.store(Event.of("blob.refused", "y".repeat(10_000))));
      assertThatThrownBy(() -> second.get(30, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaTransportException.class)
          .hasMessageContaining("buffer.memory is 20000 bytes");
    } finally {
      t.close();
    }
    first.get(30, SECONDS); // flushed by close: the full buffer refused only what did not fit
  }

  @Test
  void aTopicsMappingWithNoTopicForATypeFailsItsStoresSayingSo() throws Exception {
    String events = prefix + "events";
    KafkaTransport t =
        transport(prefix)
            .topics(
                type ->
                    switch (type) {
                      case "order.placed", DeadLetter.TYPE -> events;
                      case "blank.x" -> " ";
                      case "invalid.x" -> "no spaces allowed";
                      default -> null; // a partial mapping: nothing for misc.*
                    },
                List.of(events))
            .build();
    EventBus bus = Herald.builder().transport(t).build();
    try {
      bus.publish(Event.of("order.placed", "c1", new Order("1", 10))).get(30, SECONDS);
      assertThatThrownBy(() -> bus.publish(Event.of("misc.y", "d")).get(30, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaTransportException.class)
          .hasMessage("the topics mapping gave no topic for type 'misc.y'");
      assertThatThrownBy(() -> bus.emit(Event.of("misc.z", "d")))
          .isInstanceOf(StoreRefusedException.class)
          .cause()
          .isInstanceOf(KafkaTransportException.class)
          .hasMessage("the topics mapping gave no topic for type 'misc.z'");
      assertThatThrownBy(() -> bus.publish(Event.of("blank.x", "d")).get(30, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaTransportException.class)
          .hasMessage("the topics mapping gave no topic for type 'blank.x' (a blank name)");
      // A name Kafka refuses fails when the topic is set up, naming it and giving Kafka's refusal.
      assertThatThrownBy(() -> bus.publish(Event.of("invalid.x", "d")).get(30, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaTransportException.class)
          .hasMessageContaining("Kafka topic 'no spaces allowed'")
          .hasMessageContaining("InvalidTopicException");
      assertThat(bus.stats().storeFailed()).isEqualTo(4);
    } finally {
      bus.close();
    }
  }

  @Test
  void aNewTopicIsSetUpOnAThreadHeraldOwnsWhichCloseStops() throws Exception {
    String later = prefix + "later";
    KafkaTransport t =
        transport(prefix)
            .clientId(prefix + "setup")
            .topics(
                type -> type.startsWith("later.") ? later : prefix + "events",
                List.of(prefix + "events"))
            .build();
    try {
      t.store(Event.of("later.one", "c1", new Order("1", 10))).get(30, SECONDS);
      assertThat(PlainClients.readAll(bootstrap, later, 1)).hasSize(1);
      assertThat(topicThreads(prefix + "setup"))
          .isNotEmpty()
          .allSatisfy(th -> assertThat(th.isDaemon()).isTrue());
    } finally {
      t.close();
    }
    await().atMost(30, SECONDS).until(() -> topicThreads(prefix + "setup").isEmpty());
  }

  private static List<Thread> topicThreads(String clientId) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(th -> th.getName().equals("herald-kafka-topics-" + clientId) && th.isAlive())
        .toList();
  }

  @Test
  void aRecordOverTheSizeLimitFailsItsStoreNamingTheLimit() throws Exception {
    try (KafkaTransport t =
        transport(prefix).producerProperty("max.request.size", 10_000).build()) {
      assertThatThrownBy(() -> t.store(Event.of("blob.big", "x".repeat(20_000))).get(30, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaTransportException.class)
          .hasMessageContaining("max.request.size is 10000 bytes");
      t.store(Event.of("blob.small", "x")).get(30, SECONDS); // the producer is still fine
    }
  }
}
