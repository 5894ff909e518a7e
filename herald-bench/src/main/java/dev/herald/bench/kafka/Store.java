package dev.herald.bench.kafka;

import dev.herald.bench.Arrival;
import dev.herald.bench.log.ScratchLog;
import dev.herald.kafka.embedded.EmbeddedKafka;
import dev.herald.log.FlushPolicy;
import dev.herald.log.Log;
import dev.herald.log.LogReader;
import dev.herald.log.LogRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A place to append {@value ScratchLog#PAYLOAD_BYTES}-byte payloads and read them back, for the
 * durable log against a one-node Kafka broker with the same payloads (no key, no headers):
 *
 * <ul>
 *   <li>{@code log-interval}, {@code log-always}: one topic of a {@code herald-log} directory
 *       ({@link ScratchLog}: default options, flush {@code INTERVAL(1000 ms)} or {@code ALWAYS});
 *       {@link #append} is {@code Log.append}, the reader a {@link LogReader} on a thread of its
 *       own.
 *   <li>{@code kafka-acks1}: a topic of one partition on an {@link EmbeddedKafka}, a producer with
 *       {@code acks=1} (not idempotent, which needs {@code acks=all}) and the batching of {@link
 *       KafkaSettings}; the reader a consumer assigned the partition, without a group. The broker
 *       forces nothing: an acknowledged record is in the OS page cache.
 * </ul>
 *
 * {@link #append} is called from one thread; its future completes when the record is acknowledged.
 */
abstract class Store implements AutoCloseable {
  static final String LOG_INTERVAL = "log-interval";
  static final String LOG_ALWAYS = "log-always";
  static final String KAFKA_ACKS1 = "kafka-acks1";

  /** The fsync interval of {@code log-interval}, as in the durable log's own benchmarks. */
  static final long INTERVAL_MILLIS = 1000;

  abstract Future<?> append(byte[] payload);

  /** Starts reading from the current end, counting each record in {@code arrival}. */
  abstract void startReader(Arrival arrival);

  @Override
  public abstract void close();

  static Store open(String store) {
    return switch (store) {
      case LOG_INTERVAL -> new OnLog(ScratchLog.policy("INTERVAL", INTERVAL_MILLIS));
      case LOG_ALWAYS -> new OnLog(ScratchLog.policy("ALWAYS", INTERVAL_MILLIS));
      case KAFKA_ACKS1 -> new OnKafka();
      default -> throw new IllegalArgumentException("unknown store " + store);
    };
  }

  private static final class OnLog extends Store {
    private final ScratchLog scratch;
    private final Log log;
    private Thread reader;
    private LogReader logReader;
    private volatile boolean reading;

    OnLog(FlushPolicy policy) {
      scratch = ScratchLog.open(policy);
      log = scratch.log();
    }

    @Override
    Future<?> append(byte[] payload) {
      return log.append(LogRecord.of(payload));
    }

    @Override
    void startReader(Arrival arrival) {
      logReader = log.reader(log.endOffset());
      reading = true;
      reader =
          new Thread(
              () -> {
                try {
                  while (reading) {
                    if (logReader.next(Duration.ofMillis(100)).isPresent()) {
                      arrival.arrive();
                    }
                  }
                } catch (InterruptedException e) {
                  // close() stops us.
                }
              },
              "bench-log-reader");
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    public void close() {
      try {
        if (reader != null) {
          reading = false;
          logReader.wakeup();
          reader.join(10_000);
          logReader.close();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        scratch.close();
      }
    }
  }

  private static final class OnKafka extends Store {
    private static final String TOPIC = "bench.store";

    private final EmbeddedKafka broker;
    private final KafkaProducer<byte[], byte[]> producer;
    private PollLoop loop;

    OnKafka() {
      broker = EmbeddedKafka.start(Map.of("auto.create.topics.enable", "false"));
      try {
        broker.createTopics(List.of(TOPIC), 1);
        Map<String, Object> p = KafkaSettings.producer(broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
      } catch (RuntimeException e) {
        broker.close();
        throw e;
      }
    }

    @Override
    Future<?> append(byte[] payload) {
      return producer.send(new ProducerRecord<>(TOPIC, payload));
    }

    @Override
    void startReader(Arrival arrival) {
      KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(
              KafkaSettings.consumer(broker.bootstrapServers(), null),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(partition));
      consumer.seekToEnd(List.of(partition));
      consumer.position(partition); // resolves the end now, before anything is appended
      loop = new PollLoop(consumer, false, r -> arrival.arrive());
    }

    @Override
    public void close() {
      try {
        if (loop != null) {
          loop.close();
        }
        producer.close(Duration.ofSeconds(10));
      } finally {
        broker.close();
      }
    }
  }
}
