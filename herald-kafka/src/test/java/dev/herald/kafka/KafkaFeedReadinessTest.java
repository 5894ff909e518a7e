package dev.herald.kafka;

import static dev.herald.kafka.KafkaTransportTest.freshPrefix;
import static dev.herald.kafka.KafkaTransportTest.transport;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A feed tells when it has joined its consumer group, so that a caller can wait for it. */
@Timeout(value = 120, unit = SECONDS)
@ExtendWith(TestClusters.Shared.class)
class KafkaFeedReadinessTest {
  final String prefix = freshPrefix("ready");

  @Test
  void feedsSayWhenTheyHaveJoinedTheirGroups() throws Exception {
    try (KafkaTransport t =
        transport(prefix).consumerProperty("auto.offset.reset", "latest").build()) {
      LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
      KafkaFeed a =
          t.feed(
              "a",
              e -> true,
              (e, done) -> {
                received.add(e.data());
                done.run();
              });
      KafkaFeed b = t.feed("b", e -> true, (e, done) -> done.run());
      CompletableFuture<Void> all = t.feedsAssigned();
      all.get(60, SECONDS);
      assertThat(a.assigned()).isCompleted();
      assertThat(b.assigned()).isCompleted();
      // Joined, so even a group that starts at the end of its topics sees what is stored now.
      t.store(Event.of("job.run", 7)).get(30, SECONDS);
      assertThat(received.poll(60, SECONDS)).isEqualTo(7);
    }
  }
}
