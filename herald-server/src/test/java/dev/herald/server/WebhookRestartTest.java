package dev.herald.server;

import static dev.herald.server.GatewayHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.Herald;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook subscriptions outlive the gateway: a new one over the same store resumes them, on the log
 * and on Kafka (an embedded broker).
 */
class WebhookRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);
  // A new Kafka consumer group needs a rebalance before its first record.
  private static final Duration WAIT_KAFKA = Duration.ofSeconds(60);

  /** Opens the same store again each time it is called. */
  interface StoreOpener {
    GatewayStore open() throws Exception;
  }

  @TempDir Path dir;

  @Test
  void aNewGatewayOverTheSameLogResumesTheSubscriptions() throws Exception {
    resumes(() -> LogGatewayStore.open(dir));
  }

  @Test
  void aNewGatewayOverTheSameKafkaTopicsResumesTheSubscriptions() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      resumes(
          () -> {
            KafkaTransport t =
                KafkaTransport.builder(kafka.bootstrapServers())
                    .eventsTopic("wr.events")
                    .deadLetterTopic("wr.deadletter")
                    .groupIdPrefix("wr-")
                    .clientId("wr")
                    .partitions(3)
                    .commitInterval(Duration.ofMillis(100))
                    .startupTimeout(Duration.ofSeconds(30))
                    .build();
            return KafkaGatewayStore.over(t, Herald.builder().transport(t).build());
          });
    }
  }

  /**
   * One gateway makes three subscriptions (one deleted, one whose target answers 410); events are
   * stored while no gateway runs; a new gateway over the same store lists the two that remain,
   * delivers to the live one what came while it was down (and nothing twice), and nothing to the
   * others.
   */
  private static void resumes(StoreOpener stores) throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      WebhookReceiver.Target kept = receiver.target();
      WebhookReceiver.Target deleted = receiver.target();
      WebhookReceiver.Target gone = receiver.target().answer(410);
      String keptId;
      String goneId;
      Event<String> before = Event.of("rs.kept", "before");
      try (GatewayStore store = stores.open();
          HeraldServer server = HeraldServer.builder(store).port(0).start()) {
        keptId = create(server, "rs.kept", kept);
        String deletedId = create(server, "rs.deleted", deleted);
        goneId = create(server, "rs.gone", gone);
        assertThat(send(server, "DELETE", "/v1/subscriptions/" + deletedId, null).statusCode())
            .isEqualTo(204);
        store.append(before).get();
        store.append(Event.of("rs.gone", "x")).get();
        await().atMost(WAIT_KAFKA).until(() -> kept.posts.size() == 1 && gone.posts.size() == 1);
        await().atMost(WAIT_KAFKA).until(() -> state(server, goneId).equals("gone"));
      }

      // Down: events stored with no gateway running.
      Event<String> whileDown = Event.of("rs.kept", "while down");
      try (GatewayStore store = stores.open()) {
        store.append(whileDown).get();
        store.append(Event.of("rs.deleted", "x")).get();
        store.append(Event.of("rs.gone", "y")).get();
      }

      try (GatewayStore store = stores.open();
          HeraldServer server = HeraldServer.builder(store).port(0).start()) {
        JsonNode list = JSON.readTree(send(server, "GET", "/v1/subscriptions", null).body());
        Map<String, String> states = new HashMap<>();
        for (JsonNode s : list.get("subscriptions")) {
          states.put(s.get("id").asText(), s.get("state").asText());
        }
        assertThat(states).isEqualTo(Map.of(keptId, "active", goneId, "gone"));

        await().atMost(WAIT_KAFKA).until(() -> kept.posts.size() == 2);
        List<String> ids = kept.posts.stream().map(p -> p.header("ce-id")).toList();
        assertThat(ids).containsExactly(before.id(), whileDown.id());
        Event<String> after = Event.of("rs.kept", "after");
        store.append(after).get();
        await().atMost(WAIT_KAFKA).until(() -> kept.posts.size() == 3);
        assertThat(kept.posts.get(2).header("ce-id")).isEqualTo(after.id());
        assertThat(deleted.posts).isEmpty();
        assertThat(gone.posts).hasSize(1);
        assertThat(kept.options).as("a restored subscription is not asked again").hasSize(1);
      }
    }
  }

  private static String create(HeraldServer server, String types, WebhookReceiver.Target t)
      throws Exception {
    return GatewayHttp.createWebhook(server, types, t.url, 3, null);
  }

  private static String state(HeraldServer server, String id) throws Exception {
    return JSON.readTree(send(server, "GET", "/v1/subscriptions/" + id, null).body())
        .get("state")
        .asText();
  }
}
