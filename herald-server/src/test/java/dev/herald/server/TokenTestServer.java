package dev.herald.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A started server over a log store in a directory, with six tokens: a publisher of {@code
 * order.*}, a subscriber of {@code order.*}, a subscriber of {@code order.*} that may join the
 * groups {@code shop-*}, an admin, one that grants nothing and one that grants everything. Its
 * webhooks may target private addresses (the tests' targets are on loopback) unless started with
 * {@code privateWebhookTargets} false. For the security tests; one per test class.
 */
final class TokenTestServer implements AutoCloseable {
  static final String PUBLISHER = "publisher-0123456789";
  static final String SUBSCRIBER = "subscriber-0123456789";
  static final String ADMIN = "admin-0123456789abcdef";
  static final String NOTHING = "nothing-0123456789abc";
  static final String UNKNOWN = "unknown-0123456789abcd";
  static final String ALL = "everything-0123456789";
  static final String MEMBER = "member-0123456789abcd";

  static final String TOKENS =
      """
      {"tokens": [
        {"name": "publisher", "token": "%s", "publish": ["order.*"]},
        {"name": "subscriber", "token": "%s", "subscribe": ["order.*"]},
        {"name": "admin", "sha256": "%s", "admin": true},
        {"name": "nothing", "token": "%s"},
        {"name": "all", "token": "%s", "publish": ["#"], "subscribe": ["#"], "admin": true},
        {"name": "member", "token": "%s", "subscribe": ["order.*"], "groups": ["shop-*"]}
      ]}
      """
          .formatted(PUBLISHER, SUBSCRIBER, TokenAccess.sha256Hex(ADMIN), NOTHING, ALL, MEMBER);

  final LogGatewayStore store;
  final HeraldServer server;
  final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private TokenTestServer(LogGatewayStore store, HeraldServer server) {
    this.store = store;
    this.server = server;
  }

  static TokenTestServer start(Path dir) throws IOException {
    return start(dir, ServerLimits.defaults(), List.of());
  }

  static TokenTestServer start(Path dir, ServerLimits limits, List<String> corsOrigins)
      throws IOException {
    return start(dir, limits, corsOrigins, true);
  }

  static TokenTestServer start(
      Path dir, ServerLimits limits, List<String> corsOrigins, boolean privateWebhookTargets)
      throws IOException {
    LogGatewayStore store = LogGatewayStore.open(dir);
    try {
      HeraldServer server =
          HeraldServer.builder(store)
              .port(0)
              .access(TokenAccess.parse(TOKENS, "test tokens"))
              .limits(limits)
              .corsOrigins(corsOrigins)
              .allowPrivateWebhookTargets(privateWebhookTargets)
              .start();
      return new TokenTestServer(store, server);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  URI uri(String pathAndQuery) {
    return URI.create(server.uri() + pathAndQuery);
  }

  /** The offset the next event stored in the log will get. */
  long logEnd() {
    return store.transport().log().endOffset();
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Writes raw bytes on a new connection and returns the first line of the answer (the status
   * line), or null when the server closed the connection without one.
   */
  String raw(byte[] request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
        s.shutdownOutput();
      } catch (IOException e) {
        // The server may close the connection before it has read all of a bad request; what it
        // answered before that is still to be read.
      }
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      try {
        while ((c = in.read()) != -1 && c != '\n') {
          line.append((char) c);
        }
      } catch (IOException e) {
        return line.isEmpty() ? null : line.toString().strip();
      }
      return line.isEmpty() ? null : line.toString().strip();
    }
  }

  /**
   * Writes a raw GET of {@code pathAndQuery} (sent as it is, which {@link URI} would refuse when it
   * holds a malformed escape) with {@code headers} and {@code Connection: close}, and returns the
   * whole answer as Latin-1 text: what came until the server closed, or until 5 s passed.
   */
  String rawGet(String pathAndQuery, String headers) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      s.setSoTimeout(5_000);
      s.getOutputStream()
          .write(
              ascii(
                  "GET "
                      + pathAndQuery
                      + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                      + headers
                      + "\r\n"));
      java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
      byte[] b = new byte[4096];
      try {
        int n;
        while ((n = s.getInputStream().read(b)) != -1) {
          answer.write(b, 0, n);
        }
      } catch (java.net.SocketTimeoutException e) {
        // A stream that was opened does not end: what it wrote so far is the answer.
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      store.close();
    }
  }
}
