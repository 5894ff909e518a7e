package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway over Kafka when its broker goes away: readiness turns DOWN within seconds, and the
 * gateway and its store close within the documented bound with a publish still waiting for the
 * broker, which is answered 503. Its own broker, which it stops: the other Kafka tests' brokers are
 * never disturbed.
 */
class KafkaBrokerDownTest {
  /** How soon readiness sees the broker gone: a check every 2 s that waits 2 s at most. */
  private static final Duration NOTICED = Duration.ofSeconds(15);

  /** What docs/server.md promises of {@code serve}'s stop: the bus drains 30 s at most. */
  private static final Duration CLOSED = Duration.ofSeconds(30);

  /** Webhooks whose consumers wait for the gone broker as the gateway stops. */
  private static final int WEBHOOKS = 4;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Set<String> appended = ConcurrentHashMap.newKeySet();
  private final HttpClient http = HttpClient.newHttpClient();
  private EmbeddedKafka kafka;
  private KafkaGatewayStore store;
  private HeraldServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void readinessGoesDownWithTheBrokerAndClosingIsBoundedWithAPublishPending() throws Exception {
    kafka = EmbeddedKafka.start();
    store = KafkaGatewayStore.open(kafka.bootstrapServers());
    server = HeraldServer.builder(new CountingAppends(store)).port(0).start();
    assertThat(get("/v1/health/ready").statusCode()).isEqualTo(200);
    assertThat(publish("up-1").get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);

    kafka.close();
    kafka = null;

    await()
        .atMost(NOTICED)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> get("/v1/health/ready").statusCode() == 503);
    HttpResponse<String> health = get("/v1/health");
    assertThat(health.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(health.body());
    assertThat(body.path("ready").asBoolean(true)).isFalse();
    assertThat(body.path("live").asBoolean()).isTrue();
    assertThat(body.path("store").asText()).isEqualTo("kafka");
    assertThat(body.path("detail").asText()).contains("Kafka");
    // Answering readiness asks nothing of the broker on the request's time.
    long t0 = System.nanoTime();
    assertThat(get("/v1/health/ready").statusCode()).isEqualTo(503);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));

    CompletableFuture<HttpResponse<String>> pending = publish("down-1");
    await().atMost(Duration.ofSeconds(10)).until(() -> appended.contains("down-1"));
    assertThat(pending).as(() -> pending.join().body()).isNotDone();

    Duration took = stopAsServeDoes();
    System.out.println("KafkaBrokerDownTest: closed in " + took);
    assertThat(took).isLessThan(CLOSED);
    HttpResponse<String> answer = pending.get(5, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
  }

  /**
   * Each webhook's consumer waits for the gone broker as it closes, up to the transport's close
   * timeout per step; several webhooks close side by side, so the stop stays within the bus's drain
   * bound however many there are (one after another, three took more than it).
   */
  @Test
  void severalWebhooksOnAGoneBrokerCloseWithinTheDrainBound() throws Exception {
    kafka = EmbeddedKafka.start();
    store = KafkaGatewayStore.open(kafka.bootstrapServers());
    server = HeraldServer.builder(store).port(0).start();
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      List<WebhookReceiver.Target> targets = new ArrayList<>();
      for (int i = 0; i < WEBHOOKS; i++) {
        WebhookReceiver.Target t = receiver.target();
        GatewayHttp.createWebhook(server, "down.*", t.url, 1, null);
        targets.add(t);
      }
      assertThat(publish("up-2").get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
      // Every webhook's consumer is in its group and has its partitions: each delivered the event.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> targets.stream().allMatch(t -> t.posts.size() == 1));

      kafka.close();
      kafka = null;

      Duration took = stopAsServeDoes();
      System.out.println("KafkaBrokerDownTest: " + WEBHOOKS + " webhooks closed in " + took);
      assertThat(took).isLessThan(CLOSED);
    }
  }

  /**
   * Stops as {@code serve} does: the gateway, then the bus with its drain bound, then the store.
   * Returns how long that took.
   */
  private Duration stopAsServeDoes() {
    long start = System.nanoTime();
    server.close();
    server = null;
    store.bus().close(CLOSED);
    store.close();
    store = null;
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Notes the ids of the events that reached the store. */
  private final class CountingAppends extends ForwardingGatewayStore {
    CountingAppends(GatewayStore delegate) {
      super(delegate);
    }

    @Override
    public CompletableFuture<String> append(Event<?> event) {
      appended.add(event.id());
      return super.append(event);
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.uri() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> publish(String id) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create(server.uri() + "/v1/events"))
            .header("ce-specversion", "1.0")
            .header("ce-id", id)
            .header("ce-type", "down.test")
            .header("ce-source", "/test")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
