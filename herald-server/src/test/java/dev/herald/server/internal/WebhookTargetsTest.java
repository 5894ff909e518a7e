package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.TimeSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Which webhook targets a server with tokens refuses, and when it checks. */
class WebhookTargetsTest {

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void everyNonPublicRangeIsNamedAndPublicAddressesPass() {
    for (String a : List.of("127.0.0.1", "127.255.0.9", "::1")) {
      assertThat(WebhookTargets.nonPublicKind(ip(a))).as(a).isEqualTo("loopback");
    }
    for (String a : List.of("0.0.0.0", "0.1.2.3", "::")) {
      assertThat(WebhookTargets.nonPublicKind(ip(a))).as(a).isEqualTo("any-local");
    }
    for (String a : List.of("169.254.169.254", "169.254.0.1", "fe80::1", "febf::1")) {
      assertThat(WebhookTargets.nonPublicKind(ip(a))).as(a).isEqualTo("link-local");
    }
    for (String a :
        List.of(
            "10.0.0.5",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.1",
            "192.168.1.1",
            "fc00::1",
            "fd12:3456::1",
            "fec0::1")) {
      assertThat(WebhookTargets.nonPublicKind(ip(a))).as(a).isEqualTo("private");
    }
    for (String a : List.of("100.64.0.1", "100.127.255.254")) {
      assertThat(WebhookTargets.nonPublicKind(ip(a))).as(a).isEqualTo("carrier-grade NAT");
    }
    for (String a : List.of("224.0.0.1", "239.1.2.3", "ff02::1")) {
      assertThat(WebhookTargets.nonPublicKind(ip(a))).as(a).isEqualTo("multicast");
    }
    assertThat(WebhookTargets.nonPublicKind(ip("255.255.255.255"))).isEqualTo("broadcast");
    // IPv6 forms that carry an IPv4 address are judged by it.
    assertThat(WebhookTargets.nonPublicKind(ip("::ffff:10.0.0.5"))).isEqualTo("private");
    assertThat(WebhookTargets.nonPublicKind(ip("::127.0.0.1"))).isEqualTo("loopback");
    assertThat(WebhookTargets.nonPublicKind(ip("64:ff9b::a9fe:a9fe"))).isEqualTo("link-local");
    assertThat(WebhookTargets.nonPublicKind(ip("64:ff9b::5db8:d822"))).isNull();
    assertThat(WebhookTargets.nonPublicKind(ip("64:ff9b:1::a00:5")))
        .as("NAT64 local use")
        .isEqualTo("private");
  }

