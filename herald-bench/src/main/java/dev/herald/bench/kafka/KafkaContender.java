package dev.herald.bench.kafka;

import dev.herald.bench.Arrival;
import java.util.List;
import java.util.concurrent.Future;

/**
 * One way to put {@link Order}s on Kafka, and optionally to consume them: Herald ({@link
 * HeraldOnKafka}) or kafka-clients used directly ({@link PlainKafka}). {@link #send} is called from
 * one publisher thread; its future completes when the broker acknowledged the record.
 */
interface KafkaContender extends AutoCloseable {
  /** The {@code client} parameter's values, Herald first. */
  List<String> CLIENTS = List.of(HeraldOnKafka.ID, PlainKafka.ID);

  Future<?> send(Order order);

  @Override
  void close();

  /**
   * Opens {@code client} on the broker at {@code bootstrapServers}; with {@code delivered} non-null
   * also a consumer in group {@value KafkaSettings#GROUP} that decodes each event and counts it
   * there.
   */
  static KafkaContender open(String client, String bootstrapServers, Arrival delivered) {
    return switch (client) {
      case HeraldOnKafka.ID -> new HeraldOnKafka(bootstrapServers, delivered);
      case PlainKafka.ID -> new PlainKafka(bootstrapServers, delivered);
      default -> throw new IllegalArgumentException("unknown client " + client);
    };
  }
}
