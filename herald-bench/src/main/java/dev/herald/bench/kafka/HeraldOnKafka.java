package dev.herald.bench.kafka;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.bench.Arrival;
import dev.herald.codec.JsonPayloadCodec;
import dev.herald.kafka.KafkaTransport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Herald on {@link KafkaTransport} as a user would set it up: the default topic and partitioning,
 * {@link JsonPayloadCodec} allowing {@link Order}, the transport's idempotent {@code acks=all}
 * producer with the batching and requests in flight of {@link KafkaSettings}. {@link #send} is
 * {@code bus.publish(Event.of(type, order))}, whose future completes when the store is acknowledged
 * (no in-process subscriber matches). The consumer is a durable subscription (consumer group
 * {@value KafkaSettings#GROUP}): the feed's poller and deliverer threads decode each record into an
 * {@code Event<Order>}, the subscription's mailbox hands it to a Herald worker, and the handler
 * counts it.
 */
final class HeraldOnKafka implements KafkaContender {
  static final String ID = "herald";

  /** As for the in-memory buses: nothing dropped, a full mailbox makes the feed wait. */
  private static final SubscribeOptions OPTIONS =
      SubscribeOptions.defaults()
          .mailboxCapacity(65_536)
          .backpressure(Backpressure.block(Duration.ofSeconds(30)));

  private final EventBus bus;

  HeraldOnKafka(String bootstrapServers, Arrival delivered) {
    KafkaTransport.Builder transport =
        KafkaTransport.builder(bootstrapServers)
            .codec(JsonPayloadCodec.builder().allowClasses(Order.class).build())
            .partitions(KafkaSettings.PARTITIONS);
    for (Map.Entry<String, Object> p : KafkaSettings.producer(bootstrapServers).entrySet()) {
      transport.producerProperty(p.getKey(), p.getValue());
    }
    bus = Herald.builder().transport(transport.build()).build();
    if (delivered != null) {
      bus.subscribe(
          Order.TYPE,
          e -> {
            if (e.data() instanceof Order) {
              delivered.arrive();
            }
          },
          OPTIONS.group(KafkaSettings.GROUP));
    }
  }

  @Override
  public Future<?> send(Order order) {
    return bus.publish(Event.of(Order.TYPE, order));
  }

  @Override
  public void close() {
    bus.close(Duration.ofSeconds(10));
  }
}
