package dev.herald.kafka;

import static dev.herald.kafka.KafkaTransportTest.freshPrefix;
import static dev.herald.kafka.KafkaTransportTest.transport;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Kafka feed's lag: per assigned partition, the end offset the poller last saw minus the
 * acknowledged prefix.
 */
@Timeout(value = 120, unit = SECONDS)
@ExtendWith(TestClusters.Shared.class)
class KafkaFeedLagTest {
  final String prefix = freshPrefix("lag");

  @Test
  void aDurableSubscriptionsLagRisesWhileItsHandlerIsBlockedAndDrainsToZero() throws Exception {
    KafkaTransport t = transport(prefix).partitions(3).build();
    EventBus bus = Herald.builder().transport(t).build();
    try {
      CountDownLatch release = new CountDownLatch(1);
      bus.subscribe(
          "job.run",
          e -> release.await(),
          SubscribeOptions.defaults().group("workers").name("worker"));
      t.feedsAssigned().get(60, SECONDS);
      assertThat(bus.stats().subscription("worker").lag()).isZero();
      for (int i = 0; i < 7; i++) {
        bus.publish("job.run", i).get(30, SECONDS);
      }
      await().atMost(30, SECONDS).until(() -> bus.stats().subscription("worker").lag() == 7);
      release.countDown();
      await().atMost(30, SECONDS).until(() -> bus.stats().subscription("worker").lag() == 0);
    } finally {
      assertThat(bus.close(Duration.ofSeconds(10)).drained()).isTrue();
    }
  }
}
