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
  // Per partition when the cursor opened: the offset before the first it reads, and the last
  // offset stored; what a bound measures from and what "latest" ends at.
  private final Map<TopicPartition, Long> openedAfter = new HashMap<>();
  private final Map<TopicPartition, Long> lastAtOpen = new HashMap<>();
  private TopicPartition lastRecord; // the partition of the record returned last

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
    for (TopicPartition tp : partitions) {
      lastAtOpen.put(tp, end.get(tp) - 1);
    }
    if (at == null && from.equals("latest")) {
      for (TopicPartition tp : partitions) {
        long e = end.get(tp);
        if (e > 0) {
          last.put(tp, e - 1);
        }
        openedAfter.put(tp, e - 1);
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
        openedAfter.put(tp, start.get(tp) - 1);
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
      openedAfter.put(tp, read);
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
    lastRecord = tp;
    return Optional.of(new GatewayStore.StoredEvent(position(), transport.decode(r)));
  }

  @Override
  public String position() {
    if (last.isEmpty()) {
      return "earliest"; // nothing read anywhere: every partition from its start
    }
    return KafkaPosition.of(last, topics);
  }

  /**
   * {@inheritDoc} On Kafka, the bound is an offset per partition: {@code "latest"} the last record
   * of each when this cursor opened, a position the offsets it names (and nothing of the partitions
   * it does not name).
   */
  @Override
  public GatewayStore.Bound bound(String to) {
    Map<TopicPartition, Long> limit = new HashMap<>();
    if (to.equals("latest")) {
      limit.putAll(lastAtOpen);
    } else {
      Map<TopicPartition, Long> named =
          to.equals("earliest") ? Map.of() : KafkaPosition.parse(to, topics).offsets();
      for (Map.Entry<TopicPartition, Long> e : lastAtOpen.entrySet()) {
        limit.put(e.getKey(), named.getOrDefault(e.getKey(), -1L));
      }
      for (Map.Entry<TopicPartition, Long> e : named.entrySet()) {
        Long stored = lastAtOpen.get(e.getKey());
        if (stored == null || e.getValue() > stored) {
          throw new IllegalArgumentException(
              "position " + to + " lies beyond what partition " + e.getKey() + " stores");
        }
      }
    }
    Map<TopicPartition, Long> from = Map.copyOf(openedAfter);
    long size = 0;
    for (Map.Entry<TopicPartition, Long> e : limit.entrySet()) {
      size += Math.max(0, e.getValue() - from.get(e.getKey()));
    }
    long total = size;
    return new GatewayStore.Bound() {
      @Override
      public long size() {
        return total;
      }

      @Override
      public boolean includesLast() {
        Long l = lastRecord == null ? null : limit.get(lastRecord);
        return l != null && last.get(lastRecord) <= l;
      }

      @Override
      public long read() {
        long read = 0;
        for (Map.Entry<TopicPartition, Long> e : limit.entrySet()) {
          long f = from.get(e.getKey());
          long r = last.getOrDefault(e.getKey(), f);
          read += Math.max(0, Math.min(e.getValue(), r) - f);
        }
        return read;
      }
    };
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
