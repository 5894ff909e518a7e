package dev.herald.server;

import static dev.herald.server.GatewayStoreContract.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.Event;
import dev.herald.Herald;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter index on Kafka ({@link KafkaDeadLetters}), on one embedded broker shared by the
 * class: each test has topics of its own (three partitions each), opened by several gateways at
 * once or one after the other, as several gateway instances over one cluster are.
 */
class KafkaDeadLettersTest {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static EmbeddedKafka kafka;

  private final String name = "dl" + NAMES.incrementAndGet();
  private final List<KafkaGatewayStore> opened = new ArrayList<>();
  private final AtomicBoolean healthy = new AtomicBoolean();
  private final List<String> handled = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @AfterEach
  void closeStores() {
    for (KafkaGatewayStore s : opened) {
      s.close();
    }
  }

  /** A gateway's store over this test's topics. */
  private KafkaGatewayStore open(int capacity) {
    KafkaTransport t =
        KafkaTransport.builder(kafka.bootstrapServers())
            .eventsTopic(name + ".events")
            .deadLetterTopic(name + ".deadletter")
            .groupIdPrefix(name + "-")
            .clientId(name)
            .partitions(3)
            .commitInterval(Duration.ofMillis(100))
            .startupTimeout(Duration.ofSeconds(30))
            .build();
    KafkaGatewayStore s =
        KafkaGatewayStore.over(t, Herald.builder().transport(t).build(), capacity);
    opened.add(s);
    return s;
  }

  /** Subscribes {@code store}'s bus as group "fragile", which fails until {@link #healthy}. */
  private void subscribeFragile(GatewayStore store) {
    store
        .bus()
        .subscribe(
            "dl.fragile",
            e -> {
              if (!healthy.get()) {
                throw new IllegalStateException("not yet: " + e.id());
              }
              synchronized (handled) {
                handled.add(e.id());
              }
            },
            SubscribeOptions.defaults().name("fragile").group("fragile").retry(RetryPolicy.none()));
  }

  private static List<String> eventIds(List<GatewayStore.StoredDeadLetter> list) {
    return list.stream().map(d -> d.deadLetter().event().id()).toList();
  }

