package dev.herald.kafka;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * A member of consumer group {@code workers} in a process of its own, for {@link EffectsKillTest}:
 * a Herald bus on Kafka whose durable handler emits one effect ({@code effect.made}, caused by the
 * event, carrying its id, in a topic of its own) per {@code cause.run} event and prints {@code
 * handled <id>}. Its producer lingers a second, so an effect sits in the producer's buffer long
 * after its cause was handled: the window in which an acknowledgement that did not wait for the
 * effect would be committed.
 *
 * <p>Arguments: bootstrap servers, topic and group prefix, linger in milliseconds.
 */
final class KafkaEffectsProcess {
  private KafkaEffectsProcess() {}

  /** Effects in a topic of their own, {@code <prefix>effects}, which the group does not read. */
  static Function<String, String> mapping(String prefix) {
    return type -> prefix + (type.equals("effect.made") ? "effects" : "events");
  }

  public static void main(String[] args) throws InterruptedException {
    String bootstrap = args[0];
    String prefix = args[1];
    int lingerMs = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    KafkaTransport transport =
        KafkaTransport.builder(bootstrap)
            .topics(mapping(prefix), List.of(prefix + "events"))
            .groupIdPrefix(prefix)
            .clientId(prefix + "effects")
            .replicationFactor(1)
            .commitInterval(Duration.ofMillis(50))
            .producerProperty("linger.ms", lingerMs)
            .consumerProperty("session.timeout.ms", 6_000)
            .consumerProperty("heartbeat.interval.ms", 1_000)
            .build();
    EventBus bus = Herald.builder().transport(transport).build();
    bus.subscribe(
        "cause.run",
        Integer.class,
        e -> {
          bus.emit(Event.<String>causedBy(e, "effect.made").data(e.id()).build());
          out.println("handled " + e.id());
        },
        SubscribeOptions.defaults().group("workers").name("workers").concurrency(10));
    out.println("subscribed");
    new CountDownLatch(1).await(); // until killed
  }
}
