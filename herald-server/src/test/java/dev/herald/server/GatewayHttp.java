package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Requests to a test's gateway, answers read as strings: what the webhook tests send. */
final class GatewayHttp {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private GatewayHttp() {}

  /**
   * Creates a webhook ({@code POST /v1/subscriptions}) with {@code maxAttempts} attempts 10 ms
   * apart, in {@code group} (null: the webhook's own); asserts 201 and returns its id.
   */
  static String createWebhook(
      HeraldServer server, String types, String url, int maxAttempts, String group)
      throws Exception {
    HttpResponse<String> r = postWebhook(server, types, url, maxAttempts, group);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("id").asText();
  }

  /** Asks for a webhook as {@link #createWebhook} does, which must be refused with 400: why. */
  static String refusedWebhook(HeraldServer server, String types, String url) throws Exception {
    return webhookRefusal(server, types, url).get("detail").asText();
  }

  /** Asks for a webhook that must be refused with 400; the problem the gateway answered. */
  static JsonNode webhookRefusal(HeraldServer server, String types, String url) throws Exception {
    HttpResponse<String> r = postWebhook(server, types, url, 1, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    return JSON.readTree(r.body());
  }

  /**
   * Waits until {@code GET /v1/deadletters?group=} lists {@code count} dead letters, asked with
   * {@code token} (null for none); the list.
   */
  static JsonNode awaitDeadLetters(HeraldServer server, String group, String token, int count) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                JSON.readTree(
                        send(server, "GET", "/v1/deadletters?group=" + group, null, token).body())
                    .path("deadLetters"),
            l -> l.size() == count);
  }

  private static HttpResponse<String> postWebhook(
      HeraldServer server, String types, String url, int maxAttempts, String group)
      throws Exception {
    return send(
        server,
        "POST",
        "/v1/subscriptions",
        "{\"types\": \""
            + types
            + "\", \"url\": \""
            + url
            + "\""
            + (group == null ? "" : ", \"group\": \"" + group + "\"")
            + ", \"retry\": {\"maxAttempts\": "
            + maxAttempts
            + ", \"backoffMillis\": 10}}");
  }

  /** {@code GET /v1/subscriptions/{id}} without a token; asserts 200 and returns the answer. */
  static JsonNode subscription(HeraldServer server, String id) throws Exception {
    HttpResponse<String> r = send(server, "GET", "/v1/subscriptions/" + id, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Without a token (a gateway in development mode). */
  static HttpResponse<String> send(HeraldServer server, String method, String path, String body)
      throws Exception {
    return send(server, method, path, body, null);
  }

  /** {@code body} null for none, else JSON; {@code token} null for no Authorization header. */
  static HttpResponse<String> send(
      HeraldServer server, String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.uri() + path))
            .timeout(WAIT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
