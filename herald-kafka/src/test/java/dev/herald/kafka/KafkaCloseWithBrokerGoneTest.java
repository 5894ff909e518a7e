package dev.herald.kafka;

import static dev.herald.kafka.KafkaTransportTest.freshPrefix;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing a transport whose broker is gone: each feed's consumer waits for the broker as it closes
 * (its commit, then its leave), up to the close timeout a step; the transport tells every feed to
 * stop before it waits for any, so those waits overlap and the close takes about one feed's, not
 * one per feed. Its own cluster, which it stops: the shared one is never disturbed.
 */
@Timeout(value = 180, unit = SECONDS)
class KafkaCloseWithBrokerGoneTest {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
  private static final int FEEDS = 8;

  private KafkaClusterTestKit cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      TestClusters.close(cluster);
    }
  }

  @Test
  void feedsCloseSideBySide() throws Exception {
    cluster = TestClusters.start(1);
    String prefix = freshPrefix("gone");
    KafkaTransport t =
        KafkaTransportTest.transport(cluster.bootstrapServers(), prefix)
            .closeTimeout(CLOSE_TIMEOUT)
            .build();
    CountDownLatch received = new CountDownLatch(FEEDS);
    List<KafkaFeed> feeds = new ArrayList<>();
    for (int i = 0; i < FEEDS; i++) {
      feeds.add(
          t.feed(
              "g" + i,
              e -> true,
              (e, done) -> {
                done.run();
                received.countDown();
              }));
    }
    t.feedsAssigned().get(60, SECONDS);
    t.store(Event.of("gone.e", 1)).get(30, SECONDS);
    assertThat(received.await(60, SECONDS)).as("every group got the event").isTrue();

    TestClusters.close(cluster);
    cluster = null;

    long start = System.nanoTime();
    t.close();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.println("KafkaCloseWithBrokerGoneTest: " + FEEDS + " feeds closed in " + took);
    // One feed's steps, their waits overlapping (a commit and a leave: 2.0 s and 4.1 s), with room
    // for a loaded machine. One feed after another, eight took 16.3 s; or 4.3 s when the consumers
    // learnt at once that the broker was gone, so this bound catches the serial close in about half
    // the runs, as often as the broker leaves that way.
    assertThat(took).isLessThan(CLOSE_TIMEOUT.multipliedBy(4));
  }
}
