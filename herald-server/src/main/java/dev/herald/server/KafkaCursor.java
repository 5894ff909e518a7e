package dev.herald.server;

import dev.herald.kafka.KafkaTransport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A {@link GatewayStore.Cursor} on Kafka: one consumer in no consumer group, assigned every
 * partition of the transport's feed topics (those that exist when it opens), that commits nothing.
 * It keeps the vector of the last offset it returned in each partition ({@link KafkaPosition}), so
 * each event's position resumes every partition right after what was returned before it, however
 * the partitions interleave. Owned by one thread at a time, as the consumer is; {@link #wakeup}
 * from any.
 */
final class KafkaCursor implements GatewayStore.Cursor {
  private final KafkaTransport transport;
  private final List<String> topics;
  private final KafkaConsumer<byte[], byte[]> consumer;
  // Last offset returned per partition; partitions absent have returned nothing yet.
  private final Map<TopicPartition, Long> last = new HashMap<>();
  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> polled = new ArrayDeque<>();

  private KafkaCursor(KafkaTransport transport, KafkaConsumer<byte[], byte[]> consumer) {
    this.transport = transport;
    this.topics = transport.feedTopics();
    this.consumer = consumer;
  }

  /** See {@link GatewayStore#cursor}. */
  static KafkaCursor open(KafkaTransport transport, String from) {
    KafkaPosition at =
        switch (from) {
          case "earliest", "latest" -> null;
          default -> KafkaPosition.parse(from, transport.feedTopics());
        };
    KafkaCursor c = new KafkaCursor(transport, transport.reader("gateway-cursor"));
    try {
      c.seek(from, at);
      return c;
    } catch (RuntimeException e) {
      c.consumer.close(CloseOptions.timeout(Duration.ZERO));
      throw e;
    }
  }

  private void seek(String from, KafkaPosition at) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      for (PartitionInfo p : consumer.partitionsFor(topic)) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    if (at == null && from.equals("latest")) {
      for (TopicPartition tp : partitions) {
        long e = end.get(tp);
        if (e > 0) {
          last.put(tp, e - 1);
        }
        consumer.seek(tp, e);
      }
      return;
    }
    Map<TopicPartition, Long> named = at == null ? Map.of() : at.offsets();
    for (TopicPartition tp : named.keySet()) {
      if (!partitions.contains(tp)) {
        throw new IllegalArgumentException(
            "position " + from + " names partition " + tp + ", which does not exist");
      }
    }
    for (TopicPartition tp : partitions) {
      Long read = named.get(tp);
      if (read == null) {
        consumer.seek(tp, start.get(tp));
        continue;
      }
      if (read + 1 > end.get(tp)) {
        throw new IllegalArgumentException(
            "position "
                + from
                + " is beyond the end of partition "
                + tp
                + " ("
                + end.get(tp)
                + ")");
      }
      if (read + 1 < start.get(tp)) {
        throw new PositionGoneException(from, "earliest");
      }
      last.put(tp, read);
      consumer.seek(tp, read + 1);
    }
  }

  @Override
  public Optional<GatewayStore.StoredEvent> next(Duration wait) throws InterruptedException {
    if (polled.isEmpty()) {
      try {
        consumer.poll(wait).forEach(polled::add);
      } catch (InterruptException e) {
        throw new InterruptedException("interrupted while reading Kafka");
      } catch (WakeupException e) {
        return Optional.empty();
      } catch (OffsetOutOfRangeException e) {
        throw new PositionGoneException(position(), "earliest");
      } catch (KafkaException e) {
        throw new StoreUnavailableException("cannot read Kafka: " + e.getMessage(), e);
      }
    }
    ConsumerRecord<byte[], byte[]> r = polled.poll();
    if (r == null) {
      return Optional.empty();
    }
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    last.put(tp, r.offset());
    return Optional.of(new GatewayStore.StoredEvent(position(), transport.decode(r)));
  }

  @Override
  public String position() {
    if (last.isEmpty()) {
      return "earliest"; // nothing read anywhere: every partition from its start
    }
    return KafkaPosition.of(last, topics);
  }

  @Override
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close(CloseOptions.timeout(Duration.ZERO));
  }
}
