package dev.herald.examples.shop;

import dev.herald.Event;
import dev.herald.codec.CloudEventsBinary;
import dev.herald.codec.PayloadCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the shop's services have done on Kafka so far, read from the events topic when a service
 * process starts: the Kafka counterpart of replaying the log. A process started in place of one
 * killed with SIGKILL is handed again what its predecessor had not committed; this lets it
 * acknowledge, without handling them again, the events whose effects its predecessor already
 * published ({@link ShopHistory#handled}), rather than publish copies of those effects.
 *
 * <p>{@link #read} reads only two headers of each record ({@code ce_source}, {@code
 * ce_causationid}), never a payload: it costs a scan of the topic, not a decode of it. It runs
 * once, on the calling thread, before the services subscribe. {@link #readStock} reads inventory's
 * decisions again whenever inventory is given partitions ({@link KafkaStockHistory}). Both consume
 * with no group, so commit nothing.
 */
final class KafkaHistory {
  private static final String SOURCE = CloudEventsBinary.SOURCE;
  private static final String CAUSATION = CloudEventsBinary.PREFIX + Event.CAUSATION_ID;

  private KafkaHistory() {}

  /**
   * The effects stored in {@code topic} at {@code bootstrap} up to its end when called.
   *
   * @throws IllegalStateException if the end is not reached within {@code timeout}
   */
  static ShopHistory read(String bootstrap, String topic, Duration timeout) {
    ShopHistory history = new ShopHistory();
    scan(
        bootstrap,
        topic,
        timeout,
        r -> {
          String source = header(r, SOURCE);
          String cause = header(r, CAUSATION);
          if (source != null && cause != null) {
            history.addEffect(source, cause);
          }
        });
    return history;
  }

  /**
   * Inventory's decisions stored in {@code topic} at {@code bootstrap} up to its end when called,
   * in topic order per partition. Decodes only the payloads of {@code stock.reserved} and {@code
   * stock.rejected} records.
   *
   * @throws IllegalStateException if the end is not reached within {@code timeout}
   * @throws RuntimeException if a record of those types does not decode
   */
  static List<ShopHistory.StockDecision> readStock(
      String bootstrap, String topic, PayloadCodec codec, Duration timeout) {
    CloudEventsBinary binary = new CloudEventsBinary(codec);
    ShopHistory history = new ShopHistory();
    scan(
        bootstrap,
        topic,
        timeout,
        r -> {
          String type = header(r, CloudEventsBinary.TYPE);
          if ((ShopEvents.STOCK_RESERVED.equals(type) || ShopEvents.STOCK_REJECTED.equals(type))
              && r.value() != null) {
            history.add(binary.decode(r.timestamp(), r.key(), r.headers(), HEADERS, r.value()));
          }
        });
    return history.stockDecisions();
  }

  private static final CloudEventsBinary.HeaderReader<Header> HEADERS =
      new CloudEventsBinary.HeaderReader<>() {
        @Override
        public String name(Header header) {
          return header.key();
        }

        @Override
        public byte[] value(Header header) {
          return header.value();
        }
      };

  /**
   * Hands every record of {@code topic}, from its beginning up to its end when called, to {@code
   * each}.
   */
  private static void scan(
      String bootstrap,
      String topic,
      Duration timeout,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.CLIENT_ID_CONFIG,
            "herald-shop-history",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic, timeout)) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!reached(consumer, end)) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              "could not read Kafka topic "
                  + topic
                  + " to its end within "
                  + timeout.toSeconds()
                  + " s");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          each.accept(r);
        }
      }
    }
  }

  private static boolean reached(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
