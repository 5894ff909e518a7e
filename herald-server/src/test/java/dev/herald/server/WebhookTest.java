package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.Subscription;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks against a real gateway over a real log and a real target (the JDK's HTTP server), one of
 * each for the class; each test has its own target path and its own event types.
 */
class WebhookTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;

  private static GatewayStore store;
  private static HeraldServer server;
  private static WebhookReceiver receiver;
  private static Subscription deadLetterWatch;
  private static final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    store = LogGatewayStore.open(dir);
    // Tokens, and a target on loopback: allowed only by the option.
    server =
        HeraldServer.builder(store)
            .port(0)
            .access(new TestAccess())
            .allowPrivateWebhookTargets(true)
            .start();
    receiver = new WebhookReceiver();
    deadLetterWatch = store.bus().subscribe(DeadLetter.class, deadLetters::add);
  }

  @AfterAll
  static void stop() {
    deadLetterWatch.close();
    server.close();
    receiver.close();
    store.close();
  }

  @Test
  void aTargetThatAgreesToTheHandshakeGetsASubscription() throws Exception {
    WebhookReceiver.Target t = receiver.target();
    HttpResponse<String> r = create("{\"types\": \"hs.ok.*\", \"url\": \"" + t.url + "\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode s = JSON.readTree(r.body());
    String id = s.get("id").asText();
    assertThat(id).matches("[0-9a-f]{16}");
    assertThat(r.headers().firstValue("Location")).contains("/v1/subscriptions/" + id);
    assertThat(s.get("types").asText()).isEqualTo("hs.ok.*");
    assertThat(s.get("url").asText()).isEqualTo(t.url);
    assertThat(s.get("group").asText()).isEqualTo("webhook-" + id);
    assertThat(s.get("retry").get("maxAttempts").asInt()).isEqualTo(5);
    assertThat(s.get("retry").get("backoffMillis").asLong()).isEqualTo(1000);
    assertThat(s.get("state").asText()).isEqualTo("active");
    assertThat(t.options).hasSize(1);
    assertThat(t.options.get(0).header("WebHook-Request-Origin")).isNotBlank();
    assertThat(t.posts).isEmpty();

    JsonNode one = JSON.readTree(send("GET", "/v1/subscriptions/" + id, null, "admin").body());
    assertThat(one.get("id").asText()).isEqualTo(id);
    JsonNode list = JSON.readTree(send("GET", "/v1/subscriptions", null, "admin").body());
    assertThat(list.get("subscriptions").findValuesAsText("id")).contains(id);
  }

  @Test
  void aTargetThatRefusesTheHandshakeGetsNoSubscription() throws Exception {
    WebhookReceiver.Target other = receiver.target();
    other.allowedOrigin = "someone-else.example";
    WebhookReceiver.Target silent = receiver.target();
    silent.allowsAnyOrigin = false;
    WebhookReceiver.Target missing = receiver.target();
    missing.optionsStatus = 404;

    HttpResponse<String> r1 = create("{\"types\": \"hs.no\", \"url\": \"" + other.url + "\"}");
    HttpResponse<String> r2 = create("{\"types\": \"hs.no\", \"url\": \"" + silent.url + "\"}");
    HttpResponse<String> r3 = create("{\"types\": \"hs.no\", \"url\": \"" + missing.url + "\"}");

    for (HttpResponse<String> r : List.of(r1, r2, r3)) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
      assertThat(JSON.readTree(r.body()).get("attribute").asText()).isEqualTo("url");
    }
    assertThat(JSON.readTree(r1.body()).get("detail").asText())
        .contains("WebHook-Allowed-Origin: someone-else.example");
    assertThat(JSON.readTree(r2.body()).get("detail").asText())
        .contains("without WebHook-Allowed-Origin");
    assertThat(JSON.readTree(r3.body()).get("detail").asText()).contains("answered 404");
    int freePort;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      freePort = probe.getLocalPort();
    }
    HttpResponse<String> unreachable =
        create("{\"types\": \"hs.no\", \"url\": \"http://127.0.0.1:" + freePort + "/x\"}");
    assertThat(unreachable.statusCode()).as(unreachable.body()).isEqualTo(400);
    assertThat(JSON.readTree(unreachable.body()).get("detail").asText())
        .contains("failed: ConnectException");
    JsonNode list = JSON.readTree(send("GET", "/v1/subscriptions", null, "admin").body());
    assertThat(list.get("subscriptions").findValuesAsText("types")).doesNotContain("hs.no");
  }

  @Test
  void anEventArrivesInBinaryModeAsTheTargetSeesIt() throws Exception {
    WebhookReceiver.Target t = receiver.target();
    assertThat(create("{\"types\": \"bin.#\", \"url\": \"" + t.url + "\"}").statusCode())
        .isEqualTo(201);
    Event<Map<String, Object>> json =
        Event.<Map<String, Object>>builder("bin.order.placed")
            .source("/shop")
            .subject("o-1")
            .key("customer 7")
            .extension("tenant", "acme")
            .data(Map.<String, Object>of("orderId", "o-1", "cents", 4200))
            .build();
    Event<String> text =
        Event.<String>builder("bin.note").dataContentType("text/plain").data("héllo").build();
    store.append(json).get();
    store.append(text).get();

    await().atMost(WAIT).until(() -> t.posts.size() == 2);
    WebhookReceiver.Received a = t.posts.get(0);
    assertThat(a.method()).isEqualTo("POST");
    assertThat(a.header("ce-specversion")).isEqualTo("1.0");
    assertThat(a.header("ce-id")).isEqualTo(json.id());
    assertThat(a.header("ce-type")).isEqualTo("bin.order.placed");
    assertThat(a.header("ce-source")).isEqualTo("/shop");
    assertThat(a.header("ce-subject")).isEqualTo("o-1");
    assertThat(a.header("ce-partitionkey")).isEqualTo("customer%207");
    assertThat(a.header("ce-tenant")).isEqualTo("acme");
    assertThat(Instant.parse(a.header("ce-time")))
        .isEqualTo(json.time().truncatedTo(ChronoUnit.MILLIS));
    assertThat(a.header("Content-Type")).isEqualTo("application/json");
    assertThat(JSON.readTree(a.body()))
        .isEqualTo(JSON.readTree("{\"orderId\":\"o-1\",\"cents\":4200}"));

    WebhookReceiver.Received b = t.posts.get(1);
    assertThat(b.header("ce-id")).isEqualTo(text.id());
    assertThat(b.header("Content-Type")).isEqualTo("text/plain");
    assertThat(new String(b.body(), StandardCharsets.UTF_8)).isEqualTo("héllo");
  }

  @Test
  void aFailedDeliveryIsRetriedAndDeliveredOnce() throws Exception {
    WebhookReceiver.Target t = receiver.target().answer(500);
    String id =
        id(
            create(
                "{\"types\": \"retry.once\", \"url\": \""
                    + t.url
                    + "\", \"retry\": {\"maxAttempts\": 3, \"backoffMillis\": 10}}"));
    Event<String> e = Event.of("retry.once", "x");
    store.append(e).get();

    await().atMost(WAIT).until(() -> counter(id, "delivered") == 1);
    assertThat(t.posts).hasSize(2);
    assertThat(t.posts).allSatisfy(p -> assertThat(p.header("ce-id")).isEqualTo(e.id()));
    JsonNode s = subscription(id);
    assertThat(s.get("failed").asLong()).isEqualTo(1);
    assertThat(s.get("lastStatus").asInt()).isEqualTo(200);
    assertThat(s.get("deadLettered").asLong()).isZero();
  }

  @Test
  void aDeliveryThatAlwaysFailsEndsInADeadLetter() throws Exception {
    WebhookReceiver.Target t = receiver.target().answer(500).answer(500);
    JsonNode made =
        JSON.readTree(
            create(
                    "{\"types\": \"dead.one\", \"url\": \""
                        + t.url
                        + "\", \"group\": \"dead-group\","
                        + " \"retry\": {\"maxAttempts\": 2, \"backoffMillis\": 10}}")
                .body());
    assertThat(made.get("group").asText()).isEqualTo("dead-group");
    Event<String> e = Event.of("dead.one", "x");
    store.append(e).get();

    DeadLetter dl = awaitDeadLetter(e);
    assertThat(dl.subscription()).isEqualTo("dead-group");
    assertThat(dl.attempts()).isEqualTo(2);
    assertThat(dl.causeType()).endsWith("WebhookDeliveryException");
    assertThat(dl.causeMessage()).contains("answered 500");
    assertThat(t.posts).hasSize(2);
    String id = made.get("id").asText();
    await().atMost(WAIT).until(() -> counter(id, "deadLettered") == 1);
    assertThat(subscription(id).get("lastStatus").asInt()).isEqualTo(500);

    // The admin endpoints see it under the webhook's group, and a redrive brings it back to it.
    JsonNode listed = GatewayHttp.awaitDeadLetters(server, "dead-group", "admin", 1);
    assertThat(listed.get(0).path("event").path("id").asText()).isEqualTo(e.id());
    String position = listed.get(0).path("position").asText();
    HttpResponse<String> redrive =
        send("POST", "/v1/deadletters/" + position + "/redrive", null, "admin");
    assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(202);
    await().atMost(WAIT).until(() -> counter(id, "delivered") == 1);
    assertThat(t.posts).hasSize(3);
    assertThat(t.posts.get(2).header("ce-id")).isEqualTo(e.id());
  }

  @Test
  void aGroupThatAnotherConsumerKeepsInTheStoreIsAConflict() throws Exception {
    java.util.concurrent.CountDownLatch handled = new java.util.concurrent.CountDownLatch(1);
    Subscription other =
        store
            .bus()
            .subscribe(
                "keep.x",
                ev -> handled.countDown(),
                dev.herald.SubscribeOptions.defaults().group("kept-by-others"));
    try {
      store.append(Event.of("keep.x", "x")).get();
      assertThat(handled.await(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
          .isTrue();
    } finally {
      other.close();
    }
    await()
        .atMost(WAIT)
        .until(() -> store.groups().stream().anyMatch(g -> g.group().equals("kept-by-others")));
    WebhookReceiver.Target t = receiver.target();
    HttpResponse<String> r =
        create(
            "{\"types\": \"keep.x\", \"url\": \"" + t.url + "\", \"group\": \"kept-by-others\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(JSON.readTree(r.body()).get("attribute").asText()).isEqualTo("group");
  }

  @Test
  void goneStopsTheSubscriptionForGood() throws Exception {
    WebhookReceiver.Target t = receiver.target().answer(410);
    String id =
        id(
            create(
                "{\"types\": \"gone.*\", \"url\": \""
                    + t.url
                    + "\", \"retry\": {\"maxAttempts\": 5, \"backoffMillis\": 10}}"));
    Event<String> first = Event.of("gone.a", "x");
    store.append(first).get();

    DeadLetter dl = awaitDeadLetter(first);
    assertThat(dl.attempts()).as("410 is not retried").isEqualTo(1);
    assertThat(dl.causeType()).endsWith("WebhookGoneException");
    await().atMost(WAIT).until(() -> subscription(id).get("state").asText().equals("gone"));
    store.append(Event.of("gone.b", "y")).get();
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> t.posts.size() == 1);
  }

  @Test
  void retryAfterOfA429IsObeyed() throws Exception {
    WebhookReceiver.Target t = receiver.target().answer(429, "Retry-After", "1");
    String id =
        id(
            create(
                "{\"types\": \"slow.down\", \"url\": \""
                    + t.url
                    + "\", \"retry\": {\"maxAttempts\": 3, \"backoffMillis\": 10}}"));
    store.append(Event.of("slow.down", "x")).get();

    await().atMost(WAIT).until(() -> counter(id, "delivered") == 1);
    assertThat(t.posts).hasSize(2);
    long gapMillis = (t.posts.get(1).nanos() - t.posts.get(0).nanos()) / 1_000_000;
    assertThat(gapMillis).as("the backoff alone is 10 ms").isGreaterThanOrEqualTo(1000);
  }

  @Test
  void deleteStopsDeliveries() throws Exception {
    WebhookReceiver.Target t = receiver.target();
    long before = subscribedNow();
    String id = id(create("{\"types\": \"del.x\", \"url\": \"" + t.url + "\"}"));
    assertThat(subscribedNow()).isEqualTo(before + 1);
    store.append(Event.of("del.x", "1")).get();
    await().atMost(WAIT).until(() -> t.posts.size() == 1);

    assertThat(send("DELETE", "/v1/subscriptions/" + id, null, "admin").statusCode())
        .isEqualTo(204);
    assertThat(send("GET", "/v1/subscriptions/" + id, null, "admin").statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/v1/subscriptions/" + id, null, "admin").statusCode())
        .isEqualTo(404);
    assertThat(subscribedNow()).isEqualTo(before);
    store.append(Event.of("del.x", "2")).get();
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> t.posts.size() == 1);
  }

  @Test
  void invalidRequestsAre4xxAndMakeNoHandshake() throws Exception {
    WebhookReceiver.Target t = receiver.target();
    String url = t.url;
    Map<String, String> bodies =
        Map.ofEntries(
            Map.entry("{\"url\": \"" + url + "\"}", "types"),
            Map.entry("{\"types\": \"a..b\", \"url\": \"" + url + "\"}", "types"),
            Map.entry("{\"types\": \"a.b*\", \"url\": \"" + url + "\"}", "types"),
            Map.entry("{\"types\": 7, \"url\": \"" + url + "\"}", "types"),
            Map.entry("{\"types\": \"a\"}", "url"),
            Map.entry("{\"types\": \"a\", \"url\": \"/relative\"}", "url"),
            Map.entry("{\"types\": \"a\", \"url\": \"ftp://127.0.0.1/x\"}", "url"),
            Map.entry("{\"types\": \"a\", \"url\": \"http://u:p@127.0.0.1/x\"}", "url"),
            Map.entry(
                "{\"types\": \"a\", \"url\": \"http://127.0.0.1/" + "x".repeat(3000) + "\"}",
                "url"),
            Map.entry("{\"types\": \"a\", \"url\": \"" + url + "\", \"group\": \"a b\"}", "group"),
            Map.entry(
                "{\"types\": \"a\", \"url\": \"" + url + "\", \"retry\": {\"maxAttempts\": 0}}",
                "retry.maxAttempts"),
            Map.entry(
                "{\"types\": \"a\", \"url\": \""
                    + url
                    + "\", \"retry\": {\"backoffMillis\": 600001}}",
                "retry.backoffMillis"),
            Map.entry("{\"types\": \"a\", \"url\": \"" + url + "\", \"extra\": 1}", "extra"));
    for (Map.Entry<String, String> b : bodies.entrySet()) {
      HttpResponse<String> r = create(b.getKey());
      assertThat(r.statusCode()).as(b.getKey()).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).path("attribute").asText())
          .as(b.getKey())
          .isEqualTo(b.getValue());
    }
    assertThat(create("not json").statusCode()).isEqualTo(400);
    assertThat(create("[1]").statusCode()).isEqualTo(400);
    assertThat(create("").statusCode()).isEqualTo(400);
    assertThat(t.options).isEmpty();
  }

  @Test
  void aGroupThatALiveSubscriptionUsesIsAConflict() throws Exception {
    WebhookReceiver.Target t = receiver.target();
    String body = "{\"types\": \"grp.x\", \"url\": \"" + t.url + "\", \"group\": \"shared\"}";
    String id = id(create(body));
    HttpResponse<String> again = create(body);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
    assertThat(JSON.readTree(again.body()).get("attribute").asText()).isEqualTo("group");

    assertThat(send("DELETE", "/v1/subscriptions/" + id, null, "admin").statusCode())
        .isEqualTo(204);
    HttpResponse<String> reused = create(body);
    assertThat(reused.statusCode()).as("a deleted webhook's group").isEqualTo(201);
    send("DELETE", "/v1/subscriptions/" + id(reused), null, "admin");
  }

  @Test
  void aBodyThatIsNotJsonIs415() throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(server.uri() + "/v1/subscriptions"))
            .header("Authorization", "Bearer admin")
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString("types=a"))
            .build();
    assertThat(http.send(r, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(415);
  }

  @Test
  void rightsAreChecked() throws Exception {
    WebhookReceiver.Target t = receiver.target();
    HttpResponse<String> notHers =
        send(
            "POST",
            "/v1/subscriptions",
            "{\"types\": \"b.x\", \"url\": \"" + t.url + "\"}",
            "alice");
    assertThat(notHers.statusCode()).isEqualTo(403);
    HttpResponse<String> heraldTypes =
        send(
            "POST",
            "/v1/subscriptions",
            "{\"types\": \"herald.#\", \"url\": \"" + t.url + "\"}",
            "everything");
    assertThat(heraldTypes.statusCode()).isEqualTo(403);
    assertThat(send("POST", "/v1/subscriptions", "{}", "nobody").statusCode()).isEqualTo(401);
    assertThat(t.options).isEmpty();

    HttpResponse<String> hers =
        send(
            "POST",
            "/v1/subscriptions",
            "{\"types\": \"a.x\", \"url\": \"" + t.url + "\"}",
            "alice");
    assertThat(hers.statusCode()).as(hers.body()).isEqualTo(201);
    String id = id(hers);
    assertThat(send("GET", "/v1/subscriptions/" + id, null, "alice").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v1/subscriptions/" + id, null, "everything").statusCode())
        .isEqualTo(403);
    assertThat(send("DELETE", "/v1/subscriptions/" + id, null, "everything").statusCode())
        .isEqualTo(403);
    assertThat(send("GET", "/v1/subscriptions", null, "alice").statusCode()).isEqualTo(403);
    assertThat(send("DELETE", "/v1/subscriptions/" + id, null, "alice").statusCode())
        .isEqualTo(204);
  }

  // ---------------------------------------------------------------------------------------------

  private static DeadLetter awaitDeadLetter(Event<?> e) {
    return await()
        .atMost(WAIT)
        .until(
            () -> deadLetters.stream().filter(d -> d.event().id().equals(e.id())).findFirst(),
            Optional::isPresent)
        .get();
  }

  private static HttpResponse<String> create(String body) throws Exception {
    return send("POST", "/v1/subscriptions", body, "admin");
  }

  private static String id(HttpResponse<String> created) throws Exception {
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return JSON.readTree(created.body()).get("id").asText();
  }

  private static JsonNode subscription(String id) throws Exception {
    HttpResponse<String> r = send("GET", "/v1/subscriptions/" + id, null, "admin");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** The {@code webhooks} gauge of {@code GET /v1/stats}. */
  private static long subscribedNow() throws Exception {
    HttpResponse<String> r = send("GET", "/v1/stats", null, "admin");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("webhooks").asLong();
  }

  private static long counter(String id, String name) throws Exception {
    return subscription(id).get(name).asLong();
  }

  static HttpResponse<String> send(String method, String path, String body, String token)
      throws Exception {
    return GatewayHttp.send(server, method, path, body, token);
  }

  /**
   * Tokens: {@code admin} may do anything; {@code alice} may subscribe to {@code a.*} only; {@code
   * everything} may subscribe to anything but administers nothing.
   */
  private static final class TestAccess implements Access {
    @Override
    public Optional<Principal> authenticate(String authorization) {
      return switch (String.valueOf(authorization)) {
        case "Bearer admin" -> Optional.of(new TestPrincipal("admin", "", true));
        case "Bearer alice" -> Optional.of(new TestPrincipal("alice", "a.", false));
        case "Bearer everything" -> Optional.of(new TestPrincipal("everything", "", false));
        default -> Optional.empty();
      };
    }

    @Override
    public boolean required() {
      return true;
    }
  }

  private record TestPrincipal(String name, String subscribePrefix, boolean admin)
      implements Principal {
    @Override
    public boolean mayPublish(String type) {
      return true;
    }

    @Override
    public boolean maySubscribe(String pattern) {
      return pattern.startsWith(subscribePrefix);
    }

    @Override
    public boolean mayAdminister() {
      return admin;
    }
  }
}
