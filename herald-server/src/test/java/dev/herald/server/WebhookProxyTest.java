package dev.herald.server;

import static dev.herald.server.GatewayHttp.refusedWebhook;
import static dev.herald.server.GatewayHttp.send;
import static dev.herald.server.GatewayHttp.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.Event;
import dev.herald.server.testing.SelfSigned;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks through an HTTP forward proxy ({@link HeraldServer.Builder#webhookProxy}), end to end: a
 * gateway over a real log, a {@link ForwardProxy} that records what it was asked for, and targets
 * that answer plain HTTP or HTTPS.
 */
class WebhookProxyTest {
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
        HeraldServer server = proxied(store, localhost, "http://" + proxy.address())) {
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
      String id = webhookThrough(proxy.address(), "proxy.down", t.url, "proxy-down");

      Event<String> e = Event.of("proxy.down", "x");
      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer server = HeraldServer.builder(store).port(0).webhookProxy(down).start()) {
        JsonNode s = awaitDeadLettered(server, store, e, id);
        assertThat(s.get("delivered").asLong()).isZero();
        assertThat(s.get("lastError").asText())
            .contains("ConnectException: webhook proxy " + down + ": ");
        assertThat(t.posts).isEmpty();

        assertThat(refusedWebhook(server, "proxy.down.new", receiver.target().url))
            .contains("webhook proxy " + down);
      }

      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer server =
              HeraldServer.builder(store).port(0).webhookProxy(proxy.address()).start()) {
        JsonNode listed = GatewayHttp.awaitDeadLetters(server, "proxy-down", null, 1);
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

  /**
   * A proxy that asks for credentials gets them, percent-decoded, with every request: the plain
   * target's handshake and event, and the {@code CONNECT} of the HTTPS one.
   */
  @Test
  void aProxyThatAsksForCredentialsGetsThemWithEveryRequestAndEveryConnect() throws Exception {
    SelfSigned localhost = SelfSigned.make(certificates, "localhost", "dns:localhost");
    try (WebhookReceiver plain = new WebhookReceiver();
        WebhookReceiver tls = WebhookReceiver.https(localhost);
        ForwardProxy proxy = new ForwardProxy();
        GatewayStore store = LogGatewayStore.open(data);
        HeraldServer server =
            proxied(store, localhost, "http://ops:p%40ss%3Aw%25rd@" + proxy.address())) {
      proxy.requireCredentials("ops", "p@ss:w%rd");
      WebhookReceiver.Target http = plain.target();
      WebhookReceiver.Target https = tls.target();

      String a = GatewayHttp.createWebhook(server, "auth.plain", http.url, 3, null);
      String b = GatewayHttp.createWebhook(server, "auth.tls", https.url, 3, null);
      store.append(Event.of("auth.plain", "p")).get();
      store.append(Event.of("auth.tls", "t")).get();
      await().atMost(WAIT).until(() -> subscription(server, a).get("delivered").asLong() == 1);
      await().atMost(WAIT).until(() -> subscription(server, b).get("delivered").asLong() == 1);

      assertThat(http.posts).hasSize(1);
      assertThat(https.posts).hasSize(1);
      assertThat(proxy.asked)
          .contains("OPTIONS " + http.url, "POST " + http.url)
          .contains("CONNECT " + URI.create(https.url).getAuthority());
      String basic = "Basic " + base64("ops:p@ss:w%rd");
      assertThat(proxy.authorizations).hasSameSizeAs(proxy.asked).containsOnly(basic);
      // The target never sees what was for the proxy.
      assertThat(http.posts.get(0).header("Proxy-Authorization")).isNull();
    }
  }

  /**
   * Credentials the proxy refuses: a new subscription's handshake is refused at once, and an event
   * for one made earlier fails visibly (407), is dead-lettered, and is delivered by a redrive once
   * the gateway has the right credentials.
   */
  @Test
  void credentialsTheProxyRefusesFailTheAttemptVisiblyAndLoseNothing() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver();
        ForwardProxy proxy = new ForwardProxy()) {
      proxy.requireCredentials("ops", "right");
      String right = "http://ops:right@" + proxy.address();
      String wrong = "http://ops:wrong@" + proxy.address();
      WebhookReceiver.Target t = receiver.target();
      String id = webhookThrough(right, "auth.wrong", t.url, "auth-wrong");

      Event<String> e = Event.of("auth.wrong", "x");
      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer server = HeraldServer.builder(store).port(0).webhookProxy(wrong).start()) {
        JsonNode s = awaitDeadLettered(server, store, e, id);
        assertThat(s.get("lastError").asText())
            .isEqualTo(
                "answered 407 Proxy Authentication Required, by the webhook proxy "
                    + proxy.address()
                    + ": the credentials given it were refused");
        assertThat(t.posts).isEmpty();

        assertThat(refusedWebhook(server, "auth.new", receiver.target().url))
            .contains("was answered 407 Proxy Authentication Required, by the webhook proxy")
            .doesNotContain("wrong");

        // An HTTPS target: the proxy refuses the CONNECT itself.
        SelfSigned localhost = SelfSigned.make(certificates, "localhost", "dns:localhost");
        try (WebhookReceiver tls = WebhookReceiver.https(localhost)) {
          assertThat(refusedWebhook(server, "auth.tls", tls.target().url))
              .endsWith(
                  " failed: IOException: webhook proxy "
                      + proxy.address()
                      + " refused CONNECT "
                      + URI.create(tls.target().url).getAuthority()
                      + ": 407 Proxy Authentication Required: the credentials given it were"
                      + " refused");
        }
      }

      // Without credentials: the refusal says how to give them.
      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer server =
              HeraldServer.builder(store).port(0).webhookProxy(proxy.address()).start()) {
        assertThat(refusedWebhook(server, "auth.none", receiver.target().url))
            .endsWith(
                "was answered 407 Proxy Authentication Required, by the webhook proxy "
                    + proxy.address()
                    + ": it asks for credentials: http://USER:PASSWORD@"
                    + proxy.address());
      }

      try (GatewayStore store = LogGatewayStore.open(data);
          HeraldServer server = HeraldServer.builder(store).port(0).webhookProxy(right).start()) {
        HttpResponse<String> redrive =
            send(server, "POST", "/v1/deadletters/redrive?group=auth-wrong", null);
        assertThat(redrive.statusCode()).as(redrive.body()).isBetween(200, 202);
        await().atMost(WAIT).until(() -> t.posts.size() == 1);
        assertThat(t.posts.get(0).header("ce-id")).isEqualTo(e.id());
      }
    }
  }

  /**
   * Makes a webhook of two attempts in {@code group} through a gateway whose proxy is {@code
   * proxy}, then stops that gateway; the webhook's id.
   */
  private String webhookThrough(String proxy, String type, String url, String group)
      throws Exception {
    try (GatewayStore store = LogGatewayStore.open(data);
        HeraldServer server = HeraldServer.builder(store).port(0).webhookProxy(proxy).start()) {
      return GatewayHttp.createWebhook(server, type, url, 2, group);
    }
  }

  /** Stores {@code e}, waits until webhook {@code id} dead-lettered it after its two attempts. */
  private static JsonNode awaitDeadLettered(
      HeraldServer server, GatewayStore store, Event<?> e, String id) throws Exception {
    store.append(e).get();
    JsonNode s =
        await()
            .atMost(WAIT)
            .until(() -> subscription(server, id), n -> n.get("deadLettered").asLong() == 1);
    assertThat(s.get("failed").asLong()).isEqualTo(2);
    return s;
  }

  /** A gateway whose webhooks go through {@code proxy} and may trust {@code target}. */
  private static HeraldServer proxied(GatewayStore store, SelfSigned target, String proxy) {
    return HeraldServer.builder(store)
        .port(0)
        .webhookTrustedCertificates(target.pem())
        .webhookProxy(proxy)
        .start();
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
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
        // With user info: the message never shows it.
        {"http://user:secret@proxy.internal", "no port in \"http://USER:PASSWORD@proxy.internal\""},
        {
          "user:secret@proxy.internal:http", "not a number in \"USER:PASSWORD@proxy.internal:http\""
        },
        {"https://user:secret@proxy.internal:3128", "only an http:// proxy"},
        {"http://user:secret@proxy.internal:3128/path", "HOST:PORT"},
        {"http://user@proxy.internal:3128", "must be USER:PASSWORD"},
        {"http://:secret@proxy.internal:3128", "must be USER:PASSWORD"},
        {"http://user:@proxy.internal:3128", "must be USER:PASSWORD"},
        {"http://user:secret%4@proxy.internal:3128", "two hex digits"},
      };
      for (String[] c : cases) {
        assertThatThrownBy(() -> b.webhookProxy(c[0]))
            .as(c[0])
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("webhookProxy: ")
            .hasMessageContaining(c[1])
            .message()
            .doesNotContain("secret");
      }
      b.webhookProxy("http://user:secret@proxy.internal:3128");
      b.webhookProxy("user:p%40ss@[::1]:3128");
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
