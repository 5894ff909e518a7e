package dev.herald.server;

import static dev.herald.server.TokenTestServer.ADMIN;
import static dev.herald.server.TokenTestServer.MEMBER;
import static dev.herald.server.TokenTestServer.NOTHING;
import static dev.herald.server.TokenTestServer.PUBLISHER;
import static dev.herald.server.TokenTestServer.SUBSCRIBER;
import static dev.herald.server.TokenTestServer.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint of the API, as whom: no token, an unknown token, a publisher of {@code order.*}, a
 * subscriber of {@code order.*} without a group grant, one with the group grant {@code shop-*}, an
 * admin, and a token that grants nothing. A request without a usable token is a 401 (with {@code
 * WWW-Authenticate: Bearer}, and {@code error="invalid_token"} for an unknown one), a known token
 * without the grant a 403 ({@code error="insufficient_scope"}); an allowed request is anything but
 * those two.
 */
class AuthorizationMatrixTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Role {
    NONE(null),
    UNKNOWN_TOKEN(UNKNOWN),
    PUBLISHER_OF_ORDERS(PUBLISHER),
    SUBSCRIBER_OF_ORDERS(SUBSCRIBER),
    MEMBER_OF_SHOP_GROUPS(MEMBER),
    ADMINISTRATOR(ADMIN),
    NO_GRANT(NOTHING);

    final String token;

