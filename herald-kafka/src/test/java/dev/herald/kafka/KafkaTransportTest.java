package dev.herald.kafka;

import static dev.herald.kafka.PlainClients.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.DeadLetter;
import dev.herald.Herald;
import dev.herald.codec.JsonPayloadCodec;
import dev.herald.codec.UndecodableRecord;
import dev.herald.contract.DurableContract;
import dev.herald.contract.EventBusContract;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/** Both contract suites on a real (in-JVM) Kafka cluster. */
@ExtendWith(TestClusters.Shared.class)
class KafkaTransportTest {
  record Order(String id, int amount) {}

  static final JsonPayloadCodec CODEC =
      JsonPayloadCodec.builder().allowClasses(Order.class).build();
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  /** A prefix no other test uses, for topics and groups. */
  static String freshPrefix(String what) {
    return what + "-" + PREFIXES.incrementAndGet() + ".";
  }

  /**
   * A builder on the shared cluster with topics and groups under {@code prefix}, tuned for tests.
   */
  static KafkaTransport.Builder transport(String prefix) {
    return transport(TestClusters.single().bootstrapServers(), prefix);
  }

  /** As {@link #transport(String)}, on the cluster at {@code bootstrapServers}. */
  static KafkaTransport.Builder transport(String bootstrapServers, String prefix) {
    return KafkaTransport.builder(bootstrapServers)
        .eventsTopic(prefix + "events")
        .deadLetterTopic(prefix + "deadletter")
        .groupIdPrefix(prefix)
        .clientId(prefix + "herald")
        .replicationFactor(1)
        .commitInterval(Duration.ofMillis(100))
        .closeTimeout(Duration.ofSeconds(2))
        .codec(CODEC);
  }

  @Nested
  class Durable extends DurableContract {
    // A new instance per test: each test has topics and groups of its own, reopened across
    // "restarts".
    private final String prefix = freshPrefix("durable");
    private final FailingCodec codec = new FailingCodec(CODEC);

    @Override
    protected Transport openTransport() {
      return transport(prefix).codec(codec).build();
    }

    @Override
    protected Transport openTransport(Duration closeTimeout) {
      return transport(prefix).codec(codec).closeTimeout(closeTimeout).build();
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

    @Override
    protected boolean storeRaw(Map<String, String> headers, byte[] payload) throws Exception {
      List<Header> kafkaHeaders = new ArrayList<>();
      headers.forEach((name, value) -> kafkaHeaders.add(new RecordHeader(name, utf8(value))));
      try (KafkaProducer<byte[], byte[]> p =
          PlainClients.producer(TestClusters.single().bootstrapServers())) {
        p.send(new ProducerRecord<>(prefix + "events", null, null, null, payload, kafkaHeaders))
            .get(30, SECONDS);
      }
      return true;
    }

    @Override
    protected void checkPoisonDeadLetter(DeadLetter deadLetter) {
      UndecodableRecord u = (UndecodableRecord) deadLetter.event().data();
      assertThat(u.topic()).isEqualTo(prefix + "events");
      assertThat(u.offset()).isZero();
      assertThat(u.error()).contains("malformed JSON");
      // The dead letter is on the dead-letter topic, its facts readable without decoding it.
      List<ConsumerRecord<byte[], byte[]>> dead =
          PlainClients.readAll(TestClusters.single().bootstrapServers(), prefix + "deadletter", 1);
      assertThat(dead).hasSize(1);
      assertThat(PlainClients.headers(dead.get(0)))
          .containsEntry(KafkaRecordDescriptor.DL_SUBSCRIPTION, "orders")
          .containsEntry(KafkaRecordDescriptor.DL_EVENT_ID, "broken-1")
          .containsEntry(KafkaRecordDescriptor.DL_EVENT_TYPE, "order.placed")
          .hasEntrySatisfying(
              KafkaRecordDescriptor.DL_CAUSE_MESSAGE,
              m -> assertThat(m).contains("malformed JSON"));
    }
  }

  @Nested
  class InProcessSubscriptionsOnAKafkaBus extends EventBusContract {
    // Nothing reads these topics (no subscription here has a group), so the tests share them.
    @Override
    protected Herald.Builder newBusBuilder() {
      return Herald.builder().transport(transport("inprocess.").build());
    }

    @Override
    protected boolean storesEvents() {
      return true;
    }

    @Override
    protected int stressEventsPerPublisher() {
      return 2_000;
    }

    @Override
    protected int causalOrderRounds() {
      return 20; // each round builds a bus, and with it a Kafka producer
    }
  }
}
