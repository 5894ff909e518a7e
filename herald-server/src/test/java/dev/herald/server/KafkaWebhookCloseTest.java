package dev.herald.server;

import dev.herald.Herald;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link WebhookCloseContract} on one embedded Kafka broker shared by the class; each test has
 * topics (three partitions each) and a group id prefix of its own, which a restart opens again.
 */
class KafkaWebhookCloseTest extends WebhookCloseContract {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static EmbeddedKafka kafka;

  private final String name = "wc" + NAMES.incrementAndGet();

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Override
  protected GatewayStore openStore() {
    KafkaTransport t =
        KafkaTransport.builder(kafka.bootstrapServers())
            .eventsTopic(name + ".events")
            .deadLetterTopic(name + ".deadletter")
            .groupIdPrefix(name + "-")
            .clientId(name)
            .partitions(3)
            .commitInterval(Duration.ofMillis(100))
            .startupTimeout(Duration.ofSeconds(30))
            .build();
    return KafkaGatewayStore.over(t, Herald.builder().transport(t).build());
  }

  @Override
  protected Duration patience() {
    // A webhook's consumer group is assigned its partitions in a rebalance before its first event.
    return Duration.ofSeconds(60);
  }
}