  @Test
  void sixToFourAndTeredoAddressesAreJudgedByTheIpv4AddressesTheyCarry() {
    // 6to4, 2002:AABB:CCDD::/48 for AA.BB.CC.DD.
    assertThat(WebhookTargets.nonPublicKind(ip("2002:a00:5::1"))).isEqualTo("private");
    assertThat(WebhookTargets.nonPublicKind(ip("2002:7f00:1::"))).isEqualTo("loopback");
    assertThat(WebhookTargets.nonPublicKind(ip("2002:a9fe:a9fe:1::1"))).isEqualTo("link-local");
    assertThat(WebhookTargets.nonPublicKind(ip("2002:c0a8:101::1"))).isEqualTo("private");
    assertThat(WebhookTargets.nonPublicKind(ip("2002:6440:1::1"))).isEqualTo("carrier-grade NAT");
    assertThat(WebhookTargets.nonPublicKind(ip("2002::1"))).isEqualTo("any-local");
    assertThat(WebhookTargets.nonPublicKind(ip("2002:5db8:d822::1"))).as("93.184.216.34").isNull();
    // Teredo, 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC with the client's address inverted:
    // a public server (65.54.227.120) and a private client (10.0.0.5, inverted f5ff:fffa).
    assertThat(WebhookTargets.nonPublicKind(ip("2001:0:4136:e378:8000:63bf:f5ff:fffa")))
        .isEqualTo("private");
    // ... a loopback client (127.0.0.1, inverted 80ff:fffe).
    assertThat(WebhookTargets.nonPublicKind(ip("2001:0:4136:e378:8000:63bf:80ff:fffe")))
        .isEqualTo("loopback");
    // ... a link-local client (169.254.169.254, inverted 5601:5601).
    assertThat(WebhookTargets.nonPublicKind(ip("2001:0:4136:e378:8000:63bf:5601:5601")))
        .isEqualTo("link-local");
    // A private server (10.0.0.1) and a public client (93.184.216.34, inverted a247:27dd).
    assertThat(WebhookTargets.nonPublicKind(ip("2001:0:a00:1:8000:63bf:a247:27dd")))
        .isEqualTo("private");
    // Both public.
    assertThat(WebhookTargets.nonPublicKind(ip("2001:0:4136:e378:8000:63bf:a247:27dd"))).isNull();
    // Not Teredo: 2001:db8::/32 (documentation) and 2001:4860:: (a public network) carry nothing.
    assertThat(WebhookTargets.nonPublicKind(ip("2001:4860::8888"))).isNull();

    // A literal is refused with the clear 400 text, naming url.
    WebhookTargets system = WebhookTargets.publicOnly(WebhookTargets.SYSTEM);
    assertThat(system.refusal(URI.create("http://[2002:a9fe:a9fe::1]/x")))
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .startsWith("url: [2002:a9fe:a9fe::1] is a link-local address;")
                    .contains("--allow-private-webhooks"));
    assertThat(system.refusal(URI.create("http://[2001:0:4136:e378:8000:63bf:f5ff:fffa]/x")))
        .hasValueSatisfying(why -> assertThat(why).contains("is a private address;"));
    assertThat(system.refusal(URI.create("http://[2002:5db8:d822::1]/x"))).isEmpty();
    assertThat(WebhookTargets.any().refusal(URI.create("http://[2002:a00:5::1]/x"))).isEmpty();
    // Just outside the ranges, and ordinary public addresses.
    for (String a :
        List.of(
            "93.184.216.34",
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.0.1",
            "11.0.0.1",
            "192.169.0.1",
            "2606:4700::1111",
            "fbff::1")) {
      assertThat(WebhookTargets.nonPublicKind(ip(a))).as(a).isNull();
    }
  }

  @Test
  void aNameIsRefusedIfAnyOfItsAddressesIsNotPublicOrItDoesNotResolve() {
    WebhookTargets targets =
        WebhookTargets.publicOnly(
            host ->
                switch (host) {
                  case "hooks.example" -> new InetAddress[] {ip("93.184.216.34")};
                  case "mixed.example" -> new InetAddress[] {ip("93.184.216.34"), ip("10.0.0.5")};
                  default -> throw new UnknownHostException(host);
                });
    assertThat(targets.refusal(URI.create("https://hooks.example/x"))).isEmpty();
    assertThat(targets.refusal(URI.create("https://mixed.example/x")))
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .startsWith("url: mixed.example resolves to a private address 10.0.0.5;")
                    .contains("--allow-private-webhooks"));
    assertThat(targets.refusal(URI.create("https://nowhere.example/x")))
        .hasValueSatisfying(why -> assertThat(why).contains("does not resolve"));

    WebhookTargets system = WebhookTargets.publicOnly(WebhookTargets.SYSTEM);
    assertThat(system.refusal(URI.create("http://[::1]:8080/x")))
        .hasValueSatisfying(why -> assertThat(why).startsWith("url: [::1] is a loopback address;"));
    assertThat(system.refusal(URI.create("http://localhost/x")))
        .hasValueSatisfying(why -> assertThat(why).contains("localhost resolves to a loopback"));
    assertThat(WebhookTargets.any().refusal(URI.create("http://127.0.0.1/x"))).isEmpty();
  }

  /**
   * A name that resolved to a public address when the webhook was made, and to a private one later:
   * each delivery from then on fails without a request, then the event is dead-lettered.
   */
  @Test
  void eachDeliveryChecksAgainAndARefusalIsAFailedAttemptThenADeadLetter() throws Exception {
    // The delivery connects to the address the check approved: the loopback target, which this
    // policy takes for a public address.
    AtomicReference<String> resolvesTo = new AtomicReference<>("127.0.0.1");
    WebhookTargets targets =
        WebhookTargets.publicOnly(
            host -> new InetAddress[] {ip(resolvesTo.get())},
            a -> a.isLoopbackAddress() ? null : WebhookTargets.nonPublicKind(a));
    List<String> requests = new CopyOnWriteArrayList<>();
    try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        EventBus bus = Herald.builder().build()) {
      Thread answers = new Thread(() -> answer200(target, requests), "webhook-target");
      answers.setDaemon(true);
      answers.start();
      // The URL names the loopback target; the injected resolver says what "DNS" answers for it.
      URI url = URI.create("http://127.0.0.1:" + target.getLocalPort() + "/hook");
      WebhookDefinition def =
          new WebhookDefinition("0123456789abcdef", "t.*", url, "g", 2, 0, "owner", Instant.EPOCH);
      AtomicInteger gone = new AtomicInteger();
      WebhookClient client = new WebhookClient(targets);
      client.start();
      WebhookDelivery delivery =
          new WebhookDelivery(def, client, TimeSource.system(), false, gone::incrementAndGet);
      List<DeadLetter> dead = new CopyOnWriteArrayList<>();
      bus.subscribe(DeadLetter.class, dead::add);
      bus.subscribe(
          "t.*",
          delivery,
          SubscribeOptions.defaults()
              .name("g")
              .retry(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1))));

      bus.publish(Event.of("t.one", "first"));
      await().atMost(Duration.ofSeconds(10)).until(() -> delivery.delivered() == 1);
      assertThat(requests).hasSize(1);

      resolvesTo.set("10.0.0.5");
      bus.publish(Event.of("t.two", "second"));
      await().atMost(Duration.ofSeconds(10)).until(() -> dead.size() == 1);
      DeadLetter d = dead.get(0);
      assertThat(d.event().type()).isEqualTo("t.two");
      assertThat(d.attempts()).isEqualTo(2);
      assertThat(d.causeType()).isEqualTo(WebhookDeliveryException.class.getName());
      assertThat(d.causeMessage())
          .contains("not sent", "resolves to a private address 10.0.0.5", "allow-private");
      assertThat(delivery.failed()).isEqualTo(2);
      assertThat(delivery.lastStatus()).isEqualTo(-1);
      assertThat(delivery.lastError()).startsWith("refused: url:");
      assertThat(requests).as("no request after the name turned private").hasSize(1);
      assertThat(gone).hasValue(0);
      client.close();
    }
  }

  /** Answers every request 200 and records its request line. */
  private static void answer200(ServerSocket target, List<String> requests) {
    while (!target.isClosed()) {
      try (Socket s = target.accept()) {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        String first = in.readLine();
        int length = 0;
        String line = first;
        while (line != null && !line.isEmpty()) {
          if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
          line = in.readLine();
        }
        for (int i = 0; i < length; i++) {
          in.read();
        }
        requests.add(first);
        s.getOutputStream()
            .write(
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        return; // closed by the test
      }
    }
  }
}
