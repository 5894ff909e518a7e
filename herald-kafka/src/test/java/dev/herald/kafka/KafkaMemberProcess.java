package dev.herald.kafka;

import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A member of consumer group {@code workers} in a process of its own, for {@link HardKillTest}: a
 * Herald bus on Kafka with one durable subscription, whose handler finishes the first {@code
 * finish} events (printing {@code done <id>} for each) and then holds the next one forever, with
 * more waiting in its mailbox, until the process is killed.
 *
 * <p>Arguments: bootstrap servers, topic and group prefix, {@code finish}.
 */
final class KafkaMemberProcess {
  private KafkaMemberProcess() {}

  public static void main(String[] args) throws InterruptedException {
    String bootstrap = args[0];
    String prefix = args[1];
    int finish = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    KafkaTransport transport =
        KafkaTransport.builder(bootstrap)
            .eventsTopic(prefix + "events")
            .deadLetterTopic(prefix + "deadletter")
            .groupIdPrefix(prefix)
            .clientId(prefix + "child")
            .replicationFactor(1)
            .commitInterval(Duration.ofMillis(100))
            // The lowest the broker accepts by default: the group notices the death this soon.
            .consumerProperty("session.timeout.ms", 6_000)
            .consumerProperty("heartbeat.interval.ms", 1_000)
            .build();
    EventBus bus = Herald.builder().transport(transport).build();
    AtomicInteger handled = new AtomicInteger();
    CountDownLatch never = new CountDownLatch(1);
    bus.subscribe(
        "job.run",
        Integer.class,
        e -> {
          if (handled.incrementAndGet() <= finish) {
            out.println("done " + e.id());
          } else {
            out.println("holding " + e.id());
            never.await(); // mid-batch: this and what waits behind it are never finished here
          }
        },
        SubscribeOptions.defaults().group("workers").name("workers"));
    out.println("subscribed");
    never.await();
  }
}
