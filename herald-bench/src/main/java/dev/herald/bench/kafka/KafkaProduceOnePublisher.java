package dev.herald.bench.kafka;

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
 * One thread produces {@link Order} events to an in-JVM one-node broker ({@link EmbeddedKafka},
 * started for the trial), keeping up to {@value #WINDOW} sends in flight, through Herald ({@code
 * bus.publish} on {@code KafkaTransport}) or kafka-clients directly, both idempotent with {@code
 * acks=all} and the same batching. One invocation sends {@value #EVENTS_PER_OP} events and returns
 * when every one is acknowledged by the broker, so the score counts acknowledged events per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KafkaProduceOnePublisher {
  static final int EVENTS_PER_OP = 10_000;
  static final int WINDOW = 1024;

  @Param({HeraldOnKafka.ID, PlainKafka.ID})
  public String client;

  private EmbeddedKafka broker;
  private KafkaContender contender;
  private Window window;
  private Order[] orders;
  private int next;

  @Setup(Level.Trial)
  public void open() {
    broker = EmbeddedKafka.start(Map.of("auto.create.topics.enable", "false"));
    broker.createTopics(
        List.of(KafkaSettings.EVENTS_TOPIC, KafkaSettings.DEAD_LETTER_TOPIC),
        KafkaSettings.PARTITIONS);
    contender = KafkaContender.open(client, broker.bootstrapServers(), null);
    window = new Window(WINDOW);
    orders = Order.sample(4096);
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
  public void produce() {
    for (int i = 0; i < EVENTS_PER_OP; i++) {
      window.add(contender.send(orders[next++ & (orders.length - 1)]));
    }
    window.drain();
  }
}
