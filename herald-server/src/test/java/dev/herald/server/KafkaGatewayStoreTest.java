package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.KafkaTransportException;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link GatewayStoreContract} on one embedded Kafka broker shared by the class; each test gets its
 * own topics (three partitions each) and group id prefix. Then what is Kafka's own: the form of
 * positions, retention, and how producer failures are answered.
 */
class KafkaGatewayStoreTest extends GatewayStoreContract {
  private static final AtomicInteger STORES = new AtomicInteger();
  private static EmbeddedKafka kafka;

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

  @Override
  protected GatewayStore newStore() {
    return newStore(builder());
  }

  private static KafkaTransport.Builder builder() {
    String name = "gw" + STORES.incrementAndGet();
    return KafkaTransport.builder(kafka.bootstrapServers())
        .eventsTopic(name + ".events")
        .deadLetterTopic(name + ".deadletter")
        .groupIdPrefix(name + "-")
        .clientId(name)
        .partitions(3)
        .commitInterval(Duration.ofMillis(100))
        .startupTimeout(Duration.ofSeconds(30));
  }

  private static KafkaGatewayStore newStore(KafkaTransport.Builder b) {
    KafkaTransport t = b.build();
    EventBus bus = Herald.builder().transport(t).build();
    return KafkaGatewayStore.over(t, bus);
  }

  private KafkaTransport transport() {
    return ((KafkaGatewayStore) store).transport();
  }

  @Test
  void aPositionNamesEveryPartitionReadInTopicAndPartitionOrder() throws Exception {
    appendAcrossKeys("kafka.form", 9);
    String appended = store.append(Event.of("kafka.form", "last", 9)).get(30, TimeUnit.SECONDS);
    assertThat(appended).matches("0\\.[0-2]\\.\\d+");
    List<GatewayStore.StoredEvent> all = readFromStart(10);
    GatewayStore.StoredEvent last =
        all.stream().filter(s -> s.event().data().equals(9)).findFirst().orElseThrow();
    assertThat(last.position().split("_")).as("its own record is read").contains(appended);
    String end = all.get(all.size() - 1).position();
    assertThat(end).matches("0\\.0\\.\\d+_0\\.1\\.\\d+_0\\.2\\.\\d+");
    assertThat(store.name()).isEqualTo("kafka");
  }

  @Test
  void aPositionNamingAPartitionThatDoesNotExistOrAnOffsetNotYetStoredIsAnIllegalArgument() {
    assertThatThrownBy(() -> store.cursor("0.7.0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.cursor("5.0.0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.cursor("0.0.0_0.0.1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.cursor("0.0.1000")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPositionWhoseNextRecordRetentionDeletedIsGone() throws Exception {
    for (int i = 0; i < 5; i++) {
      store.append(Event.of("kafka.retained", "same-key", i)).get(30, TimeUnit.SECONDS);
    }
    List<GatewayStore.StoredEvent> all = readFromStart(5);
    String first = all.get(0).position();
    TopicPartition tp =
        new TopicPartition(
            transport().feedTopics().get(0), Integer.parseInt(first.split("\\.")[1]));
    transport()
        .admin()
        .deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(3)))
        .all()
        .get(30, TimeUnit.SECONDS);

    assertThatThrownBy(() -> store.cursor(first))
        .isInstanceOf(PositionGoneException.class)
        .hasMessageContaining(first);
    // The record just before the start is still a valid place to resume: nothing after it is gone.
    try (GatewayStore.Cursor c = store.cursor(all.get(2).position())) {
      assertThat(ids(readAll(c, 2))).containsExactlyElementsOf(ids(all.subList(3, 5)));
    }
    try (GatewayStore.Cursor c = store.cursor("earliest")) {
      assertThat(ids(readAll(c, 2))).containsExactlyElementsOf(ids(all.subList(3, 5)));
    }
  }

  @Test
  void groupsNameTheirPartitionsAsTopicDashPartition() throws Exception {
    appendAcrossKeys("kafka.groups", 3);
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicInteger seen = new AtomicInteger();
    dev.herald.Subscription s =
        store
            .bus()
            .subscribe(
                "kafka.groups",
                e -> {
                  if (seen.incrementAndGet() == 3) {
                    done.complete(null);
                  }
                },
                dev.herald.SubscribeOptions.defaults().group("named"));
    try {
      done.get(60, TimeUnit.SECONDS);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(store.groups())
                      .singleElement()
                      .satisfies(
                          g -> {
                            assertThat(g.group()).isEqualTo("named");
                            assertThat(g.lag()).isZero();
                            assertThat(g.partitions())
                                .extracting(GatewayStore.PartitionLag::partition)
                                .contains(transport().feedTopics().get(0) + "-0");
                          }));
    } finally {
      s.close();
    }
  }

  @Test
  void openUsesTheDefaultTopicsAndStoresAndReadsThere() throws Exception {
    try (KafkaGatewayStore opened = KafkaGatewayStore.open(kafka.bootstrapServers())) {
      assertThat(opened.transport().feedTopics())
          .containsExactly(
              KafkaTransport.DEFAULT_EVENTS_TOPIC, KafkaTransport.DEFAULT_DEAD_LETTER_TOPIC);
      Event<String> e = Event.of("kafka.opened", "k", "v");
      String position = opened.append(e).get(30, TimeUnit.SECONDS);
      try (GatewayStore.Cursor c = opened.cursor("earliest")) {
        assertThat(readAll(c, 1).get(0).event().id()).isEqualTo(e.id());
        assertThat(c.position()).isEqualTo(position);
      }
    }
  }

  @Test
  void producerFailuresAreAnsweredAsBusyUnavailableOrInvalid() {
    assertThat(
            KafkaGatewayStore.translate(
                new KafkaTransportException("full", new BufferExhaustedException("full"))))
        .isInstanceOf(StoreBusyException.class);
    assertThat(KafkaGatewayStore.translate(new ThrottlingQuotaExceededException("slow down")))
        .isInstanceOf(StoreBusyException.class);
    assertThat(
            KafkaGatewayStore.translate(
                new org.apache.kafka.common.errors.TimeoutException("Expiring 1 record(s)")))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(KafkaGatewayStore.translate(new IllegalStateException("producer closed")))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(
            KafkaGatewayStore.translate(
                new KafkaTransportException("too large", new RecordTooLargeException("big"))))
        .isInstanceOf(IllegalArgumentException.class);
    IllegalArgumentException codec = new IllegalArgumentException("cannot encode");
    assertThat(KafkaGatewayStore.translate(codec)).isSameAs(codec);
  }

  @Test
  void aFullProducerBufferIsBusyAndAClosedStoreUnavailable() throws Exception {
    try (KafkaGatewayStore tiny = newStore(builder().producerProperty("buffer.memory", 1024L))) {
      CompletableFuture<String> f = tiny.append(Event.of("kafka.busy", "x"));
      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(StoreBusyException.class);
    }
    KafkaGatewayStore closed = newStore(builder());
    closed.close();
    assertThatThrownBy(() -> closed.append(Event.of("kafka.closed", "x")).get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> closed.cursor("earliest"))
        .isInstanceOf(StoreUnavailableException.class);
  }
}