  private static List<Event<String>> appendAcrossKeys(GatewayStore store, int n) throws Exception {
    List<Event<String>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Event<String> e = Event.of("dl.fragile", "key-" + i, "payload " + i);
      store.append(e).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      out.add(e);
    }
    return out;
  }

  @Test
  void aRedriveThroughOneGatewayLeavesTheOthersListAtOnceAndStaysResolvedAfterARestart()
      throws Exception {
    KafkaGatewayStore one = open(KafkaDeadLetters.DEFAULT_CAPACITY);
    KafkaGatewayStore two = open(KafkaDeadLetters.DEFAULT_CAPACITY);
    subscribeFragile(one);
    List<Event<String>> failed = appendAcrossKeys(one, 3);
    List<String> ids = failed.stream().map(Event::id).toList();
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(one.deadLetters("fragile", 10)).hasSize(3));
    assertThat(eventIds(one.deadLetters("fragile", 10))).containsExactlyInAnyOrderElementsOf(ids);
    // The other gateway's index read the same topic: the same dead letters at the same positions.
    assertThat(two.deadLetters("fragile", 10)).isEqualTo(one.deadLetters("fragile", 10));
    assertThat(two.deadLetters(null, 10)).isEqualTo(one.deadLetters("fragile", 10));
    assertThat(two.deadLetters("someone-else", 10)).isEmpty();
    assertThat(one.deadLettersIndexed()).isEqualTo(3);

    GatewayStore.StoredDeadLetter first = two.deadLetters("fragile", 10).get(0);
    healthy.set(true);
    two.redrive(first).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    // Gateway one's next answer already has the mark gateway two stored: no wait, no scan.
    assertThat(eventIds(one.deadLetters("fragile", 10)))
        .hasSize(2)
        .doesNotContain(first.deadLetter().event().id());
    assertThat(one.deadLetter(first.position())).isEmpty();
    assertThatThrownBy(() -> one.redrive(first).get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("resolved already");
    // The subscription that gave up took the redriven event, on gateway one's bus.
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              synchronized (handled) {
                assertThat(handled).containsExactly(first.deadLetter().event().id());
              }
            });

    List<GatewayStore.StoredDeadLetter> left = one.deadLetters("fragile", 10);
    one.close();
    two.close();
    KafkaGatewayStore three = open(KafkaDeadLetters.DEFAULT_CAPACITY);
    assertThat(three.deadLetters("fragile", 10)).isEqualTo(left);
    assertThat(three.deadLetter(first.position())).isEmpty();
  }

  @Test
  void theIndexIsBoundedAndCountsWhatFoundItFull() throws Exception {
    KafkaGatewayStore store = open(2);
    subscribeFragile(store);
    appendAcrossKeys(store, 3);
    await().atMost(PATIENCE).until(store::deadLettersNotIndexed, n -> n == 1);
    assertThat(store.deadLettersIndexed()).isEqualTo(2);
    assertThat(store.deadLetters("fragile", 10)).hasSize(2);
    assertThat(store.deadLetters(null, 1)).hasSize(1);
  }

  @Test
  void aListingIsOldestFirstAndTheLimitKeepsTheOldest() throws Exception {
    KafkaGatewayStore store = open(KafkaDeadLetters.DEFAULT_CAPACITY);
    subscribeFragile(store);
    List<String> order = new ArrayList<>();
    for (Event<String> e : appendAcrossKeys(store, 6)) {
      order.add(e.id());
    }
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(store.deadLetters("fragile", 10)).hasSize(6));
    List<GatewayStore.StoredDeadLetter> all = store.deadLetters("fragile", 10);
    List<Long> times = all.stream().map(d -> d.deadLetter().time().toEpochMilli()).toList();
    assertThat(times).isSorted();
    assertThat(store.deadLetters("fragile", 4)).isEqualTo(all.subList(0, 4));
    assertThat(eventIds(all)).containsExactlyInAnyOrderElementsOf(order);
  }

  /**
   * Partitions added to the dead-letter topic while a gateway runs are found by its reader (it
   * looks every 5 s) and indexed from their start: a dead letter stored in one is listed through
   * the gateway without a restart.
   */
  @Test
  void aDeadLetterInAPartitionAddedWhileTheGatewayRunsIsListed() throws Exception {
    KafkaGatewayStore store = open(KafkaDeadLetters.DEFAULT_CAPACITY);
    subscribeFragile(store);
    Event<String> failed = appendAcrossKeys(store, 1).get(0);
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(store.deadLetters("fragile", 10)).hasSize(1));
    String topic = name + ".deadletter";
    try (HeraldServer server = HeraldServer.builder(store).port(0).start();
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin
          .createPartitions(Map.of(topic, NewPartitions.increaseTo(5)))
          .all()
          .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      // A copy of the stored dead letter, into the new partition 4: another dead letter of the
      // same group, at a position of its own.
      ConsumerRecord<byte[], byte[]> original = firstRecord(store, topic);
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    topic, 4, original.key(), original.value(), original.headers()))
            .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      }
      String inNewPartition =
          KafkaPosition.of(new TopicPartition(topic, 4), 0, store.transport().feedTopics());
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest list =
          HttpRequest.newBuilder(URI.create(server.uri() + "/v1/deadletters?group=fragile"))
              .timeout(PATIENCE)
              .build();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                HttpResponse<String> r = http.send(list, HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).contains(inNewPartition).contains(failed.id());
              });
      assertThat(store.deadLetters("fragile", 10)).hasSize(2);
    }
  }

  private static ConsumerRecord<byte[], byte[]> firstRecord(KafkaGatewayStore store, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = store.transport().reader("test-copy")) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          return r;
        }
      }
      throw new AssertionError("no record in " + topic);
    }
  }
}
