package dev.herald.server;

import static dev.herald.server.GatewayHttp.send;
import static dev.herald.server.GatewayHttp.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.server.testing.SelfSigned;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks through an HTTP forward proxy ({@link HeraldServer.Builder#webhookProxy}), end to end: a
 * gateway over a real log, a {@link ForwardProxy} that records what it was asked for, and targets
 * that answer plain HTTP or HTTPS.
 */
class WebhookProxyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path data;
  @TempDir Path certificates;

  /**
   * The proxy listens on 127.0.0.2, the target on 127.0.0.1: a connection made to the target's
   * checked address at the proxy's port would reach nothing.
   */
  @Test
  void anHttpTargetGetsTheHandshakeAndTheEventsThroughTheProxy() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver();
        ForwardProxy proxy = new ForwardProxy(InetAddress.getByName("127.0.0.2"));
        GatewayStore store = LogGatewayStore.open(data);
        HeraldServer server =
            HeraldServer.builder(store).port(0).webhookProxy(proxy.address()).start()) {
      WebhookReceiver.Target t = receiver.target();

      String id = GatewayHttp.createWebhook(server, "proxy.http", t.url, 3, null);
      assertThat(t.options).hasSize(1);
      Event<String> e = Event.of("proxy.http", "via the proxy");
      store.append(e).get();
      await().atMost(WAIT).until(() -> subscription(server, id).get("delivered").asLong() == 1);

      assertThat(t.posts).hasSize(1);
      assertThat(t.posts.get(0).header("ce-id")).isEqualTo(e.id());
      assertThat(t.posts.get(0).header("Host")).isEqualTo(URI.create(t.url).getAuthority());
      assertThat(proxy.asked).containsExactly("OPTIONS " + t.url, "POST " + t.url);
    }
  }

  /**
   * Without tokens nothing is checked, so the gateway resolves nothing for a proxied webhook: a
   * name that only the proxy's DNS knows (here one under {@code .invalid}, which no DNS resolves)
   * still gets its handshake and events.
   */
  @Test
  void aNameOnlyTheProxyResolvesIsReachedWhenNothingIsChecked() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver();
        ForwardProxy proxy = new ForwardProxy();
        GatewayStore store = LogGatewayStore.open(data);
        HeraldServer server =
            HeraldServer.builder(store).port(0).webhookProxy(proxy.address()).start()) {
      proxy.knows("hooks.herald.invalid", InetAddress.getLoopbackAddress());
      WebhookReceiver.Target t = receiver.target();
      URI direct = URI.create(t.url);
      String url = "http://hooks.herald.invalid:" + direct.getPort() + direct.getPath();

      String id = GatewayHttp.createWebhook(server, "proxy.named", url, 3, null);
      Event<String> e = Event.of("proxy.named", "by a name only the proxy knows");
      store.append(e).get();
      await().atMost(WAIT).until(() -> subscription(server, id).get("delivered").asLong() == 1);

      assertThat(t.options).hasSize(1);
      assertThat(t.posts).hasSize(1);
      assertThat(t.posts.get(0).header("ce-id")).isEqualTo(e.id());
      assertThat(t.posts.get(0).header("Host")).isEqualTo(URI.create(url).getAuthority());
      assertThat(proxy.asked).containsExactly("OPTIONS " + url, "POST " + url);
    }
  }

  @Test
  void anHttpsTargetIsReachedThroughAConnectTunnelItsCertificateVerified() throws Exception {
    SelfSigned localhost = SelfSigned.make(certificates, "localhost", "dns:localhost");
    try (WebhookReceiver receiver = WebhookReceiver.https(localhost);
        ForwardProxy proxy = new ForwardProxy();
        GatewayStore store = LogGatewayStore.open(data);
        HeraldServer server =
            HeraldServer.builder(store)
                .port(0)
                .webhookTrustedCertificates(localhost.pem())
                .webhookProxy("http://" + proxy.address())
                .start()) {
      WebhookReceiver.Target t = receiver.target();
      String authority = URI.create(t.url).getAuthority();
      assertThat(authority).startsWith("localhost:");

      String id = GatewayHttp.createWebhook(server, "proxy.https", t.url, 3, null);
      Event<String> e = Event.of("proxy.https", "tunnelled");
      store.append(e).get();
      await().atMost(WAIT).until(() -> subscription(server, id).get("delivered").asLong() == 1);

      assertThat(t.options).hasSize(1);
      assertThat(t.options.get(0).scheme()).isEqualTo("https");
      assertThat(t.posts).hasSize(1);
      assertThat(t.posts.get(0).scheme()).isEqualTo("https");
      assertThat(t.posts.get(0).header("ce-id")).isEqualTo(e.id());
      assertThat(proxy.asked).isNotEmpty().allMatch(("CONNECT " + authority)::equals);
    }
  }

  /**
   * A subscription made through a working proxy; then a gateway over the same store whose proxy is
   * down: the event is not delivered, the subscription shows why, and it is dead-lettered after its
   * attempts, from where a redrive through a working proxy delivers it.
   */
  @Test
  void aProxyThatIsDownFailsTheDeliveryVisiblyAndLosesNothing() throws Exception {
    String down = closedPort();
    try (WebhookReceiver receiver = new WebhookReceiver();
        ForwardProxy proxy = new ForwardProxy()) {
      WebhookReceiver.Target t = receiver.target();
      String id;
      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer server =
              HeraldServer.builder(store).port(0).webhookProxy(proxy.address()).start()) {
        id = GatewayHttp.createWebhook(server, "proxy.down", t.url, 2, "proxy-down");
      }

      Event<String> e = Event.of("proxy.down", "x");
      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer server = HeraldServer.builder(store).port(0).webhookProxy(down).start()) {
        store.append(e).get();
        JsonNode s =
            await()
                .atMost(WAIT)
                .until(() -> subscription(server, id), n -> n.get("deadLettered").asLong() == 1);
        assertThat(s.get("failed").asLong()).isEqualTo(2);
        assertThat(s.get("delivered").asLong()).isZero();
        assertThat(s.get("lastError").asText())
            .contains("ConnectException: webhook proxy " + down + ": ");
        assertThat(t.posts).isEmpty();

        HttpResponse<String> refused =
            send(
                server,
                "POST",
                "/v1/subscriptions",
                "{\"types\": \"proxy.down.new\", \"url\": \"" + receiver.target().url + "\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).get("detail").asText())
            .contains("webhook proxy " + down);
      }

      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer server =
              HeraldServer.builder(store).port(0).webhookProxy(proxy.address()).start()) {
        JsonNode listed =
            await()
                .atMost(WAIT)
                .until(
                    () ->
                        JSON.readTree(
                                send(server, "GET", "/v1/deadletters?group=proxy-down", null)
                                    .body())
                            .path("deadLetters"),
                    l -> l.size() == 1);
        assertThat(listed.get(0).path("event").path("id").asText()).isEqualTo(e.id());
        String position = listed.get(0).path("position").asText();
        HttpResponse<String> redrive =
            send(server, "POST", "/v1/deadletters/" + position + "/redrive", null);
        assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(202);
        await().atMost(WAIT).until(() -> t.posts.size() == 1);
        assertThat(t.posts.get(0).header("ce-id")).isEqualTo(e.id());
        assertThat(proxy.asked).endsWith("POST " + t.url);
      }
    }
  }

  @Test
  void aBadProxyValueIsRefusedNamingTheOption() throws Exception {
    try (GatewayStore store = LogGatewayStore.open(data)) {
      HeraldServer.Builder b = HeraldServer.builder(store);
      String[][] cases = {
        {"proxy.internal", "no port"},
        {"proxy.internal:", "no port"},
        {"http://proxy.internal", "no port"},
        {"proxy.internal:70000", "within [1, 65535]"},
        {"proxy.internal:0", "within [1, 65535]"},
        {"proxy.internal:http", "not a number"},
        {"https://proxy.internal:3128", "only an http:// proxy"},
        {"socks5://proxy.internal:1080", "only an http:// proxy"},
        {"http://proxy.internal:3128/path", "HOST:PORT"},
        {"::1:3128", "in brackets"},
        {"", "HOST:PORT"},
      };
      for (String[] c : cases) {
        assertThatThrownBy(() -> b.webhookProxy(c[0]))
            .as(c[0])
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("webhookProxy: ")
            .hasMessageContaining(c[1]);
      }
      assertThatThrownBy(() -> b.webhookProxy("http://user:secret@proxy.internal:3128"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("user info")
          .message()
          .doesNotContain("secret");
      b.webhookProxy("proxy.internal:3128");
      b.webhookProxy("http://proxy.internal:3128/");
      b.webhookProxy("[::1]:3128");
      b.webhookProxy("HTTP://10.0.0.1:8080");
    }
  }

  /** A loopback address where nothing listens: a port taken, then given back. */
  private static String closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }
}
