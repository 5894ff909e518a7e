package dev.herald.bench.kafka;

import dev.herald.bench.Arrival;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The baseline: kafka-clients used directly with the settings Herald promises, an idempotent {@code
 * acks=all} producer with the shared batching of {@link KafkaSettings}, writing {@link
 * PlainCloudEvents} records to Herald's topic. The consumer is a {@link PollLoop} in group {@value
 * KafkaSettings#GROUP} that decodes each record into its attributes and {@link Order} and counts it
 * on the poll thread.
 */
final class PlainKafka implements KafkaContender {
  static final String ID = "kafka-clients";

  private final PlainCloudEvents codec = new PlainCloudEvents();
  private final KafkaProducer<byte[], byte[]> producer;
  private final PollLoop loop;

  PlainKafka(String bootstrapServers, Arrival delivered) {
    Map<String, Object> p = KafkaSettings.producer(bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    if (delivered == null) {
      loop = null;
    } else {
      KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(
              KafkaSettings.consumer(bootstrapServers, KafkaSettings.GROUP),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
      consumer.subscribe(List.of(KafkaSettings.EVENTS_TOPIC));
      loop =
          new PollLoop(
              consumer,
              true,
              r -> {
                if (codec.decode(r).order() != null) {
                  delivered.arrive();
                }
              });
    }
  }

  @Override
  public Future<?> send(Order order) {
    return producer.send(codec.toRecord(KafkaSettings.EVENTS_TOPIC, order));
  }

  @Override
  public void close() {
    try {
      if (loop != null) {
        loop.close();
      }
    } finally {
      producer.close(Duration.ofSeconds(10));
    }
  }
}
