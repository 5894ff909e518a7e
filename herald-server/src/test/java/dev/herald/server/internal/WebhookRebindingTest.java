package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.TimeSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a name that resolves to one address for the check and to another for the
 * connection. Two receivers on one port, at 127.0.0.1 (A) and 127.0.0.2 (B); a resolver that
 * answers A the first time it is asked and B from then on. The webhook client connects to what its
 * check approved, asking the resolver once per request, and never to an address the check refused.
 */
class WebhookRebindingTest {
  private static final InetAddress A = ip("127.0.0.1");
  private static final InetAddress B = ip("127.0.0.2");

  /** B is "private" to this policy, A (and anything else on loopback) public. */
  private static String policy(InetAddress a) {
    return a.equals(B) ? "private" : a.isLoopbackAddress() ? null : WebhookTargets.nonPublicKind(a);
  }

  @Test
  void eachRequestConnectsToTheAddressesItsOneResolutionGaveAndSendsTheUrlsHost() throws Exception {
    AtomicInteger lookups = new AtomicInteger();
    WebhookTargets.HostResolver firstAThenB =
        host -> new InetAddress[] {lookups.incrementAndGet() == 1 ? A : B};
    try (Receiver a = new Receiver(A, 0);
        Receiver b = new Receiver(B, a.port());
        WebhookClient client = new WebhookClient(WebhookTargets.any(firstAThenB));
        EventBus bus = Herald.builder().build()) {
      client.start();
      URI url = URI.create("http://hooks.example:" + a.port() + "/hook");
      WebhookDelivery delivery = delivery(client, url, 1);
      bus.subscribe("t.*", delivery, SubscribeOptions.defaults().name("g"));

      bus.publish(Event.of("t.one", null));
      await().atMost(Duration.ofSeconds(10)).until(() -> delivery.delivered() == 1);
      // One lookup (A), and the connection went there: the client did not resolve B itself.
      assertThat(lookups).hasValue(1);
      assertThat(a.requests).hasSize(1);
      assertThat(b.connections).hasValue(0);
      Map<String, String> sent = a.requests.get(0);
      assertThat(sent.get(":line")).isEqualTo("POST /hook HTTP/1.1");
      assertThat(sent.get("host")).isEqualTo("hooks.example:" + a.port());
      assertThat(sent.get("ce-type")).isEqualTo("t.one");
      assertThat(sent.get("content-length")).isEqualTo("0");
      assertThat(sent).doesNotContainKey("content-type");

      // The next delivery resolves again, once, and goes where that answer says.
      bus.publish(Event.of("t.two", "x"));
      await().atMost(Duration.ofSeconds(10)).until(() -> delivery.delivered() == 2);
      assertThat(lookups).hasValue(2);
      assertThat(b.requests).hasSize(1);
      assertThat(b.requests.get(0).get("ce-type")).isEqualTo("t.two");
      assertThat(a.requests).hasSize(1);
    }
  }

  @Test
  void closingTheClientEndsItsThreadsWhichItNames() throws Exception {
    Set<Thread> before = clientThreads();
    WebhookClient client = new WebhookClient(WebhookTargets.any(host -> new InetAddress[] {A}));
    Set<Thread> started;
    try (Receiver a = new Receiver(A, 0)) {
      client.start();
      URI url = URI.create("http://hooks.example:" + a.port() + "/hook");
      assertThat(WebhookHandshake.ask(client, url, "gateway.test")).isEmpty();
      started = clientThreads();
      started.removeAll(before);
      assertThat(started).isNotEmpty();
    } finally {
      client.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> started.stream().noneMatch(Thread::isAlive));
  }

