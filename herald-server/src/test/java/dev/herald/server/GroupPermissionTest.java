package dev.herald.server;

import static dev.herald.server.StreamTest.append;
import static dev.herald.server.StreamTest.data;
import static dev.herald.server.TokenTestServer.ALL;
import static dev.herald.server.TokenTestServer.MEMBER;
import static dev.herald.server.TokenTestServer.SUBSCRIBER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token may attach a stream to a consumer group, or name one for a webhook, only if its {@code
 * groups} grant matches the group: without it the request is 403 and the group keeps its events and
 * its position.
 */
class GroupPermissionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  private static TokenTestServer server;
  private static WebhookReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    server = TokenTestServer.start(dir);
    receiver = new WebhookReceiver();
  }

  @AfterAll
  static void stop() {
    try {
      server.close();
    } finally {
      receiver.close();
    }
  }

  /** The group's committed offset, once it has committed everything stored so far. */
  private static long caughtUp(String group) {
    long[] committed = new long[1];
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.store.groups().stream()
                    .filter(g -> g.group().equals(group))
                    .anyMatch(
                        g -> {
                          committed[0] = g.partitions().get(0).committed();
                          return g.lag() == 0;
                        }));
    return committed[0];
  }

  private static long committed(String group) {
    return server.store.groups().stream()
        .filter(g -> g.group().equals(group))
        .findFirst()
        .orElseThrow()
        .partitions()
        .get(0)
        .committed();
  }

  /** The answer to a stream request; an opened stream is closed at once, its body left empty. */
  private static Answer stream(String query, String token) throws Exception {
    HttpResponse<InputStream> r =
        server.http.send(
            HttpRequest.newBuilder(server.uri("/v1/events/stream?" + query))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token)
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    String body = "";
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        body = new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8);
      }
    }
    return new Answer(r.statusCode(), r.headers(), body);
  }

  private static Answer webhook(String body, String token) throws Exception {
    return Answer.of(
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/subscriptions"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build()));
  }

  record Answer(int status, HttpHeaders headers, String body) {
    static Answer of(HttpResponse<String> r) {
      return new Answer(r.statusCode(), r.headers(), r.body());
    }
  }

  private static void assertRefusedNamingGroup(Answer r) throws Exception {
    assertThat(r.status()).as(r.body()).isEqualTo(403);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"insufficient_scope\"");
    JsonNode problem = JSON.readTree(r.body());
    assertThat(problem.path("attribute").asText()).isEqualTo("group");
    assertThat(problem.path("detail").asText()).contains("billing");
  }

  @Test
  void aTokenWithoutTheGrantCannotJoinTheGroupAndTheGroupKeepsItsPosition() throws Exception {
    // Group "billing" reads three events and stops: its position is after them.
    List<String> handled = new CopyOnWriteArrayList<>();
    Subscription billing =
        server
            .store
            .bus()
            .subscribe(
                "order.*",
                e -> handled.add(String.valueOf(e.data())),
                SubscribeOptions.defaults().name("billing").group("billing"));
    append(server.store, "order.placed", 0, 3);
    await().atMost(WAIT).until(() -> handled.size() == 3);
    billing.close();
    long position = caughtUp("billing");
    append(server.store, "order.placed", 3, 3);

    String url = receiver.target().url;
    String hook = "{\"types\": \"order.*\", \"url\": \"" + url + "\", \"group\": \"billing\"}";
    // A subscriber of order.* without groups, and one whose groups are shop-*.
    for (String token : List.of(SUBSCRIBER, MEMBER)) {
      assertRefusedNamingGroup(stream("types=order.*&group=billing", token));
      assertRefusedNamingGroup(webhook(hook, token));
    }

    assertThat(committed("billing")).isEqualTo(position);
    // The group's next member, allowed (an administrator may join any group), gets exactly the
    // three events stored after its position: nobody took them.
    try (StreamTestClient admin =
        StreamTestClient.open(
            server.server.uri(),
            "/v1/events/stream?types=order.*&group=billing",
            Map.of("Authorization", "Bearer " + ALL))) {
      assertThat(data(admin.next(3))).containsExactly("e-3", "e-4", "e-5");
    }
  }

  @Test
  void aGrantedGroupMayBeJoinedAndAWebhooksOwnGroupNeedsNoGrant() throws Exception {
    // The webhooks take a type nobody publishes: none has a delivery under way at the end.
    try (StreamTestClient member =
        StreamTestClient.open(
            server.server.uri(),
            "/v1/events/stream?types=order.*&group=shop-stream",
            Map.of("Authorization", "Bearer " + MEMBER))) {
      assertThat(member.ended()).isFalse();
    }
    String url = receiver.target().url;
    Answer named =
        webhook(
            "{\"types\": \"order.none\", \"url\": \"" + url + "\", \"group\": \"shop-hook\"}",
            MEMBER);
    assertThat(named.status()).as(named.body()).isEqualTo(201);
    assertThat(JSON.readTree(named.body()).path("group").asText()).isEqualTo("shop-hook");

    Answer own = webhook("{\"types\": \"order.none\", \"url\": \"" + url + "\"}", SUBSCRIBER);
    assertThat(own.status()).as(own.body()).isEqualTo(201);
    JsonNode made = JSON.readTree(own.body());
    assertThat(made.path("group").asText()).isEqualTo("webhook-" + made.path("id").asText());
  }
}
