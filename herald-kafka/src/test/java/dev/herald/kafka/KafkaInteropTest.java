package dev.herald.kafka;

import static dev.herald.kafka.KafkaTransportTest.freshPrefix;
import static dev.herald.kafka.KafkaTransportTest.transport;
import static dev.herald.kafka.PlainClients.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.codec.UndecodableRecord;
import dev.herald.kafka.KafkaTransportTest.Order;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Herald, plain Kafka clients and the official CloudEvents Java SDK read each other's records: the
 * CloudEvents Kafka binding, both modes.
 */
@Timeout(value = 120, unit = SECONDS)
@ExtendWith(TestClusters.Shared.class)
class KafkaInteropTest {
  final String bootstrap = TestClusters.single().bootstrapServers();
  final String prefix = freshPrefix("interop");

  @Test
  void aPlainProducersBinaryModeRecordIsReadByHerald() throws Exception {
    try (KafkaTransport t = transport(prefix).build();
        KafkaProducer<byte[], byte[]> p = PlainClients.producer(bootstrap)) {
      List<Header> headers =
          List.of(
              new RecordHeader("ce_specversion", utf8("1.0")),
              new RecordHeader("ce_id", utf8("ext-1")),
              new RecordHeader("ce_source", utf8("/billing")),
              new RecordHeader("ce_type", utf8("order.placed")),
              new RecordHeader("ce_time", utf8("2026-01-02T03:04:05Z")),
              new RecordHeader("ce_tenant", utf8("eu1")),
              new RecordHeader("content-type", utf8("application/json")));
      p.send(
              new ProducerRecord<>(
                  prefix + "events",
                  null,
                  1L,
                  utf8("customer-1"),
                  utf8("{\"id\":\"7\",\"amount\":70}"),
                  headers))
          .get(30, SECONDS);
      Event<?> e = feedOne(t);
      assertThat(e.id()).isEqualTo("ext-1");
      assertThat(e.type()).isEqualTo("order.placed");
      assertThat(e.source()).isEqualTo("/billing");
      assertThat(e.time()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
      assertThat(e.key()).isEqualTo("customer-1");
      assertThat(e.extensions()).containsEntry("tenant", "eu1");
      // No herald_class header: the allow-listed JSON codec gives the generic tree.
      assertThat(e.data()).isEqualTo(Map.of("id", "7", "amount", 70));
    }
  }

  @Test
  void aPlainProducersStructuredModeRecordIsReadByHerald() throws Exception {
    try (KafkaTransport t = transport(prefix).build();
        KafkaProducer<byte[], byte[]> p = PlainClients.producer(bootstrap)) {
      String json =
          """
                    {"specversion":"1.0","id":"s-1","type":"order.placed","source":"/billing",
                     "time":"2026-01-02T03:04:05Z","subject":"orders/8","correlationid":"flow-2",
                     "datacontenttype":"application/json","data":{"id":"8","amount":80}}""";
      p.send(
              new ProducerRecord<>(
                  prefix + "events",
                  null,
                  utf8("customer-2"),
                  utf8(json),
                  List.of(
                      new RecordHeader(
                          "content-type", utf8("application/cloudevents+json; charset=UTF-8")))))
          .get(30, SECONDS);
      Event<?> e = feedOne(t);
      assertThat(e.id()).isEqualTo("s-1");
      assertThat(e.subject()).isEqualTo("orders/8");
      assertThat(e.correlationId()).isEqualTo("flow-2");
      assertThat(e.key()).isEqualTo("customer-2");
      assertThat(e.data()).isEqualTo(Map.of("id", "8", "amount", 80));
    }
  }

  @Test
  void heraldsRecordsCarryTheBindingsHeadersForAPlainConsumer() throws Exception {
    Event<Order> full =
        Event.<Order>builder("order.placed")
            .id("order-42")
            .source("/shop/eu")
            .time(Instant.parse("2026-01-02T03:04:05.678Z"))
            .subject("orders/42")
            .key("customer-7")
            .correlationId("flow-1")
            .extension("tenant", "eu1")
            .data(new Order("42", 100))
            .build();
    try (KafkaTransport t = transport(prefix).build()) {
      t.store(full).get(30, SECONDS);
      t.store(Event.of("order.count", 7)).get(30, SECONDS);
    }
    List<ConsumerRecord<byte[], byte[]>> records =
        PlainClients.readAll(bootstrap, prefix + "events", 2);
    assertThat(records).hasSize(2);
    ConsumerRecord<byte[], byte[]> r =
        records.stream().filter(x -> x.key() != null).findFirst().orElseThrow();
    assertThat(PlainClients.headers(r))
        .containsEntry("ce_specversion", "1.0")
        .containsEntry("ce_id", "order-42")
        .containsEntry("ce_source", "/shop/eu")
        .containsEntry("ce_type", "order.placed")
        .containsEntry("ce_time", "2026-01-02T03:04:05.678Z")
        .containsEntry("ce_subject", "orders/42")
        .containsEntry("ce_correlationid", "flow-1")
        .containsEntry("ce_tenant", "eu1")
        .containsEntry("content-type", "application/json")
        .containsEntry("herald_class", Order.class.getName());
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("customer-7");
    assertThat(r.timestamp()).isEqualTo(full.timeMillis());
    assertThat(new String(r.value(), StandardCharsets.UTF_8))
        .isEqualTo("{\"id\":\"42\",\"amount\":100}");
    ConsumerRecord<byte[], byte[]> keyless =
        records.stream().filter(x -> x.key() == null).findFirst().orElseThrow();
    assertThat(PlainClients.headers(keyless)).containsEntry("ce_type", "order.count");
  }

  @Test
  void deadLettersGoToTheDeadLetterTopicWithTheirFactsAsHeaders() throws Exception {
    EventBus bus = Herald.builder().transport(transport(prefix).build()).build();
    LinkedBlockingQueue<DeadLetter> local = new LinkedBlockingQueue<>();
    bus.subscribe(DeadLetter.class, local::add);
    bus.subscribe(
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
    bus.publish(order).get(30, SECONDS);
    assertThat(local.poll(30, SECONDS)).isNotNull();
    assertThat(bus.close(Duration.ofSeconds(10)).drained()).isTrue();

    List<ConsumerRecord<byte[], byte[]>> dead =
        PlainClients.readAll(bootstrap, prefix + "deadletter", 1);
    assertThat(dead).hasSize(1);
    assertThat(PlainClients.headers(dead.get(0)))
        .containsEntry("ce_type", DeadLetter.TYPE)
        .containsEntry("herald_dl_subscription", "reserve")
        .containsEntry("herald_dl_attempts", "2")
        .containsEntry("herald_dl_cause_type", IllegalStateException.class.getName())
        .containsEntry("herald_dl_cause_message", "no stock for 9")
        .containsEntry("herald_dl_event_id", order.id())
        .containsEntry("herald_dl_event_type", "order.placed");

    // And a later bus reads it back as a DeadLetter, through a durable subscription.
    EventBus second = Herald.builder().transport(transport(prefix).build()).build();
    try {
      LinkedBlockingQueue<DeadLetter> stored = new LinkedBlockingQueue<>();
      second.subscribe(
          DeadLetter.class, stored::add, SubscribeOptions.defaults().group("dlq").name("dlq"));
      DeadLetter d = stored.poll(30, SECONDS);
      assertThat(d).isNotNull();
      assertThat(d.subscription()).isEqualTo("reserve");
      assertThat(d.attempts()).isEqualTo(2);
      assertThat(d.event()).isEqualTo(order);
    } finally {
      second.close(Duration.ofSeconds(10));
    }
  }

  @Test
  void theCloudEventsSdksBinaryModeEventsAreReadByHerald() throws Exception {
    OffsetDateTime time = OffsetDateTime.parse("2026-01-02T03:04:05.678Z");
    List<CloudEvent> sent =
        List.of(
            sdkEvent("sdk-text")
                .withTime(time)
                .withDataContentType("text/plain")
                .withData(utf8("hello, world"))
                .build(),
            sdkEvent("sdk-bytes")
                .withTime(time)
                .withDataContentType("application/octet-stream")
                .withData(new byte[] {0, 1, (byte) 0xff})
                .build(),
            sdkEvent("sdk-nodata").withTime(time).build(),
            sdkEvent("sdk-notime")
                .withDataContentType("application/json")
                .withData(utf8("{\"n\":1}"))
                .build());
    long before = System.currentTimeMillis();
    try (KafkaTransport t = transport(prefix).build();
        KafkaProducer<String, CloudEvent> p = sdkProducer()) {
      for (CloudEvent e : sent) {
        p.send(new ProducerRecord<>(prefix + "events", "k", e)).get(30, SECONDS);
      }
      Map<String, Event<?>> read = feed(t, sent.size());
      assertThat(read.get("sdk-text").data()).isEqualTo("hello, world");
      assertThat(read.get("sdk-text").dataContentType()).isEqualTo("text/plain");
      assertThat(read.get("sdk-text").time()).isEqualTo(time.toInstant());
      assertThat(read.get("sdk-text").source()).isEqualTo("/sdk");
      assertThat((byte[]) read.get("sdk-bytes").data()).containsExactly(0, 1, 0xff);
      assertThat(read.get("sdk-bytes").dataContentType()).isEqualTo("application/octet-stream");
      assertThat(read.get("sdk-nodata").data()).isNull();
      assertThat(read.get("sdk-nodata").dataContentType()).isNull();
      assertThat(read.get("sdk-notime").data()).isEqualTo(Map.of("n", 1));
      // No ce_time: the record's timestamp, which the SDK's producer left to Kafka.
      assertThat(read.get("sdk-notime").timeMillis()).isBetween(before, System.currentTimeMillis());
    }
  }

  @Test
  void heraldsEventsAreReadBackExactlyByTheCloudEventsSdk() throws Exception {
    Instant time = Instant.parse("2026-01-02T03:04:05.678Z");
    List<Event<?>> stored =
        List.of(
            Event.<String>builder("note.text")
                .id("h-text")
                .source("/herald")
                .time(time)
                .dataContentType("text/plain")
                .data("hello, world")
                .build(),
            Event.<byte[]>builder("note.bytes")
                .id("h-bytes")
                .source("/herald")
                .time(time)
                .dataContentType("application/octet-stream")
                .data(new byte[] {0, 1, (byte) 0xff})
                .build(),
            Event.builder("note.none").id("h-nodata").source("/herald").time(time).build(),
            Event.<Order>builder("note.json")
                .id("h-json")
                .source("/herald")
                .time(time)
                .data(new Order("1", 10))
                .build());
    try (KafkaTransport t = transport(prefix).build()) {
      for (Event<?> e : stored) {
        t.store(e).get(30, SECONDS);
      }
    }
    Map<String, CloudEvent> read = sdkReadAll(prefix + "events", stored.size());
    assertThat(read).containsOnlyKeys("h-text", "h-bytes", "h-nodata", "h-json");
    for (CloudEvent e : read.values()) {
      assertThat(e.getSpecVersion()).isEqualTo(SpecVersion.V1);
      assertThat(e.getSource()).isEqualTo(URI.create("/herald"));
      assertThat(e.getTime()).isEqualTo(OffsetDateTime.parse("2026-01-02T03:04:05.678Z"));
    }
    assertThat(e(read, "h-text").getDataContentType()).isEqualTo("text/plain");
    assertThat(e(read, "h-text").getData().toBytes()).isEqualTo(utf8("hello, world"));
    assertThat(e(read, "h-bytes").getDataContentType()).isEqualTo("application/octet-stream");
    assertThat(e(read, "h-bytes").getData().toBytes()).containsExactly(0, 1, 0xff);
    assertThat(e(read, "h-nodata").getData()).isNull();
    assertThat(e(read, "h-nodata").getDataContentType()).isNull();
    assertThat(e(read, "h-json").getDataContentType()).isEqualTo("application/json");
    assertThat(e(read, "h-json").getData().toBytes())
        .isEqualTo(utf8("{\"id\":\"1\",\"amount\":10}"));
    assertThat(e(read, "h-json").getType()).isEqualTo("note.json");
  }

  @Test
  void aRecordWithoutSpecVersionIsDeadLetteredForTheGroupsThatTakeItsType() throws Exception {
    KafkaTransport t = transport(prefix).partitions(1).build();
    try (KafkaProducer<byte[], byte[]> p = PlainClients.producer(bootstrap)) {
      p.send(
              new ProducerRecord<>(
                  prefix + "events",
                  null,
                  1L,
                  null,
                  utf8("{\"id\":\"7\",\"amount\":70}"),
                  List.of(
                      new RecordHeader("ce_id", utf8("nospec-1")),
                      new RecordHeader("ce_source", utf8("/billing")),
                      new RecordHeader("ce_type", utf8("order.placed")),
                      new RecordHeader("content-type", utf8("application/json")))))
          .get(30, SECONDS);
    }
    EventBus bus = Herald.builder().transport(t).build();
    try {
      LinkedBlockingQueue<DeadLetter> dead = new LinkedBlockingQueue<>();
      LinkedBlockingQueue<Event<?>> handled = new LinkedBlockingQueue<>();
      bus.subscribe(DeadLetter.class, dead::add);
      bus.subscribe(
          "order.placed", handled::add, SubscribeOptions.defaults().group("orders").name("orders"));
      DeadLetter d = dead.poll(60, SECONDS);
      assertThat(d).as("a dead letter within 60 s").isNotNull();
      assertThat(d.subscription()).isEqualTo("orders");
      assertThat(d.event().id()).isEqualTo("nospec-1");
      assertThat(d.causeMessage()).contains("ce_specversion");
      assertThat(((UndecodableRecord) d.event().data()).offset()).isZero();
      assertThat(handled).isEmpty();
    } finally {
      bus.close(Duration.ofSeconds(10));
    }
  }

  /** A payload class the test codec does not allow: only a subscription naming it decodes it. */
  record Parcel(String id, int grams) {}

  @Test
  void theCloudEventsSdksStructuredModeEventsDecodeIntoTheSubscribedClass() throws Exception {
    EventBus bus = Herald.builder().transport(transport(prefix).partitions(1).build()).build();
    try (KafkaProducer<String, CloudEvent> p = sdkStructuredProducer()) {
      LinkedBlockingQueue<Parcel> byType = new LinkedBlockingQueue<>();
      LinkedBlockingQueue<Parcel> byClass = new LinkedBlockingQueue<>();
      bus.subscribe(
          "parcel.sent",
          Parcel.class,
          e -> byType.add(e.data()),
          SubscribeOptions.defaults().group("shipping").name("shipping"));
      bus.subscribe(
          Parcel.class, byClass::add, SubscribeOptions.defaults().group("audit").name("audit"));
      // As another CloudEvents producer writes it: the event as JSON, content-type structured.
      p.send(
              new ProducerRecord<>(
                  prefix + "events", "k", parcel("sdk-p1", "{\"id\":\"p1\",\"grams\":250}")))
          .get(30, SECONDS);
      // The same with Herald's type hint as a header beside it: a subscription by class alone
      // takes it, as it takes a binary-mode record naming its class.
      ProducerRecord<String, CloudEvent> named =
          new ProducerRecord<>(
              prefix + "events",
              null,
              "k",
              parcel("sdk-p2", "{\"id\":\"p2\",\"grams\":500}"),
              List.of(new RecordHeader("herald_class", utf8(Parcel.class.getName()))));
      p.send(named).get(30, SECONDS);
      assertThat(List.of(poll(byType), poll(byType)))
          .containsExactly(new Parcel("p1", 250), new Parcel("p2", 500));
      assertThat(poll(byClass)).isEqualTo(new Parcel("p2", 500));
      List<ConsumerRecord<byte[], byte[]>> stored =
          PlainClients.readAll(bootstrap, prefix + "events", 2);
      assertThat(PlainClients.headers(stored.get(0)))
          .containsEntry("content-type", "application/cloudevents+json");
    } finally {
      bus.close(Duration.ofSeconds(10));
    }
  }

  @Test
  void aStructuredModeEventThatCannotBecomeTheClassIsDeadLetteredForTheGroup() throws Exception {
    EventBus bus = Herald.builder().transport(transport(prefix).partitions(1).build()).build();
    try (KafkaProducer<String, CloudEvent> p = sdkStructuredProducer()) {
      LinkedBlockingQueue<DeadLetter> dead = new LinkedBlockingQueue<>();
      LinkedBlockingQueue<Parcel> handled = new LinkedBlockingQueue<>();
      bus.subscribe(DeadLetter.class, dead::add);
      bus.subscribe(
          "parcel.sent",
          Parcel.class,
          e -> handled.add(e.data()),
          SubscribeOptions.defaults().group("shipping").name("shipping"));
      p.send(
              new ProducerRecord<>(
                  prefix + "events", "k", parcel("sdk-bad", "{\"grams\":\"heavy\"}")))
          .get(30, SECONDS);
      p.send(
              new ProducerRecord<>(
                  prefix + "events", "k", parcel("sdk-ok", "{\"id\":\"p3\",\"grams\":1}")))
          .get(30, SECONDS);
      DeadLetter d = dead.poll(60, SECONDS);
      assertThat(d).as("a dead letter within 60 s").isNotNull();
      assertThat(d.subscription()).isEqualTo("shipping");
      assertThat(d.event().id()).isEqualTo("sdk-bad");
      assertThat(d.event().type()).isEqualTo("parcel.sent");
      assertThat(d.causeMessage()).contains("heavy");
      UndecodableRecord u = (UndecodableRecord) d.event().data();
      assertThat(u.topic()).isEqualTo(prefix + "events");
      assertThat(u.offset()).isZero();
      // The group goes on past it.
      assertThat(poll(handled)).isEqualTo(new Parcel("p3", 1));
      assertThat(dead).isEmpty();
    } finally {
      bus.close(Duration.ofSeconds(10));
    }
  }

  private static <T> T poll(LinkedBlockingQueue<T> queue) throws InterruptedException {
    T t = queue.poll(60, SECONDS);
    assertThat(t).as("an element within 60 s").isNotNull();
    return t;
  }

  private static CloudEvent parcel(String id, String json) {
    return CloudEventBuilder.v1()
        .withId(id)
        .withSource(URI.create("/sdk"))
        .withType("parcel.sent")
        .withDataContentType("application/json")
        .withData(utf8(json))
        .build();
  }

  /** The SDK's Kafka serializer in structured mode, with its JSON event format. */
  private KafkaProducer<String, CloudEvent> sdkStructuredProducer() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // A serializer handed over as an instance is not configured by the producer: configure it.
    CloudEventSerializer structured = new CloudEventSerializer();
    structured.configure(
        Map.of(
            CloudEventSerializer.ENCODING_CONFIG,
            Encoding.STRUCTURED,
            CloudEventSerializer.EVENT_FORMAT_CONFIG,
            JsonFormat.CONTENT_TYPE),
        false);
    return new KafkaProducer<>(p, new StringSerializer(), structured);
  }

  private static CloudEvent e(Map<String, CloudEvent> events, String id) {
    return events.get(id);
  }

  private static CloudEventBuilder sdkEvent(String id) {
    return CloudEventBuilder.v1().withId(id).withSource(URI.create("/sdk")).withType("sdk.made");
  }

  private KafkaProducer<String, CloudEvent> sdkProducer() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new CloudEventSerializer());
  }

  /** Every event of {@code topic}, read with the SDK's deserializer (binary mode), by id. */
  private Map<String, CloudEvent> sdkReadAll(String topic, int expected) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaConsumer<String, CloudEvent> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new CloudEventDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo info : c.partitionsFor(topic)) {
        parts.add(new TopicPartition(topic, info.partition()));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<String, CloudEvent> out = new HashMap<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.put(r.value().getId(), r.value()));
      }
      return out;
    }
  }

  /** Feeds a fresh group until {@code n} events arrive; by id. */
  private static Map<String, Event<?>> feed(KafkaTransport t, int n) throws InterruptedException {
    Map<String, Event<?>> fed = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(n);
    KafkaFeed f =
        t.feed(
            "reader",
            e -> true,
            (e, done) -> {
              fed.put(e.id(), e);
              all.countDown();
              done.run();
            });
    try {
      assertThat(all.await(30, SECONDS))
          .as(n + " events within 30 s, got " + fed.keySet())
          .isTrue();
      return fed;
    } finally {
      f.close();
    }
  }

  /** Feeds a fresh group until one event arrives. */
  private static Event<?> feedOne(KafkaTransport t) throws InterruptedException {
    LinkedBlockingQueue<Event<?>> fed = new LinkedBlockingQueue<>();
    KafkaFeed f =
        t.feed(
            "reader",
            e -> true,
            (e, done) -> {
              fed.add(e);
              done.run();
            });
    try {
      Event<?> e = fed.poll(30, SECONDS);
      assertThat(e).as("an event within 30 s").isNotNull();
      return e;
    } finally {
      f.close();
    }
  }
}
