package dev.herald.server;

import static dev.herald.server.TokenTestServer.SUBSCRIBER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With tokens, a webhook may not target the server's own network (loopback, private, link-local
 * addresses...) unless the server allows it; without tokens (development) it may.
 */
class WebhookTargetRestrictionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static WebhookReceiver receiver;

  @BeforeAll
  static void start() {
    receiver = new WebhookReceiver();
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  private static HttpResponse<String> create(URI server, String token, String url)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server + "/v1/subscriptions"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"types\": \"order.none\", \"url\": \"" + url + "\"}"));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withTokensEveryNonPublicTargetIsA400NamingUrlAndNothingIsAsked() throws Exception {
    WebhookReceiver.Target t = receiver.target();
    int port = URI.create(t.url).getPort();
    try (TokenTestServer server =
        TokenTestServer.start(
            dir.resolve("restricted"), ServerLimits.defaults(), List.of(), false)) {
      for (String url :
          List.of(
              t.url,
              "http://10.1.2.3/hook",
              "http://169.254.169.254/latest/meta-data/",
              "http://[::1]:" + port + "/hook",
              "http://0.0.0.0:" + port + "/hook",
              "http://localhost:" + port + "/hook",
              "http://100.64.0.1/hook",
              "http://192.168.0.10/hook",
              "http://172.16.5.4/hook",
              "http://[fd00::1]/hook",
              "http://[::ffff:127.0.0.1]:" + port + "/hook",
              "https://224.0.0.1/hook")) {
        HttpResponse<String> r = create(server.server.uri(), SUBSCRIBER, url);
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(400);
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.path("attribute").asText()).as(url).isEqualTo("url");
        assertThat(problem.path("detail").asText())
            .as(url)
            .startsWith("url: ")
            .containsPattern("(is|resolves to) an? [a-zA-Z -]+ address")
            .contains("--allow-private-webhooks");
      }
      HttpResponse<String> metadata =
          create(server.server.uri(), SUBSCRIBER, "http://169.254.169.254/latest/meta-data/");
      assertThat(JSON.readTree(metadata.body()).path("detail").asText())
          .startsWith("url: 169.254.169.254 is a link-local address;");
      HttpResponse<String> local = create(server.server.uri(), SUBSCRIBER, t.url);
      assertThat(JSON.readTree(local.body()).path("detail").asText())
          .startsWith("url: 127.0.0.1 is a loopback address;");
      // Other schemes and credentials in the URL are refused before anything is resolved.
      for (String url :
          List.of("ftp://example.com/x", "file:///etc/passwd", "http://user:pw@example.com/x")) {
        HttpResponse<String> r = create(server.server.uri(), SUBSCRIBER, url);
        assertThat(r.statusCode()).as(url).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("attribute").asText()).isEqualTo("url");
      }
    }
    assertThat(t.options).as("no handshake reached the target").isEmpty();
  }

  @Test
  void theOptionOrDevelopmentModeLetsALoopbackTargetIn() throws Exception {
    WebhookReceiver.Target allowed = receiver.target();
    try (TokenTestServer server =
        TokenTestServer.start(dir.resolve("allowed"), ServerLimits.defaults(), List.of(), true)) {
      HttpResponse<String> r = create(server.server.uri(), SUBSCRIBER, allowed.url);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    assertThat(allowed.options).hasSize(1);

    WebhookReceiver.Target dev = receiver.target();
    try (LogGatewayStore store = LogGatewayStore.open(dir.resolve("dev"));
        HeraldServer server = HeraldServer.builder(store).port(0).start()) {
      HttpResponse<String> r = create(server.uri(), null, dev.url);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    assertThat(dev.options).hasSize(1);
  }
}
