package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.junit.jupiter.api.Test;

/** The webhooks' HTTP client: no JVM-wide proxy, and a bound on the answers' bodies it reads. */
class WebhookClientTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void theJvmsProxyPropertiesAreNotUsed() throws Exception {
    try (ServerSocket target = new ServerSocket(0, 8, LOOPBACK);
        ServerSocket proxy = new ServerSocket(0, 8, LOOPBACK);
        WebhookClient client =
            new WebhookClient(WebhookTargets.any(h -> new InetAddress[] {LOOPBACK}))) {
      AtomicInteger proxied = new AtomicInteger();
      accept(proxy, s -> proxied.incrementAndGet());
      accept(target, s -> answer(s, 0));
      String host = System.getProperty("http.proxyHost");
      String port = System.getProperty("http.proxyPort");
      System.setProperty("http.proxyHost", LOOPBACK.getHostAddress());
      System.setProperty("http.proxyPort", Integer.toString(proxy.getLocalPort()));
      try {
        client.start();
        Request r =
            client.newRequest(
                URI.create("http://hooks.example:" + target.getLocalPort() + "/x"),
                Duration.ofSeconds(5));
        assertThat(client.exchange(r.method("POST")).get(10, TimeUnit.SECONDS).getStatus())
            .isEqualTo(200);
        assertThat(proxied).hasValue(0);
      } finally {
        restore("http.proxyHost", host);
        restore("http.proxyPort", port);
      }
    }
  }

  @Test
  void anAnswerIsTakenAtItsHeadAndItsBodyCutOffPastTheBound() throws Exception {
    long announced = 100L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    CompletableFuture<IOException> cutOff = new CompletableFuture<>();
    try (ServerSocket target = new ServerSocket(0, 8, LOOPBACK);
        WebhookClient client =
            new WebhookClient(WebhookTargets.any(h -> new InetAddress[] {LOOPBACK}))) {
      accept(
          target,
          s -> {
            try {
              OutputStream out = answer(s, announced);
              byte[] chunk = new byte[8192];
              while (written.get() < announced) {
                out.write(chunk);
                written.addAndGet(chunk.length);
              }
              cutOff.complete(null);
            } catch (IOException e) {
              cutOff.complete(e);
            }
          });
      client.start();
      Request r =
          client.newRequest(
              URI.create("http://hooks.example:" + target.getLocalPort() + "/x"),
              Duration.ofSeconds(30));
      Response head = client.exchange(r.method("POST")).get(10, TimeUnit.SECONDS);
      assertThat(head.getStatus()).isEqualTo(200);
      // The client stops reading past its bound and closes the connection: the target's writes fail
      // long before the 100 MiB it announced.
      assertThat(cutOff.get(10, TimeUnit.SECONDS)).isNotNull();
      assertThat(written.get()).isLessThan(announced / 4);
    }
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }

  /** Reads a request's head and answers 200 with {@code length} bytes of body announced. */
  private static OutputStream answer(Socket s, long length) {
    try {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      for (String line = in.readLine(); line != null && !line.isEmpty(); ) {
        line = in.readLine();
      }
      OutputStream out = s.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private interface Connection {
    void accepted(Socket s) throws IOException;
  }

  /** Accepts connections on a thread of its own, each handled by {@code c} and then closed. */
  private static void accept(ServerSocket server, Connection c) {
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  c.accepted(s);
                } catch (IOException e) {
                  return; // closed by the test
                }
              }
            },
            "target-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }
}
