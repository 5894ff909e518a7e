package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Herald;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.embedded.EmbeddedKafka;
import dev.herald.server.StreamTestClient.SseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamGroupTest} on one embedded Kafka broker of the class's, with topics of three
 * partitions: the group's streams are members of a Kafka consumer group, and split its partitions.
 */
class KafkaStreamGroupTest extends StreamGroupTest {
  private EmbeddedKafka kafka;
  private KafkaTransport transport;

  @Override
  protected GatewayStore openStore() {
    kafka = EmbeddedKafka.start();
    transport =
        KafkaTransport.builder(kafka.bootstrapServers())
            .eventsTopic("streams.events")
            .deadLetterTopic("streams.deadletter")
            .groupIdPrefix("streams-")
            .clientId("streams")
            .partitions(3)
            .commitInterval(Duration.ofMillis(100))
            .startupTimeout(Duration.ofSeconds(30))
            .build();
    return KafkaGatewayStore.over(transport, Herald.builder().transport(transport).build());
  }

  @Override
  protected void awaitMembers(String group, int members) {
    String id = transport.groupIdPrefix() + group;
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              ConsumerGroupDescription d =
                  transport
                      .admin()
                      .describeConsumerGroups(List.of(id))
                      .all()
                      .get(10, TimeUnit.SECONDS)
                      .get(id);
              assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
              assertThat(d.members()).hasSize(members);
              for (MemberDescription m : d.members()) {
                assertThat(m.assignment().topicPartitions()).isNotEmpty();
              }
            });
  }

  /** How soon the group's next stream must get the events a leaver's member had taken. */
  private static final Duration PROMPTLY = Duration.ofSeconds(6);

  /**
   * A group stream's client reads one event and goes away; the events stored next go to that
   * stream's member (it holds every partition), into the closed connection. Once the server notices
   * (a write fails), the member leaves the Kafka group at once, leaving those events behind rather
   * than waiting for them: the group's next stream gets every one of them within a few seconds (not
   * after the feed's close timeout, nor Kafka's session timeout), and once that stream has ended
   * too the group has no member left.
   */
  @Test
  void aStreamWhoseClientWentAwayLeavesTheKafkaGroupAtOnce() throws Exception {
    String group = "ghost";
    String q = "/v1/events/stream?types=ghost.*&group=" + group;
    append("ghost.ev", 0, 1);
    try (RawStream leaver = RawStream.openOnceRoom(server.uri(), q)) {
      awaitMembers(group, 1);
      assertThat(leaver.awaitData()).contains("\"e-0\"");
    } // closed abruptly, without reading on
    append("ghost.ev", 1, 6);
    long start = System.nanoTime();
    List<String> got = new ArrayList<>();
    try (StreamTestClient next = openOnceRoom(q)) {
      long deadline = start + PROMPTLY.toNanos();
      while (!got.containsAll(StreamTest.expected(1, 6)) && System.nanoTime() < deadline) {
        SseEvent e = next.events.poll(100, TimeUnit.MILLISECONDS);
        if (e != null) {
          got.addAll(StreamTest.data(List.of(e)));
        }
      }
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(got)
          .as(
              "the next stream gets every event stored after the leaver went, within "
                  + PROMPTLY
                  + " (got "
                  + got
                  + " in "
                  + took
                  + " ms)")
          .containsAll(StreamTest.expected(1, 6));
      assertThat(got)
          .as("only the leaver's last event may come again")
          .isSubsetOf(StreamTest.expected(0, 7));
    }
    // Its client gone too, the next stream leaves when a heartbeat fails to write.
    Awaitility.await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(describe(group).members()).as("members left").isEmpty());
  }

  /**
   * The same with the server's default heartbeat (15 s), as {@code ./herald serve --kafka} runs: a
   * client that went away is noticed by the write of the first events stored after it went (the
   * probe after them fails), not by a heartbeat. The next stream takes the six events ({@code
   * limit=6}) and the server ends it, upon which the group has no member left.
   */
  @Test
  void withTheDefaultHeartbeatTheEventsOfAStreamWhoseClientWentAwayReachTheNextPromptly()
      throws Exception {
    String group = "ghost-default";
    String q = "/v1/events/stream?types=ghostd.*&group=" + group;
    try (HeraldServer plain = HeraldServer.builder(store).port(0).start()) {
      append("ghostd.ev", 0, 1);
      try (RawStream leaver = RawStream.openOnceRoom(plain.uri(), q)) {
        awaitMembers(group, 1);
        assertThat(leaver.awaitData()).contains("\"e-0\"");
        // Acknowledged (the probe after it was written while the client was there): so the next
        // stream's six are exactly those stored after the client went.
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> lag(group), l -> l.equals(Optional.of(0L)));
      } // closed abruptly, without reading on
      append("ghostd.ev", 1, 6);
      long start = System.nanoTime();
      try (StreamTestClient next =
          StreamTestClient.open(plain.uri(), q + "&limit=6", java.util.Map.of())) {
        List<String> got = new ArrayList<>();
        long deadline = start + PROMPTLY.toNanos();
        while (!got.containsAll(StreamTest.expected(1, 6)) && System.nanoTime() < deadline) {
          SseEvent e = next.events.poll(100, TimeUnit.MILLISECONDS);
          if (e != null) {
            got.addAll(StreamTest.data(List.of(e)));
          }
        }
        assertThat(got)
            .as(
                "the next stream gets every event stored after the leaver went, within "
                    + PROMPTLY
                    + " (got "
                    + got
                    + ")")
            .containsExactlyInAnyOrderElementsOf(StreamTest.expected(1, 6));
        next.awaitEnd(); // the server ends it once the six are acknowledged
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> assertThat(describe(group).members()).as("members left").isEmpty());
    }
  }

  private ConsumerGroupDescription describe(String group) throws Exception {
    String id = transport.groupIdPrefix() + group;
    return transport
        .admin()
        .describeConsumerGroups(List.of(id))
        .all()
        .get(10, TimeUnit.SECONDS)
        .get(id);
  }

  /** Each round waits for the Kafka group's rebalances: a few rounds exercise the same path. */
  @Override
  protected int leaverRounds() {
    return 2;
  }

  @Override
  protected void afterStore() {
    if (kafka != null) {
      kafka.close();
    }
  }
}
