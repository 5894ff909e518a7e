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
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
  private static final int FEEDS = 5;

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
        KafkaTransport.builder(cluster.bootstrapServers())
            .eventsTopic(prefix + "events")
            .deadLetterTopic(prefix + "deadletter")
            .groupIdPrefix(prefix)
            .clientId(prefix + "herald")
            .replicationFactor(1)
            .commitInterval(Duration.ofMillis(100))
            .closeTimeout(CLOSE_TIMEOUT)
            .codec(KafkaTransportTest.CODEC)
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
    // One feed's steps, their waits overlapping (3.1 s alone, 6.0 s during a full build: a commit
    // and a leave), with room for a loaded machine. One feed after another, each waits at least a
    // close timeout when it waits at all (five feeds took 15.2 s and 12.3 s, and once 0.3 s, when
    // the consumers learnt at once that the broker was gone).
    assertThat(took).isLessThan(CLOSE_TIMEOUT.multipliedBy(3).plusSeconds(1));
  }
}
