package dev.herald.server;

import static dev.herald.server.TokenTestServer.ADMIN;
import static dev.herald.server.TokenTestServer.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Head size, body size and idle time limits, CORS, and the development notice. */
class LimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 4096;
  private static final int MAX_HEAD = 2048;
  private static final ServerLimits LIMITS =
      new ServerLimits(
          MAX_BODY,
          MAX_HEAD,
          Duration.ofMillis(500),
          Duration.ofSeconds(15),
          Duration.ofSeconds(3),
          16);

  @TempDir static Path dir;
  private static TokenTestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TokenTestServer.start(dir.resolve("limits"), LIMITS, List.of());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aHeadOverTheLimitIsA431Problem() throws Exception {
    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/health"))
                .header("X-Padding", "x".repeat(MAX_HEAD))
                .build());
    assertThat(r.statusCode()).isEqualTo(431);
    assertProblem(r, 431);
    // The server goes on serving.
    HttpResponse<String> next =
        server.send(HttpRequest.newBuilder(server.uri("/v1/nowhere")).build());
    assertThat(next.statusCode()).isEqualTo(401);
  }

  @Test
  void aHeadWithinTheLimitIsServed() throws Exception {
    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/nowhere"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("X-Padding", "x".repeat(MAX_HEAD / 2))
                .build());
    assertThat(r.statusCode()).isEqualTo(404);
  }

  @Test
  void aDeclaredBodyOverTheLimitIsA413BeforeItIsReadOrTheTokenChecked() throws Exception {
    // Only the head is sent: the answer comes without the body.
    String status =
        server.raw(
            ascii(
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: "
                    + (MAX_BODY + 1)
                    + "\r\n\r\n"));
    assertThat(status).startsWith("HTTP/1.1 413 ");

    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/subscriptions"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[MAX_BODY + 1]))
                .build());
    assertThat(r.statusCode()).isEqualTo(413);
    assertProblem(r, 413);
  }

  @Test
  void aRequestLineInAnHttpVersionOtherThan1xIsA400() throws Exception {
    // HTTP/2.0 was Jetty's 426 (an upgrade this server does not offer), the others its 505.
    for (String version : List.of("HTTP/2.0", "HTTP/2", "HTTP/3.0", "HTTP/9.9")) {
      String status = server.raw(ascii("GET /v1/health " + version + "\r\nHost: x\r\n\r\n"));
      assertThat(status).as(version).startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void aServerThatCannotListenSaysNothingOfDevelopmentMode() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (LogGatewayStore store = LogGatewayStore.open(dir.resolve("taken"))) {
      assertThatThrownBy(() -> HeraldServer.builder(store).port(server.server.port()).start())
          .isInstanceOf(IllegalStateException.class);
    } finally {
      System.setErr(stderr);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("development mode");
  }

  @Test
  void anIdleConnectionIsClosedByTheServer() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.server.port()), 5_000);
      // Far beyond the idle timeout of 500 ms: a read that ends is the server closing.
      s.setSoTimeout(20_000);
      InputStream in = s.getInputStream();
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  private static void assertProblem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    JsonNode p = JSON.readTree(r.body());
    assertThat(p.path("status").asInt()).isEqualTo(status);
    assertThat(p.path("title").asText()).isNotBlank();
  }

  /** CORS with one allowed origin. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OneOrigin {
    private TokenTestServer cors;

    @BeforeAll
    void start() throws Exception {
      cors =
          TokenTestServer.start(
              dir.resolve("cors"), ServerLimits.defaults(), List.of("https://shop.example"));
    }

    @AfterAll
    void stop() {
      cors.close();
    }

    @Test
    void aPreflightFromTheOriginIsAnsweredWithoutAToken() throws Exception {
      HttpResponse<String> r =
          cors.send(
              HttpRequest.newBuilder(cors.uri("/v1/events"))
                  .header("Origin", "https://shop.example")
                  .header("Access-Control-Request-Method", "POST")
                  .header(
                      "Access-Control-Request-Headers",
                      "authorization, content-type, ce-type, x-evil")
                  .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                  .build());
      assertThat(r.statusCode()).isEqualTo(204);
      assertThat(r.headers().firstValue("Access-Control-Allow-Origin"))
          .hasValue("https://shop.example");
      assertThat(r.headers().firstValue("Access-Control-Allow-Methods"))
          .hasValue("GET, POST, DELETE");
      assertThat(r.headers().firstValue("Access-Control-Allow-Headers"))
          .hasValue("authorization, content-type, ce-type");
      assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
      assertThat(r.headers().allValues("Vary")).contains("Origin");
    }

    @Test
    void aPreflightFromAnotherOriginIsRefused() throws Exception {
      HttpResponse<String> r =
          cors.send(
              HttpRequest.newBuilder(cors.uri("/v1/events"))
                  .header("Origin", "https://evil.example")
                  .header("Access-Control-Request-Method", "POST")
                  .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                  .build());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aRequestFromTheOriginMayBeReadAndOneFromAnotherMayNot() throws Exception {
      HttpResponse<String> allowed =
          cors.send(
              HttpRequest.newBuilder(cors.uri("/v1/nowhere"))
                  .header("Origin", "https://shop.example")
                  .build());
      assertThat(allowed.statusCode()).isEqualTo(401);
      assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
          .hasValue("https://shop.example");
      assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers").orElseThrow())
          .contains("WWW-Authenticate");

      HttpResponse<String> other =
          cors.send(
              HttpRequest.newBuilder(cors.uri("/v1/nowhere"))
                  .header("Origin", "https://evil.example")
                  .build());
      assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
  }

  @Test
  void withoutOriginsThereIsNoCorsAndAPreflightNeedsAToken() throws Exception {
    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/events"))
                .header("Origin", "https://shop.example")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void anyOriginIsStarWithoutCredentials() throws Exception {
    try (TokenTestServer any =
        TokenTestServer.start(dir.resolve("any"), ServerLimits.defaults(), List.of("*"))) {
      HttpResponse<String> r =
          any.send(
              HttpRequest.newBuilder(any.uri("/v1/health"))
                  .header("Origin", "https://anyone.example")
                  .build());
      assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
      assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }
  }

  @Test
  void anOriginThatIsNotOneIsRefusedAtStart() throws Exception {
    try (LogGatewayStore store = LogGatewayStore.open(dir.resolve("bad-origin"))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  HeraldServer.builder(store)
                      .port(0)
                      .corsOrigins(List.of("https://shop.example/path"))
                      .start())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("corsOrigins");
    }
  }

  @Test
  void withoutTokensTheServerWarnsThatItIsInDevelopmentMode() throws Exception {
    // The tests' SLF4J backend is slf4j-simple, which writes to the standard error of the moment.
    PrintStream stderr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (LogGatewayStore store = LogGatewayStore.open(dir.resolve("dev"));
        HeraldServer open = HeraldServer.builder(store).port(0).start()) {
      assertThat(open.uri().getHost()).isEqualTo("127.0.0.1");
    } finally {
      System.setErr(stderr);
    }
    assertThat(err.toString(StandardCharsets.UTF_8))
        .containsPattern("WARN dev\\.herald\\.server - development mode: no tokens.*--tokens");
  }
}