  @Test
  void anAddressTheCheckRefusesIsNeverConnectedToAndEachAttemptResolvesOnce() throws Exception {
    AtomicInteger lookups = new AtomicInteger();
    WebhookTargets.HostResolver firstAThenB =
        host -> new InetAddress[] {lookups.incrementAndGet() == 1 ? A : B};
    WebhookTargets targets = WebhookTargets.publicOnly(firstAThenB, WebhookRebindingTest::policy);
    try (Receiver a = new Receiver(A, 0);
        Receiver b = new Receiver(B, a.port());
        WebhookClient client = new WebhookClient(targets);
        EventBus bus = Herald.builder().build()) {
      client.start();
      URI url = URI.create("http://hooks.example:" + a.port() + "/hook");
      // The handshake: A (public) was checked, and asked.
      assertThat(WebhookHandshake.ask(client, url, "gateway.test")).isEmpty();
      assertThat(lookups).hasValue(1);
      assertThat(a.requests).hasSize(1);
      assertThat(a.requests.get(0).get(":line")).isEqualTo("OPTIONS /hook HTTP/1.1");
      assertThat(a.requests.get(0).get("webhook-request-origin")).isEqualTo("gateway.test");

      // Every delivery attempt from then on resolves to B: refused, without a connection.
      WebhookDelivery delivery = delivery(client, url, 3);
      List<DeadLetter> dead = new CopyOnWriteArrayList<>();
      bus.subscribe(DeadLetter.class, dead::add);
      bus.subscribe(
          "t.*",
          delivery,
          SubscribeOptions.defaults()
              .name("g")
              .retry(WebhookDelivery.busRetryPolicy(definition(url, 3))));
      bus.publish(Event.of("t.one", "first"));
      await().atMost(Duration.ofSeconds(10)).until(() -> dead.size() == 1);

      assertThat(dead.get(0).attempts()).isEqualTo(3);
      assertThat(dead.get(0).causeMessage())
          .contains(
              "POST "
                  + url
                  + " not sent: url: hooks.example resolves to a private address"
                  + " 127.0.0.2");
      assertThat(lookups).as("one lookup per attempt, after the handshake's").hasValue(1 + 3);
      assertThat(delivery.failed()).isEqualTo(3);
      assertThat(delivery.lastStatus()).isEqualTo(-1);
      assertThat(delivery.lastError())
          .startsWith("refused: url: hooks.example resolves to a private address 127.0.0.2;");
      assertThat(b.connections).as("the refused address was never connected to").hasValue(0);
      assertThat(a.requests).as("nor did the client fall back to A").hasSize(1);
    }
  }

  @Test
  void aHandshakeWhoseCheckFailsSendsNothing() throws Exception {
    WebhookTargets targets =
        WebhookTargets.publicOnly(host -> new InetAddress[] {A, B}, WebhookRebindingTest::policy);
    try (Receiver a = new Receiver(A, 0);
        Receiver b = new Receiver(B, a.port());
        WebhookClient client = new WebhookClient(targets)) {
      client.start();
      URI url = URI.create("http://hooks.example:" + a.port() + "/hook");
      Optional<String> refused = WebhookHandshake.ask(client, url, "gateway.test");
      // One private address among public ones refuses the name, and none is connected to.
      assertThat(refused)
          .hasValueSatisfying(
              why ->
                  assertThat(why)
                      .startsWith(
                          "OPTIONS "
                              + url
                              + " not sent: url: hooks.example resolves to a private address"));
      assertThat(a.connections).hasValue(0);
      assertThat(b.connections).hasValue(0);
    }
  }

  private static WebhookDelivery delivery(WebhookClient client, URI url, int maxAttempts) {
    return new WebhookDelivery(
        definition(url, maxAttempts), client, TimeSource.system(), false, () -> {});
  }

  private static WebhookDefinition definition(URI url, int maxAttempts) {
    return new WebhookDefinition(
        "0123456789abcdef", "t.*", url, "g", maxAttempts, 0, "owner", Instant.EPOCH);
  }

  private static Set<Thread> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("herald-webhook-http") && t.isAlive())
        .collect(Collectors.toSet());
  }

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /**
   * A target at one address: counts the connections it accepts, records each request's line and
   * headers (lower-cased names), reads its body and answers 200 with {@code WebHook-Allowed-Origin:
   * *}, closing the connection.
   */
  private static final class Receiver implements AutoCloseable {
    final AtomicInteger connections = new AtomicInteger();
    final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    private final ServerSocket socket;

    Receiver(InetAddress address, int port) throws IOException {
      socket = new ServerSocket();
      socket.bind(new InetSocketAddress(address, port), 8);
      Thread t = new Thread(this::serve, "receiver-" + address.getHostAddress());
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket s = socket.accept()) {
          connections.incrementAndGet();
          BufferedReader in =
              new BufferedReader(
                  new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
          Map<String, String> request = new TreeMap<>();
          request.put(":line", in.readLine());
          List<String> lines = new ArrayList<>();
          for (String line = in.readLine(); line != null && !line.isEmpty(); ) {
            lines.add(line);
            line = in.readLine();
          }
          for (String line : lines) {
            int colon = line.indexOf(':');
            request.put(
                line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                line.substring(colon + 1).trim());
          }
          int length = Integer.parseInt(request.getOrDefault("content-length", "0"));
          for (int i = 0; i < length; i++) {
            in.read();
          }
          requests.add(request);
          s.getOutputStream()
              .write(
                  ("HTTP/1.1 200 OK\r\nWebHook-Allowed-Origin: *\r\nContent-Length: 0\r\n"
                          + "Connection: close\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          return; // closed by the test
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
