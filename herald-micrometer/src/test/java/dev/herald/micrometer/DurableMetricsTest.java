package dev.herald.micrometer;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.embedded.EmbeddedKafka;
import dev.herald.log.FlushPolicy;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import dev.herald.spi.Transport;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable subscription's group lag and the bus's stored events, on the durable log and on Kafka.
 */
@Timeout(value = 120, unit = SECONDS)
class DurableMetricsTest {
  private static EmbeddedKafka kafka;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HeraldMetrics metrics =
      new HeraldMetrics(Tags.empty(), Clock.SYSTEM, Duration.ZERO);

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void groupLagOnTheDurableLog(@TempDir Path dir) throws Exception {
    LogOptions options = LogOptions.builder().flushPolicy(FlushPolicy.interval(50)).build();
    lagRisesWhileTheHandlerIsBlockedAndDrains(
        LogTransport.builder(LogDirectory.open(dir, options)).build());
  }

  @Test
  void groupLagOnKafka() throws Exception {
    kafka = EmbeddedKafka.start();
    KafkaTransport t =
        KafkaTransport.builder(kafka.bootstrapServers())
            .eventsTopic("metrics.events")
            .deadLetterTopic("metrics.deadletter")
            .groupIdPrefix("metrics.")
            .partitions(3)
            .replicationFactor(1)
            .commitInterval(Duration.ofMillis(100))
            .closeTimeout(Duration.ofSeconds(2))
            .build();
    lagRisesWhileTheHandlerIsBlockedAndDrains(t);
  }

  private void lagRisesWhileTheHandlerIsBlockedAndDrains(Transport transport) throws Exception {
    metrics.bindTo(registry);
    EventBus bus = Herald.builder().transport(transport).interceptor(metrics).build();
    try {
      CountDownLatch release = new CountDownLatch(1);
      bus.subscribe(
          "job.run",
          e -> release.await(),
          SubscribeOptions.defaults().group("workers").name("worker"));
      for (int i = 0; i < 7; i++) {
        bus.publish("job.run", i).get(30, SECONDS);
      }
      assertThat(registry.get("herald.events.stored").functionCounter().count()).isEqualTo(7);
      // The handler holds the first event: nothing is acknowledged.
      await().atMost(30, SECONDS).until(() -> lag() == 7);
      release.countDown();
      await().atMost(30, SECONDS).until(() -> lag() == 0);
      await()
          .atMost(30, SECONDS)
          .until(
              () ->
                  registry
                          .get("herald.deliveries")
                          .tags("subscription", "worker", "group", "workers")
                          .tag("outcome", "delivered")
                          .functionCounter()
                          .count()
                      == 7);
      assertThat(
              registry
                  .get("herald.handler.duration")
                  .tags("subscription", "worker", "group", "workers", "outcome", "success")
                  .timer()
                  .count())
          .isEqualTo(7);
    } finally {
      assertThat(bus.close(Duration.ofSeconds(10)).drained()).isTrue();
    }
  }

  /** The lag gauge, NaN until the worker's meters exist (its handler first runs). */
  private double lag() {
    Gauge g =
        registry
            .find("herald.group.lag")
            .tags("subscription", "worker", "group", "workers")
            .gauge();
    return g == null ? Double.NaN : g.value();
  }
}
