package dev.herald.bench.kafka;

import dev.herald.bench.Arrival;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * End to end on Kafka: one thread produces {@link Order} events as {@link KafkaProduceOnePublisher}
 * does, and one consumer in a consumer group decodes and counts them: Herald's durable subscription
 * (feed, mailbox, handler) or a plain {@link PollLoop}. One invocation sends {@value
 * #EVENTS_PER_OP} events and returns only when the consumer has counted every one, so the score
 * counts fully delivered events per second. The set-up sends one event and waits for it, so the
 * group has joined before anything is measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KafkaOnePublisherOneGroup {
  static final int EVENTS_PER_OP = 10_000;
  static final int WINDOW = KafkaProduceOnePublisher.WINDOW;

  /** A consumer that counts nothing for this long has lost events: the run fails. */
  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);

  @Param({HeraldOnKafka.ID, PlainKafka.ID})
  public String client;

  private EmbeddedKafka broker;
  private KafkaContender contender;
  private Arrival delivered;
  private Window window;
  private Order[] orders;
  private int next;
  private long sent;

  @Setup(Level.Trial)
  public void open() {
    broker = EmbeddedKafka.start(Map.of("auto.create.topics.enable", "false"));
    broker.createTopics(
        List.of(KafkaSettings.EVENTS_TOPIC, KafkaSettings.DEAD_LETTER_TOPIC),
        KafkaSettings.PARTITIONS);
    delivered = new Arrival();
    contender = KafkaContender.open(client, broker.bootstrapServers(), delivered);
    window = new Window(WINDOW);
    orders = Order.sample(4096);
    sent = 0;
    sendAndAwait(1);
  }

  @TearDown(Level.Trial)
  public void close() {
    try {
      contender.close();
    } finally {
      broker.close();
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS_PER_OP)
  public long publishAndConsume() {
    return sendAndAwait(EVENTS_PER_OP);
  }

  private long sendAndAwait(int events) {
    long target = sent + events;
    delivered.expect(target);
    for (int i = 0; i < events; i++) {
      window.add(contender.send(orders[next++ & (orders.length - 1)]));
    }
    window.drain();
    sent = target;
    delivered.await(target, STALL_NANOS);
    return target;
  }
}
