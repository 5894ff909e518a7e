package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.codec.UndecodableRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoints over HTTP, on one server over a log store shared by the class's tests. */
class AdminApiTest {
  private static final Duration BOUND = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static LogGatewayStore store;
  static HeraldServer server;

  @BeforeAll
  static void start() throws Exception {
    store = LogGatewayStore.open(dir);
    server = HeraldServer.builder(store).port(0).start();
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  @Test
  void groupsShowTheirLagPerPartitionAndItFallsAsTheGroupCatchesUp() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch handled = new CountDownLatch(1);
    Subscription s =
        store
            .bus()
            .subscribe(
                "lag.*",
                e -> {
                  if ("wait".equals(e.data())) {
                    assertThat(gate.await(30, TimeUnit.SECONDS)).isTrue();
                  }
                  handled.countDown();
                },
                SubscribeOptions.defaults().name("lagging").group("lagging"));
    try {
      AdminFixture.append(store, "lag.first", "go");
      assertThat(handled.await(20, TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(BOUND)
          .until(
              () -> group("lagging").map(g -> g.get("lag").asLong()),
              o -> o.equals(Optional.of(0L)));
      for (int i = 0; i < 5; i++) {
        AdminFixture.append(store, "lag.more", "wait");
      }
      JsonNode g = group("lagging").orElseThrow();
      assertThat(g.get("lag").asLong()).isGreaterThanOrEqualTo(5);
      JsonNode p = g.get("partitions").get(0);
      assertThat(p.get("partition").asText()).isEqualTo("0");
      assertThat(p.get("end").asLong() - p.get("committed").asLong())
          .isEqualTo(p.get("lag").asLong());
      assertThat(p.get("lag").asLong()).isEqualTo(g.get("lag").asLong());

      gate.countDown();
      await().atMost(BOUND).until(() -> group("lagging").orElseThrow().get("lag").asLong() == 0);
    } finally {
      gate.countDown();
      s.close();
    }
  }

  @Test
  void deadLettersAreBrowsedWithoutConsumingAndRedrivenOneThenAll() throws Exception {
    try (AdminFixture billing = new AdminFixture(store, "billing", "order.*")) {
      List<Event<String>> failed = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        failed.add(AdminFixture.append(store, "order.placed", "fail"));
        AdminFixture.append(store, "order.placed", "ok");
      }
      JsonNode list = await().atMost(BOUND).until(() -> deadLetters("billing"), l -> l.size() == 3);
      assertThat(deadLetters("billing")).isEqualTo(list); // browsing consumed nothing
      JsonNode first = list.get(0);
      assertThat(first.get("subscription").asText()).isEqualTo("billing");
      assertThat(first.get("attempts").asInt()).isEqualTo(1);
      assertThat(first.get("causeType").asText()).isEqualTo(IllegalStateException.class.getName());
      assertThat(first.get("causeMessage").asText()).contains(failed.get(0).id());
      assertThat(first.get("time").asText()).isNotEmpty();
      assertThat(first.get("event").get("id").asText()).isEqualTo(failed.get(0).id());
      assertThat(first.get("event").get("type").asText()).isEqualTo("order.placed");
      assertThat(first.get("event").get("data").asText()).isEqualTo("fail");
      assertThat(first.get("event").get("specversion").asText()).isEqualTo("1.0");
      assertThat(get("/v1/deadletters?group=billing&limit=1").body().get("deadLetters"))
          .containsExactly(first);

      String position = first.get("position").asText();
      Answer shown = get("/v1/deadletters/" + position);
      assertThat(shown.status()).isEqualTo(200);
      assertThat(shown.body()).isEqualTo(first);

      Answer one = post("/v1/deadletters/" + position + "/redrive");
      assertThat(one.status()).isEqualTo(202);
      assertThat(one.body().get("redriven").asInt()).isEqualTo(1);
      await().atMost(BOUND).until(() -> billing.handled.contains(failed.get(0).id()));
      assertThat(deadLetters("billing")).containsExactly(list.get(1), list.get(2));
      assertThat(get("/v1/deadletters/" + position).status()).isEqualTo(404);
      assertThat(post("/v1/deadletters/" + position + "/redrive").status()).isEqualTo(404);

      Answer all = post("/v1/deadletters/redrive?group=billing");
      assertThat(all.status()).isEqualTo(202);
      assertThat(all.body().get("redriven").asInt()).isEqualTo(2);
      assertThat(all.body().has("failed")).isFalse();
      await()
          .atMost(BOUND)
          .until(() -> billing.handled.containsAll(failed.stream().map(Event::id).toList()));
      assertThat(deadLetters("billing")).isEmpty();
      assertThat(post("/v1/deadletters/redrive?group=billing").body().get("redriven").asInt())
          .isZero();
      // Each failed event was handled on its second call: once failed, once redriven.
      for (Event<String> e : failed) {
        assertThat(billing.calls.get(e.id())).hasValue(2);
      }
    }
  }

  @Test
  void redrivingAllEndsWhenTheSubscriptionStillFailsRedrivingEachEventOnce() throws Exception {
    try (AdminFixture stubborn = new AdminFixture(store, "stubborn", "stubborn.*")) {
      List<Event<String>> failing = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        failing.add(AdminFixture.append(store, "stubborn.event", "always"));
      }
      await().atMost(BOUND).until(() -> deadLetters("stubborn").size() == 30);

      // Each redrive fails again at once and is dead-lettered again, at a new position: a run
      // that redrove those too went round for as long as the subscription failed.
      Answer all = post("/v1/deadletters/redrive?group=stubborn");
      assertThat(all.status()).isEqualTo(202);
      assertThat(all.body().get("redriven").asInt()).isEqualTo(30);
      assertThat(all.body().has("failed")).isFalse();
      // What the run saw dead-lettered again, not what is left: more of the 30 come after it.
      int again = all.body().path("deadLetteredAgain").asInt(-1);
      assertThat(again).as(all.body().toString()).isBetween(0, 30);
      if (all.body().has("left")) {
        assertThat(all.body().get("left").asInt()).isEqualTo(again);
      }
      await().atMost(BOUND).until(() -> deadLetters("stubborn").size() == 30);
      for (Event<String> e : failing) {
        await().atMost(BOUND).until(() -> stubborn.calls.get(e.id()).get() == 2);
      }
      assertThat(deadLetters("stubborn"))
          .extracting(d -> d.get("event").get("id").asText())
          .containsExactlyInAnyOrderElementsOf(failing.stream().map(Event::id).toList());
    }
  }

