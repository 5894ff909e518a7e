package dev.herald.server;

import static dev.herald.server.GatewayHttp.send;
import static dev.herald.server.GatewayHttp.subscription;
import static dev.herald.server.GatewayHttp.webhookRefusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.server.testing.SelfSigned;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks to HTTPS targets, end to end: a gateway over a real log, a target serving a self-signed
 * certificate made by keytool at test time, the certificate trusted or not ({@link
 * HeraldServer.Builder#webhookTrustedCertificates}), naming the URL's host or not.
 */
class WebhookTlsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path certificates;

  /** Names localhost and 127.0.0.1: the names the targets' URLs use. */
  private static SelfSigned localhost;

  /** Names other.example only. */
  private static SelfSigned other;

  @TempDir Path data;

  @BeforeAll
  static void makeCertificates() throws Exception {
    localhost = SelfSigned.make(certificates, "localhost", "dns:localhost,ip:127.0.0.1");
    other = SelfSigned.make(certificates, "other", "dns:other.example");
  }

  @Test
  void aTargetWithATrustedCertificateGetsTheHandshakeAndTheEventsOverTls() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.https(localhost);
        GatewayStore store = LogGatewayStore.open(data);
        HeraldServer server =
            HeraldServer.builder(store)
                .port(0)
                .webhookTrustedCertificates(localhost.pem())
                .start()) {
      WebhookReceiver.Target t = receiver.target();
      assertThat(t.url).startsWith("https://localhost:");
      String hostHeader = URI.create(t.url).getAuthority();

      String id = GatewayHttp.createWebhook(server, "tls.ok", t.url, 3, null);
      assertThat(t.options).hasSize(1);
      assertThat(t.options.get(0).scheme()).isEqualTo("https");
      assertThat(t.options.get(0).header("Host")).isEqualTo(hostHeader);

      Event<String> e = Event.of("tls.ok", "over TLS");
      store.append(e).get();
      await().atMost(WAIT).until(() -> subscription(server, id).get("delivered").asLong() == 1);
      assertThat(t.posts).hasSize(1);
      WebhookReceiver.Received post = t.posts.get(0);
      assertThat(post.scheme()).isEqualTo("https");
      assertThat(post.header("Host")).isEqualTo(hostHeader);
      assertThat(post.header("ce-id")).isEqualTo(e.id());
      assertThat(subscription(server, id).get("failed").asLong()).isZero();
    }
  }

  /**
   * A subscription made while the certificate was trusted, then a gateway over the same store that
   * does not trust it: the event is not delivered, and the subscription shows why; a new
   * subscription to such a target is refused at its handshake.
   */
  @Test
  void aTargetWithAnUntrustedCertificateGetsNothingAndTheFailureShows() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.https(localhost)) {
      WebhookReceiver.Target t = receiver.target();
      String id;
      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer trusting =
              HeraldServer.builder(store)
                  .port(0)
                  .webhookTrustedCertificates(localhost.pem())
                  .start()) {
        id = GatewayHttp.createWebhook(trusting, "tls.untrusted", t.url, 1, null);
      }

      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer untrusting = HeraldServer.builder(store).port(0).start()) {
        store.append(Event.of("tls.untrusted", "x")).get();
        JsonNode s =
            await()
                .atMost(WAIT)
                .until(() -> subscription(untrusting, id), n -> n.get("failed").asLong() == 1);
        assertThat(s.get("delivered").asLong()).isZero();
        assertThat(s.get("lastError").asText())
            .contains("SSLHandshakeException: PKIX path building failed");
        await()
            .atMost(WAIT)
            .until(() -> subscription(untrusting, id).get("deadLettered").asLong() == 1);
        assertThat(t.posts).isEmpty();

        WebhookReceiver.Target fresh = receiver.target();
        JsonNode problem = webhookRefusal(untrusting, "tls.untrusted.new", fresh.url);
        assertThat(problem.get("attribute").asText()).isEqualTo("url");
        assertThat(problem.get("detail").asText())
            .contains("SSLHandshakeException: PKIX path building failed");
        assertThat(fresh.options).isEmpty();
      }
      assertThat(t.options).as("the first gateway's handshake only").hasSize(1);
    }
  }

  @Test
  void aTrustedCertificateForAnotherNameIsRefusedByHostNameVerification() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.https(other);
        GatewayStore store = LogGatewayStore.open(data);
        HeraldServer server =
            HeraldServer.builder(store).port(0).webhookTrustedCertificates(other.pem()).start()) {
      WebhookReceiver.Target t = receiver.target();
      JsonNode problem = webhookRefusal(server, "tls.othername", t.url);

      assertThat(problem.get("attribute").asText()).isEqualTo("url");
      assertThat(problem.get("detail").asText())
          .contains("SSLHandshakeException: No subject alternative DNS name matching localhost");
      assertThat(t.options).isEmpty();
      JsonNode list = JSON.readTree(send(server, "GET", "/v1/subscriptions", null).body());
      assertThat(list.get("subscriptions")).isEmpty();
    }
  }

  @Test
  void aMissingOrNonPemFileIsRefusedNamingTheFile() throws Exception {
    Path missing = certificates.resolve("no-such.pem");
    Path notPem = Files.writeString(certificates.resolve("not.pem"), "not a certificate\n");
    Path empty = Files.writeString(certificates.resolve("empty.pem"), "");
    try (GatewayStore store = LogGatewayStore.open(data)) {
      HeraldServer.Builder b = HeraldServer.builder(store);
      assertThatThrownBy(() -> b.webhookTrustedCertificates(missing))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("no such file: " + missing);
      for (Path bad : new Path[] {notPem, empty, certificates}) {
        assertThatThrownBy(() -> b.webhookTrustedCertificates(bad))
            .as(bad.toString())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(bad.toString());
      }
    }
  }
}