    Role(String token) {
      this.token = token;
    }
  }

  /**
   * One endpoint as a request, and who may call it; {@code open} ones need no token at all.
   *
   * @param tokenInQuery the token goes in {@code access_token} instead of the header
   */
  record Endpoint(
      String method,
      String path,
      Map<String, String> headers,
      String body,
      Set<Role> allowed,
      boolean open,
      boolean tokenInQuery) {

    static Endpoint of(String method, String path, Set<Role> allowed) {
      return new Endpoint(method, path, Map.of(), null, allowed, false, false);
    }

    static Endpoint open(String method, String path) {
      return new Endpoint(method, path, Map.of(), null, EnumSet.allOf(Role.class), true, false);
    }

    Endpoint with(Map<String, String> headers, String body) {
      return new Endpoint(method, path, headers, body, allowed, open, tokenInQuery);
    }

    Endpoint viaQuery() {
      return new Endpoint(method, path, headers, body, allowed, open, true);
    }

    String name() {
      return method + " " + path + (tokenInQuery ? " (access_token)" : "");
    }

    boolean isStream() {
      return "text/event-stream".equals(headers.get("Accept"));
    }
  }

  private static final Set<Role> PUBLISHERS = EnumSet.of(Role.PUBLISHER_OF_ORDERS);
  private static final Set<Role> SUBSCRIBERS =
      EnumSet.of(Role.SUBSCRIBER_OF_ORDERS, Role.MEMBER_OF_SHOP_GROUPS);
  private static final Set<Role> SHOP_GROUP_MEMBERS = EnumSet.of(Role.MEMBER_OF_SHOP_GROUPS);
  private static final Set<Role> ADMINS = EnumSet.of(Role.ADMINISTRATOR);
  private static final Set<Role> NOBODY = EnumSet.noneOf(Role.class);
  private static final Set<Role> MAKER_AND_ADMINS =
      EnumSet.of(Role.SUBSCRIBER_OF_ORDERS, Role.ADMINISTRATOR);

  /** In a path: a webhook subscription the subscriber makes just before the request. */
  private static final String OWN = "{own}";

  private static final String STRUCTURED =
      "{\"specversion\": \"1.0\", \"id\": \"e-1\", \"source\": \"/test\", \"type\": \"%s\","
          + " \"datacontenttype\": \"application/json\", \"data\": {\"n\": 1}}";

  static List<Endpoint> endpoints() {
    Map<String, String> binaryOrder =
        Map.of(
            "Content-Type", "application/json",
            "ce-specversion", "1.0",
            "ce-id", "b-1",
            "ce-source", "/test",
            "ce-type", "order.placed");
    Map<String, String> binaryPayment = new java.util.HashMap<>(binaryOrder);
    binaryPayment.put("ce-type", "payment.captured");
    Map<String, String> structured = Map.of("Content-Type", "application/cloudevents+json");
    Map<String, String> batch = Map.of("Content-Type", "application/cloudevents-batch+json");
    Map<String, String> sse = Map.of("Accept", "text/event-stream");
    Map<String, String> json = Map.of("Content-Type", "application/json");
    String webhook = webhook("order.*");
    String allWebhook = webhook("#");
    return List.of(
        // Publish: the type of every event must be granted.
        Endpoint.of("POST", "/v1/events", PUBLISHERS).with(binaryOrder, "{\"n\": 1}"),
        Endpoint.of("POST", "/v1/events", NOBODY).with(binaryPayment, "{\"n\": 1}"),
        Endpoint.of("POST", "/v1/events", PUBLISHERS)
            .with(structured, STRUCTURED.formatted("order.placed")),
        Endpoint.of("POST", "/v1/events", PUBLISHERS)
            .with(batch, "[" + STRUCTURED.formatted("order.placed") + "]"),
        // Stream: the pattern must lie within a subscribe grant.
        Endpoint.of("GET", "/v1/events/stream?types=order.*", SUBSCRIBERS).with(sse, null),
        Endpoint.of("GET", "/v1/events/stream?types=order.placed", SUBSCRIBERS).with(sse, null),
        Endpoint.of("GET", "/v1/events/stream?types=%23", NOBODY).with(sse, null),
        Endpoint.of("GET", "/v1/events/stream?types=order.%23", NOBODY).with(sse, null),
        Endpoint.of("GET", "/v1/events/stream?types=order.*", SUBSCRIBERS)
            .with(sse, null)
            .viaQuery(),
        // A stream of a group needs the group too: a member takes events from the group's others.
        Endpoint.of("GET", "/v1/events/stream?types=order.*&group=shop-stream", SHOP_GROUP_MEMBERS)
            .with(sse, null),
        Endpoint.of("GET", "/v1/events/stream?types=order.*&group=billing", NOBODY).with(sse, null),
        // Webhooks: creating one subscribes; listing them is admin; reading or deleting one is
        // for its maker (the subscriber made each {own} one just before) and admins.
        Endpoint.of("POST", "/v1/subscriptions", SUBSCRIBERS).with(json, webhook),
        Endpoint.of("POST", "/v1/subscriptions", NOBODY).with(json, allWebhook),
        // Naming a group needs it; a webhook without one (above) gets its own and needs none.
        Endpoint.of("POST", "/v1/subscriptions", SHOP_GROUP_MEMBERS)
            .with(json, webhook("order.*", "shop-hook")),
        Endpoint.of("POST", "/v1/subscriptions", NOBODY).with(json, webhook("order.*", "billing")),
        Endpoint.of("GET", "/v1/subscriptions", ADMINS),
        Endpoint.of("GET", "/v1/subscriptions/" + OWN, MAKER_AND_ADMINS),
        Endpoint.of("DELETE", "/v1/subscriptions/" + OWN, MAKER_AND_ADMINS),
        // Admin.
        Endpoint.of("GET", "/v1/groups", ADMINS),
        Endpoint.of("GET", "/v1/deadletters?group=g", ADMINS),
        Endpoint.of("GET", "/v1/deadletters/0", ADMINS),
        Endpoint.of("POST", "/v1/deadletters/0/redrive", ADMINS),
        Endpoint.of("POST", "/v1/deadletters/redrive?group=g", ADMINS),
        Endpoint.of("GET", "/v1/stats", ADMINS),
        Endpoint.of("GET", "/v1/stats", ADMINS).viaQuery(),
        // Open: health, and the dashboard's files (its data comes from the admin endpoints).
        Endpoint.open("GET", "/v1/health"),
        Endpoint.open("GET", "/v1/health/live"),
        Endpoint.open("GET", "/v1/health/ready"),
        Endpoint.open("GET", "/"),
        Endpoint.open("GET", "/assets/app.js"),
        Endpoint.open("GET", "/assets/style.css"),
        Endpoint.open("GET", "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js"),
        // Anything else needs a token first: no path is told to a stranger.
        Endpoint.of("GET", "/v1/nowhere", EnumSet.complementOf(EnumSet.of(Role.NONE))),
        Endpoint.of("POST", "/v1/health", EnumSet.complementOf(EnumSet.of(Role.NONE))),
        Endpoint.of("GET", "/assets/../v1/stats", EnumSet.complementOf(EnumSet.of(Role.NONE))),
        Endpoint.of("GET", "/assets/other.js", EnumSet.complementOf(EnumSet.of(Role.NONE))),
        Endpoint.of("GET", "/v1/health/%2e%2e/stats", EnumSet.complementOf(EnumSet.of(Role.NONE))));
  }

  @TempDir static Path dir;
  private static TokenTestServer server;
  private static Javalin receiver;

  @BeforeAll
  static void start() throws Exception {
    server = TokenTestServer.start(dir);
    // A webhook target that agrees to the handshake and takes every delivery.
    receiver =
        Javalin.create(
                config -> {
                  config.jetty.host = "127.0.0.1";
                  config.jetty.port = 0;
                  config.startup.showJavalinBanner = false;
                  config.routes.options("/hook", AuthorizationMatrixTest::agree);
                  config.routes.post("/hook", AuthorizationMatrixTest::agree);
                })
            .start();
  }

  private static void agree(Context ctx) {
    ctx.header("WebHook-Allowed-Origin", "*").status(200);
  }

  @AfterAll
  static void stop() {
    try {
      server.close();
    } finally {
      receiver.stop();
    }
  }

  private static String webhook(String types) {
    return "{\"types\": \""
        + types
        + "\", \"url\": \"http://127.0.0.1:"
        + receiver.port()
        + "/hook\"}";
  }

  private static String webhook(String types, String group) {
    return webhook(types).replace("}", ", \"group\": \"" + group + "\"}");
  }

  /** A webhook subscription the subscriber makes; skips the cell while webhooks are not routed. */
  private static String ownSubscription() throws Exception {
    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/subscriptions"))
                .header("Authorization", "Bearer " + SUBSCRIBER)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(webhook("order.*")))
                .build());
    assumeTrue(r.statusCode() == 201, "no webhook could be made: " + r.statusCode() + r.body());
    return JSON.readTree(r.body()).path("id").asText();
  }

  private static void deleteSubscription(String id) throws Exception {
    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/subscriptions/" + id))
                .header("Authorization", "Bearer " + ADMIN)
                .DELETE()
                .build());
    assertThat(r.statusCode()).as("deleting " + id).isIn(204, 404);
  }

  @TestFactory
  Stream<DynamicTest> everyEndpointAsEveryRole() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Endpoint e : endpoints()) {
      for (Role role : Role.values()) {
        if (role == Role.NO_GRANT && (e.open || e.allowed.size() > 4)) {
          continue; // the grant-less token is for the granted endpoints
        }
        String expected = expected(e, role);
        tests.add(
            DynamicTest.dynamicTest(
                e.name() + " as " + role + " -> " + expected, () -> check(e, role, expected)));
      }
    }
    return tests.stream();
  }

  private static String expected(Endpoint e, Role role) {
    if (e.open) {
      return "allowed";
    }
    if (role.token == null || role == Role.UNKNOWN_TOKEN) {
      return "401";
    }
    if (e.tokenInQuery && !e.method.equals("GET")) {
      return "401";
    }
    // An unknown path with a known token is simply not found, by anyone but a stranger.
    return e.allowed.contains(role) ? "allowed" : "403";
  }

  private static void check(Endpoint e, Role role, String expected) throws Exception {
    if (e.path.contains(OWN)) {
      String id = ownSubscription();
      try {
        check(e, role, expected, e.path.replace(OWN, id));
      } finally {
        deleteSubscription(id);
      }
    } else {
      check(e, role, expected, e.path);
    }
  }

  private static void check(Endpoint e, Role role, String expected, String path) throws Exception {
    HttpResponse<InputStream> r = send(e, role, path);
    int status = r.statusCode();
    String body;
    try (InputStream in = r.body()) {
      body =
          e.isStream() && status == 200
              ? ""
              : new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
    }
    String described = e.name() + " as " + role + " answered " + status + " " + body;
    switch (expected) {
      case "401" -> {
        assertThat(status).as(described).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
            .as(described)
            .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"herald\""));
        if (role == Role.UNKNOWN_TOKEN) {
          assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
              .contains("error=\"invalid_token\"");
        }
        assertProblem(r, body, 401, described);
      }
      case "403" -> {
        // An endpoint not routed in this build cannot refuse: reported as skipped, not passed.
        assumeFalse(
            status == 404
                && body.contains("\"detail\":\"Endpoint ")
                && !e.path.startsWith("/v1/nowhere"),
            "not routed yet: " + described);
        assertThat(isForbidden(status, body)).as(described).isTrue();
        if (status == 403) {
          assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
              .as(described)
              .contains("error=\"insufficient_scope\"");
          assertProblem(r, body, 403, described);
        }
      }
      default -> {
        assertThat(status).as(described).isNotIn(401, 403);
        assertThat(isForbidden(status, body)).as(described).isFalse();
      }
    }
  }

  /** 403, or a batch answered 207 whose every event was refused 403. */
  private static boolean isForbidden(int status, String body) throws Exception {
    if (status == 403) {
      return true;
    }
    if (status != 207) {
      return false;
    }
    JsonNode results = JSON.readTree(body).path("results");
    if (!results.isArray() || results.isEmpty()) {
      return false;
    }
    for (JsonNode result : results) {
      if (result.path("status").asInt() != 403) {
        return false;
      }
    }
    return true;
  }

  private static void assertProblem(HttpResponse<?> r, String body, int status, String described)
      throws Exception {
    assertThat(r.headers().firstValue("Content-Type"))
        .as(described)
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    JsonNode problem = JSON.readTree(body);
    assertThat(problem.path("status").asInt()).as(described).isEqualTo(status);
    assertThat(problem.path("detail").asText()).as(described).isNotBlank();
  }

  private static HttpResponse<InputStream> send(Endpoint e, Role role, String path)
      throws Exception {
    if (e.tokenInQuery && role.token != null) {
      path +=
          (path.contains("?") ? "&" : "?")
              + "access_token="
              + URLEncoder.encode(role.token, StandardCharsets.UTF_8);
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10));
    e.headers.forEach(b::header);
    if (!e.tokenInQuery && role.token != null) {
      b.header("Authorization", "Bearer " + role.token);
    }
    b.method(
        e.method,
        e.body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(e.body));
    // Streams stay open: the answer's head is enough, then the body is closed.
    return server
        .http
        .sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream())
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void theTokenInTheQueryIsTakenOnGetOnly() throws Exception {
    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/events?access_token=" + PUBLISHER))
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(STRUCTURED.formatted("order.placed")))
                .build());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("GET only");
  }

  @Test
  void aTokenInBothTheHeaderAndTheQueryIsABadRequest() throws Exception {
    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/stats?access_token=" + ADMIN))
                .header("Authorization", "Bearer " + ADMIN)
                .build());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_request\"");
  }

  @Test
  void anAnswerToATokenInTheQueryIsNeitherCachedNorReferred() throws Exception {
    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/nowhere?access_token=" + ADMIN)).build());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    // A stream too, the main use of access_token (EventSource): no-store, not the stream's
    // no-cache.
    HttpResponse<InputStream> stream =
        server
            .http
            .sendAsync(
                HttpRequest.newBuilder(
                        server.uri("/v1/events/stream?types=order.*&access_token=" + SUBSCRIBER))
                    .header("Accept", "text/event-stream")
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream())
            .get(10, TimeUnit.SECONDS);
    stream.body().close();
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().allValues("Cache-Control")).containsExactly("no-store");
    assertThat(stream.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
  }

  @Test
  void theSchemeIsCaseInsensitiveAndOtherSchemesAreNoToken() throws Exception {
    HttpResponse<String> lower =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/nowhere"))
                .header("Authorization", "bearer " + ADMIN)
                .build());
    assertThat(lower.statusCode()).isEqualTo(404);
    HttpResponse<String> basic =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/nowhere"))
                .header("Authorization", "Basic " + ADMIN)
                .build());
    assertThat(basic.statusCode()).isEqualTo(401);
    // RFC 6750 3.1: no bearer credentials at all, so a challenge without an error code.
    assertThat(basic.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer realm=\"herald\"");
  }
}