  @Test
  void anUnknownPositionIs404AndMalformedInputIs400() throws Exception {
    assertProblem(get("/v1/deadletters/99999999"), 404, null);
    assertProblem(post("/v1/deadletters/99999999/redrive"), 404, null);
    assertProblem(get("/v1/deadletters/abc"), 400, "position");
    assertProblem(get("/v1/deadletters/-1"), 400, "position");
    assertProblem(post("/v1/deadletters/1x/redrive"), 400, "position");
    assertProblem(get("/v1/deadletters/123456789012345678901234567890"), 400, "position");
    assertProblem(get("/v1/deadletters?group=billing&limit=0"), 400, "limit");
    assertProblem(get("/v1/deadletters?limit=1001"), 400, "limit");
    assertProblem(get("/v1/deadletters?limit=abc"), 400, "limit");
    assertProblem(get("/v1/deadletters?group=" + "g".repeat(201)), 400, "group");
    assertProblem(post("/v1/deadletters/redrive"), 400, "group");
    assertProblem(get("/v1/deadletters?group=billing%20"), 400, "group");
    assertProblem(get("/v1/deadletters?group=a%00b"), 400, "group");
    HttpResponse<String> withBody =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(server.uri() + "/v1/deadletters/redrive?group=g"))
                .header("Content-Type", "application/xml")
                .POST(HttpRequest.BodyPublishers.ofString("<redrive/>"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(withBody.statusCode()).isEqualTo(415);
  }

  @Test
  void aDeadLetterRecordThatDoesNotDecodeIsListedWithoutAGroupAndItsRedriveIs409()
      throws Exception {
    String position = store.append(Event.of(DeadLetter.TYPE, "not a dead letter")).get();
    JsonNode all = get("/v1/deadletters").body().get("deadLetters");
    JsonNode odd = null;
    for (JsonNode d : all) {
      if (d.get("position").asText().equals(position)) {
        odd = d;
      }
    }
    assertThat(odd).isNotNull();
    assertThat(odd.get("subscription").asText()).isEmpty();
    assertThat(odd.get("causeType").asText()).isEqualTo(UndecodableRecord.class.getName());
    assertThat(odd.get("causeMessage").asText()).contains("not a dead letter");
    assertThat(odd.get("event").get("type").asText()).isEqualTo(DeadLetter.TYPE);
    assertThat(odd.get("event").get("data").asText()).isEqualTo("not a dead letter");
    assertProblem(post("/v1/deadletters/" + position + "/redrive"), 409, null);
    assertThat(get("/v1/deadletters/" + position).status()).isEqualTo(200);
  }

  @Test
  void statsCarryTheBusEverySubscriptionsMailboxAndTheGatewaysCounters() throws Exception {
    try (AdminFixture f = new AdminFixture(store, "stats", "stats.*")) {
      Event<String> e = AdminFixture.append(store, "stats.tick", "ok");
      await().atMost(BOUND).until(() -> f.handled.contains(e.id()));
      Answer a = get("/v1/stats");
      assertThat(a.status()).isEqualTo(200);
      JsonNode s = a.body();
      assertThat(s.get("store").asText()).isEqualTo("log");
      assertThat(s.get("time").asText()).endsWith("Z");
      JsonNode bus = s.get("bus");
      for (String field :
          List.of("published", "routed", "storedOnly", "unrouted", "stored", "storeFailed")) {
        assertThat(bus.get(field).isNumber()).as(field).isTrue();
      }
      JsonNode sub = null;
      for (JsonNode x : bus.get("subscriptions")) {
        if (x.get("name").asText().equals("stats")) {
          sub = x;
        }
      }
      assertThat(sub).isNotNull();
      assertThat(sub.get("delivered").asLong()).isEqualTo(1);
      for (String field :
          List.of(
              "routed",
              "delivered",
              "failed",
              "retried",
              "deadLettered",
              "dropped",
              "mailboxDepth",
              "inFlight",
              "latencyP50Nanos",
              "latencyP99Nanos",
              "latencyMaxNanos")) {
        assertThat(sub.get(field).isNumber()).as(field).isTrue();
      }
      assertThat(bus.get("droppedByReason").isObject()).isTrue();
      assertThat(s.get("gateway").isObject()).isTrue();
      assertThat(s.get("storedByType").isObject()).isTrue();
      assertThat(s.get("streams").asLong()).isZero();
      assertThat(s.get("webhooks").asLong()).isZero();
    }
  }

  @Test
  void statsCountTheOpenStreams() throws Exception {
    long before = get("/v1/stats").body().get("streams").asLong();
    HttpResponse<java.util.stream.Stream<String>> stream =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(server.uri() + "/v1/events/stream?types=stats.*"))
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    try {
      assertThat(stream.statusCode()).isEqualTo(200);
      await()
          .atMost(BOUND)
          .until(() -> get("/v1/stats").body().get("streams").asLong() == before + 1);
    } finally {
      stream.body().close();
    }
  }

