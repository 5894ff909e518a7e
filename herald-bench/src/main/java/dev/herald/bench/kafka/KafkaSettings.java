package dev.herald.bench.kafka;

import dev.herald.kafka.KafkaTransport;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The client settings every contender shares, so that Herald and the plain client differ only in
 * their own code. Batching is Kafka 4's default ({@code linger.ms} 5, {@code batch.size} 16 KiB),
 * and so are the produce requests in flight per broker ({@value #MAX_IN_FLIGHT}), all set
 * explicitly on both sides. Herald's transport defaults to one request in flight (see {@code
 * KafkaTransport}); leaving each side its own default would measure that setting, not Herald's
 * code, and setting one on the plain client would slow the baseline below what its users get.
 */
final class KafkaSettings {
  /** Herald's default topic; the plain client writes the same one. */
  static final String EVENTS_TOPIC = KafkaTransport.DEFAULT_EVENTS_TOPIC;

  static final String DEAD_LETTER_TOPIC = KafkaTransport.DEFAULT_DEAD_LETTER_TOPIC;

  /** {@code KafkaTransport}'s default partition count. */
  static final int PARTITIONS = 3;

  /** The consumer group of the end-to-end benchmarks (Herald: the subscription's group). */
  static final String GROUP = "bench-e2e";

  static final int LINGER_MS = 5;
  static final int BATCH_BYTES = 16_384;
  static final int MAX_IN_FLIGHT = 5;

  private KafkaSettings() {}

  /**
   * Batching, requests in flight and the bootstrap servers; the caller adds acks and idempotence.
   */
  static Map<String, Object> producer(String bootstrapServers) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, MAX_IN_FLIGHT);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    return p;
  }

  /** As {@code KafkaTransport} configures its feeds' consumers: earliest, no auto-commit. */
  static Map<String, Object> consumer(String bootstrapServers, String groupOrNull) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (groupOrNull != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupOrNull);
    }
    return p;
  }
}
