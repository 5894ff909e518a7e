package dev.herald.log;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.spi.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log feed's lag: the records after its group's acknowledged prefix. */
class LogFeedLagTest {
  @TempDir Path dir;

  @Test
  void lagCountsWhatTheGroupHasNotAcknowledgedAndFallsToZeroOnceItIs() throws Exception {
    try (LogTransport t = LogTransportTest.open(dir, LogTransportTest.CODEC)) {
      LinkedBlockingQueue<Runnable> held = new LinkedBlockingQueue<>();
      try (Transport.Feed feed = t.feed("g", e -> true, (e, done) -> held.add(done))) {
        assertThat(feed.lag()).isZero();
        for (int i = 0; i < 5; i++) {
          t.store(Event.of("job.run", i)).get(10, SECONDS);
        }
        await().atMost(10, SECONDS).until(() -> held.size() == 5);
        assertThat(feed.lag()).isEqualTo(5);
        List<Runnable> dones = new ArrayList<>();
        held.drainTo(dones);
        dones.get(0).run();
        dones.get(1).run();
        assertThat(feed.lag()).isEqualTo(3);
        dones.get(4).run(); // out of order: the prefix, hence the lag, waits for 2 and 3
        assertThat(feed.lag()).isEqualTo(3);
        dones.get(2).run();
        dones.get(3).run();
        assertThat(feed.lag()).isZero();
      }
    }
  }

  @Test
  void aDurableSubscriptionsLagRisesWhileItsHandlerIsBlockedAndDrainsToZero() throws Exception {
    try (LogTransport t = LogTransportTest.open(dir, LogTransportTest.CODEC)) {
      EventBus bus = Herald.builder().transport(t).build();
      CountDownLatch release = new CountDownLatch(1);
      bus.subscribe(
          "job.run",
          e -> release.await(),
          SubscribeOptions.defaults().group("workers").name("worker"));
      assertThat(bus.stats().subscription("worker").lag()).isZero();
      for (int i = 0; i < 7; i++) {
        bus.publish("job.run", i).get(10, SECONDS);
      }
      await().atMost(10, SECONDS).until(() -> bus.stats().subscription("worker").lag() == 7);
      release.countDown();
      await().atMost(10, SECONDS).until(() -> bus.stats().subscription("worker").lag() == 0);
      assertThat(bus.close(Duration.ofSeconds(10)).drained()).isTrue();
    }
  }
}