  @Test
  void healthIsUpLiveAndReadyWhileTheStoreTakesEvents() throws Exception {
    Answer h = get("/v1/health");
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.body().get("status").asText()).isEqualTo("UP");
    assertThat(h.body().get("live").asBoolean()).isTrue();
    assertThat(h.body().get("ready").asBoolean()).isTrue();
    assertThat(h.body().get("store").asText()).isEqualTo("log");
    assertThat(get("/v1/health/live").body().get("live").asBoolean()).isTrue();
    Answer ready = get("/v1/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body().get("ready").asBoolean()).isTrue();
  }

  @Test
  void aClosedStoreIsNotReadyButTheServerIsLive(@TempDir Path other) throws Exception {
    LogGatewayStore closing = LogGatewayStore.open(other);
    try (HeraldServer s = HeraldServer.builder(closing).port(0).start()) {
      closing.close();
      Answer h = send(s, "GET", "/v1/health");
      assertThat(h.status()).isEqualTo(503);
      assertThat(h.body().get("status").asText()).isEqualTo("DOWN");
      assertThat(h.body().get("live").asBoolean()).isTrue();
      assertThat(h.body().get("ready").asBoolean()).isFalse();
      assertThat(h.body().get("detail").asText()).contains("closed");
      assertThat(send(s, "GET", "/v1/health/ready").status()).isEqualTo(503);
      assertThat(send(s, "GET", "/v1/health/live").status()).isEqualTo(200);
    }
  }

  private static Optional<JsonNode> group(String name) throws Exception {
    Answer a = get("/v1/groups");
    assertThat(a.status()).isEqualTo(200);
    for (JsonNode g : a.body().get("groups")) {
      if (g.get("group").asText().equals(name)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  private static JsonNode deadLetters(String group) throws Exception {
    Answer a = get("/v1/deadletters?group=" + group);
    assertThat(a.status()).isEqualTo(200);
    return a.body().get("deadLetters");
  }

  static void assertProblem(Answer a, int status, String attribute) {
    assertThat(a.status()).isEqualTo(status);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.body().get("status").asInt()).isEqualTo(status);
    if (attribute != null) {
      assertThat(a.body().get("attribute").asText()).isEqualTo(attribute);
    }
  }

  record Answer(int status, String contentType, JsonNode body) {}

  static Answer get(String path) throws Exception {
    return send(server, "GET", path);
  }

  static Answer post(String path) throws Exception {
    return send(server, "POST", path);
  }

  static Answer send(HeraldServer s, String method, String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(s.uri() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(BOUND)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body);
  }
}
