package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import dev.herald.Herald;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import dev.herald.server.StreamTestClient.SseEvent;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/events/stream} without a group, against one server shared by the tests. */
class StreamTest {
  private static final Duration HEARTBEAT = Duration.ofMillis(200);

  @TempDir static Path dir;
  static GatewayStore store;
  static HeraldServer server;

  @BeforeAll
  static void start() throws Exception {
    store = LogGatewayStore.open(dir);
    server =
        HeraldServer.builder(store)
            .port(0)
            .limits(ServerLimits.defaults().withHeartbeat(HEARTBEAT))
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  static List<String> append(GatewayStore s, String type, int from, int n) {
    List<String> positions = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      positions.add(s.append(Event.of(type, "e-" + i)).join());
    }
    return positions;
  }

  static List<String> data(List<SseEvent> events) {
    return events.stream()
        .map(e -> e.data().replaceAll(".*\"data\":\"(e-[0-9]+)\".*", "$1"))
        .toList();
  }

  static List<String> expected(int from, int n) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add("e-" + i);
    }
    return out;
  }

  static HttpResponse<String> get(String pathAndQuery, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + pathAndQuery));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return StreamTestClient.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void eachEventCarriesItsPositionTypeAndStructuredJsonAndTheResponseTheStreamHeaders()
      throws Exception {
    try (StreamTestClient c =
        StreamTestClient.open(server.uri(), "/v1/events/stream?types=shape.*", Map.of())) {
      assertThat(c.response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
      assertThat(c.response.headers().firstValue("Cache-Control")).contains("no-cache");
      assertThat(c.response.headers().firstValue("X-Accel-Buffering")).contains("no");
      List<String> positions = append(store, "shape.made", 0, 1);
      append(store, "other.made", 0, 1);
      SseEvent e = c.next();
      assertThat(e.id()).isEqualTo(positions.get(0));
      assertThat(e.event()).isEqualTo("shape.made");
      assertThat(e.data())
          .startsWith("{\"specversion\":\"1.0\"")
          .contains("\"type\":\"shape.made\"", "\"data\":\"e-0\"");
      assertThat(c.retries.poll(10, TimeUnit.SECONDS)).isEqualTo(3000L);
      long streams =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(get("/v1/stats", "application/json").body())
              .path("streams")
              .asLong();
      assertThat(streams).as("the stats' gauge of open streams").isPositive();
      assertThat(c.events.poll(3 * HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS))
          .as("the other type is not streamed")
          .isNull();
    }
  }

  @Test
  void aClientThatReconnectsWithLastEventIdGetsEveryLaterEventOnceInOrder() throws Exception {
    List<SseEvent> first;
    try (StreamTestClient c =
        StreamTestClient.open(server.uri(), "/v1/events/stream?types=resume.*", Map.of())) {
      append(store, "resume.one", 0, 10);
      first = c.next(4);
    }
    append(store, "resume.one", 10, 5); // while disconnected
    String last = first.get(3).id();
    try (StreamTestClient c =
        StreamTestClient.open(
            server.uri(), "/v1/events/stream?types=resume.*", Map.of("Last-Event-ID", last))) {
      append(store, "resume.one", 15, 3);
      List<SseEvent> rest = c.next(14);
      assertThat(data(first)).containsExactlyElementsOf(expected(0, 4));
      assertThat(data(rest)).containsExactlyElementsOf(expected(4, 14));
      assertThat(c.events.poll(3 * HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS)).isNull();
    }
    // The same from the query parameter, a browser's first connection.
    try (StreamTestClient c =
        StreamTestClient.open(
            server.uri(), "/v1/events/stream?types=resume.*&lastEventId=" + last, Map.of())) {
      assertThat(data(c.next(14))).containsExactlyElementsOf(expected(4, 14));
    }
  }

  @Test
  void fromEarliestReplaysTheStoreThenGoesLive() throws Exception {
    List<String> stored = append(store, "replay.one", 0, 3);
    try (StreamTestClient c =
        StreamTestClient.open(
            server.uri(), "/v1/events/stream?types=replay.*&from=earliest", Map.of())) {
      List<SseEvent> old = c.next(3);
      assertThat(old).extracting(SseEvent::id).containsExactlyElementsOf(stored);
      append(store, "replay.one", 3, 2);
      assertThat(data(c.next(2))).containsExactly("e-3", "e-4");
    }
  }

  @Test
  void aRequestThatDoesNotAcceptAnEventStreamIs406NotAnEmpty200() throws Exception {
    HttpResponse<String> none = get("/v1/events/stream?types=a.*", null);
    assertThat(none.statusCode()).isEqualTo(406);
    assertThat(none.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(get("/v1/events/stream?types=a.*", "application/json").statusCode()).isEqualTo(406);
  }

  @Test
  void anInvalidPatternOrPositionIs400NamingTheAttribute() throws Exception {
    HttpResponse<String> r = get("/v1/events/stream?types=a.b*", "text/event-stream");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"attribute\":\"types\"");
    assertThat(get("/v1/events/stream", "text/event-stream").statusCode()).isEqualTo(400);
    HttpResponse<String> pos =
        get("/v1/events/stream?types=a.*&lastEventId=12x", "text/event-stream");
    assertThat(pos.statusCode()).isEqualTo(400);
    assertThat(pos.body()).contains("\"attribute\":\"lastEventId\"");
    HttpResponse<String> beyond =
        get("/v1/events/stream?types=a.*&from=99999999", "text/event-stream");
    assertThat(beyond.statusCode()).isEqualTo(400);
    assertThat(beyond.body()).contains("\"attribute\":\"from\"");
  }

  @Test
  void aLimitEndsTheStreamOnceThatManyEventsWereWritten() throws Exception {
    append(store, "limit.old", 0, 3);
    try (StreamTestClient c =
        StreamTestClient.open(
            server.uri(), "/v1/events/stream?types=limit.old&from=earliest&limit=2", Map.of())) {
      assertThat(data(c.next(2))).containsExactly("e-0", "e-1");
      c.awaitEnd(); // read with the stream's own cursor: the third is never written
      assertThat(c.events).isEmpty();
    }
    try (StreamTestClient c =
        StreamTestClient.open(
            server.uri(), "/v1/events/stream?types=limit.live&limit=2", Map.of())) {
      // After a heartbeat the stream reads from the shared tail (its catch-up joined it long ago).
      assertThat(c.comments.poll(10, TimeUnit.SECONDS)).isEqualTo("heartbeat");
      append(store, "limit.live", 0, 3); // from the shared tail, in one batch or more
      assertThat(data(c.next(2))).containsExactly("e-0", "e-1");
      c.awaitEnd();
      assertThat(c.events).isEmpty();
    }
  }

  @Test
  void aLimitOtherThanAPositiveNumberUpToTheBoundIs400NamingLimit() throws Exception {
    for (String bad : List.of("0", "-1", "x", "", "1000001", "99999999999999999999")) {
      HttpResponse<String> r = get("/v1/events/stream?types=a.*&limit=" + bad, "text/event-stream");
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.body()).as(bad).contains("\"attribute\":\"limit\"");
    }
  }

  @Test
  void anIdleStreamGetsAHeartbeatComment() throws Exception {
    try (StreamTestClient c =
        StreamTestClient.open(server.uri(), "/v1/events/stream?types=quiet.*", Map.of())) {
      assertThat(c.comments.poll(10, TimeUnit.SECONDS)).isEqualTo("heartbeat");
      assertThat(c.comments.poll(10, TimeUnit.SECONDS)).isEqualTo("heartbeat");
    }
  }

  @Test
  void aPrincipalThatMayNotSubscribeIs403() throws Exception {
    Access access = new TestAccess(1);
    try (HeraldServer s = HeraldServer.builder(store).port(0).access(access).start()) {
      HttpResponse<String> r =
          StreamTestClient.HTTP.send(
              HttpRequest.newBuilder(URI.create(s.uri() + "/v1/events/stream?types=secret.*"))
                  .header("Accept", "text/event-stream")
                  .header("Authorization", "Bearer reader")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(403);
      try (StreamTestClient ok =
          StreamTestClient.open(
              s.uri(),
              "/v1/events/stream?types=open.*",
              Map.of("Authorization", "Bearer reader"))) {
        append(store, "open.one", 0, 1);
        assertThat(ok.next().event()).isEqualTo("open.one");
      }
    }
  }

  @Test
  void onePrincipalMayHoldOnlyItsLimitOfStreams() throws Exception {
    try (HeraldServer s =
        HeraldServer.builder(store)
            .port(0)
            .access(new TestAccess(2))
            .limits(ServerLimits.defaults().withSseConnectionsPerPrincipal(2))
            .start()) {
      Map<String, String> token = Map.of("Authorization", "Bearer reader");
      try (StreamTestClient a =
              StreamTestClient.open(s.uri(), "/v1/events/stream?types=open.*", token);
          StreamTestClient b =
              StreamTestClient.open(s.uri(), "/v1/events/stream?types=open.*", token)) {
        HttpResponse<String> third =
            StreamTestClient.HTTP.send(
                HttpRequest.newBuilder(URI.create(s.uri() + "/v1/events/stream?types=open.*"))
                    .header("Accept", "text/event-stream")
                    .header("Authorization", "Bearer reader")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(a.ended()).isFalse();
        assertThat(b.ended()).isFalse();
      }
    }
  }

  @Test
  void closingTheServerEndsItsStreams() throws Exception {
    HeraldServer s = HeraldServer.builder(store).port(0).start();
    try (StreamTestClient c =
        StreamTestClient.open(s.uri(), "/v1/events/stream?types=end.*", Map.of())) {
      s.close();
      c.awaitEnd();
    }
  }

  @Test
  void aPositionDeletedByRetentionStreamsFromTheEarliestAfterAGapEvent(@TempDir Path small)
      throws Exception {
    LogOptions options =
        LogOptions.builder().segmentBytes(1024).maxRecordBytes(1024).retentionBytes(2048).build();
    LogTransport t = LogTransport.builder(LogDirectory.open(small, options)).build();
    try (GatewayStore s = LogGatewayStore.over(t, Herald.builder().transport(t).build());
        HeraldServer srv = HeraldServer.builder(s).port(0).start()) {
      append(s, "old.one", 0, 200);
      t.log().flush().join(); // retention runs
      long start = t.log().startOffset();
      assertThat(start).isPositive();
      try (StreamTestClient c =
          StreamTestClient.open(
              srv.uri(), "/v1/events/stream?types=old.*", Map.of("Last-Event-ID", "3"))) {
        assertThat(c.response.headers().firstValue("Last-Event-ID")).contains("earliest");
        SseEvent gap = c.next();
        assertThat(gap.event()).isEqualTo("herald.gap");
        assertThat(gap.id()).isNull();
        assertThat(gap.data())
            .contains("\"requested\":\"3\"", "\"earliest\":\"" + start + "\"", "retention");
        assertThat(c.next().id()).isEqualTo(Long.toString(start));
      }
    }
  }

  @Test
  void afterARestartAClientResumesFromItsLastIdOnANewServerOverTheSameDirectory(@TempDir Path own)
      throws Exception {
    String last;
    try (GatewayStore s = LogGatewayStore.open(own);
        HeraldServer srv = HeraldServer.builder(s).port(0).start();
        StreamTestClient c =
            StreamTestClient.open(
                srv.uri(), "/v1/events/stream?types=rs.*&from=earliest", Map.of())) {
      append(s, "rs.one", 0, 5);
      last = c.next(3).get(2).id();
    }
    try (GatewayStore s = LogGatewayStore.open(own);
        HeraldServer srv = HeraldServer.builder(s).port(0).start();
        StreamTestClient c =
            StreamTestClient.open(
                srv.uri(), "/v1/events/stream?types=rs.*", Map.of("Last-Event-ID", last))) {
      append(s, "rs.one", 5, 2);
      assertThat(data(c.next(4))).containsExactly("e-3", "e-4", "e-5", "e-6");
    }
  }

  /** Token "reader": may subscribe to anything but secret.*; no other token. */
  static final class TestAccess implements Access {
    private final int unused;

    TestAccess(int unused) {
      this.unused = unused;
    }

    @Override
    public Optional<Principal> authenticate(String authorization) {
      if (!"Bearer reader".equals(authorization)) {
        return Optional.empty();
      }
      return Optional.of(
          new Principal() {
            @Override
            public String name() {
              return "reader" + unused;
            }

            @Override
            public boolean mayPublish(String type) {
              return false;
            }

            @Override
            public boolean maySubscribe(String pattern) {
              return !pattern.startsWith("secret");
            }

            @Override
            public boolean mayAdminister() {
              return false;
            }
          });
    }

    @Override
    public boolean required() {
      return true;
    }
  }

  /** The status of a stream request with this {@code Accept}; a stream that opens is closed. */
  private static int statusFor(String accept) throws Exception {
    HttpResponse<java.io.InputStream> r =
        StreamTestClient.HTTP.send(
            HttpRequest.newBuilder(URI.create(server.uri() + "/v1/events/stream?types=acc.x"))
                .header("Accept", accept)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    r.body().close();
    return r.statusCode();
  }

  @Test
  void acceptIsReadAsMediaRangesIgnoringCaseAndRefusingQualityZero() throws Exception {
    assertThat(statusFor("TEXT/EVENT-STREAM")).isEqualTo(200);
    assertThat(statusFor("Text/Event-Stream ; charset=utf-8")).isEqualTo(200);
    assertThat(statusFor("application/json, text/event-stream;q=0.5")).isEqualTo(200);
    assertThat(statusFor("text/event-stream;q=0")).isEqualTo(406);
    assertThat(statusFor("text/event-stream; Q=0.000")).isEqualTo(406);
    assertThat(statusFor("text/event-stream;q=0, application/json")).isEqualTo(406);
    // As documented: only the type itself asks for a stream.
    assertThat(statusFor("*/*")).isEqualTo(406);
    assertThat(statusFor("text/*")).isEqualTo(406);
  }

  /** The group rule is the webhooks' (and the tokens' patterns'): [A-Za-z0-9._-], 1 to 200. */
  @Test
  void aStreamTakesEveryGroupNameAWebhookTakes() throws Exception {
    for (String group : List.of("-dash", ".dot", "_x", "g".repeat(200))) {
      try (StreamTestClient c =
          StreamTestClient.tryOpen(
              server.uri(), "/v1/events/stream?types=gname.x&group=" + group, Map.of())) {
        assertThat(c).as(group).isNotNull();
      }
    }
    for (String group : List.of("g".repeat(201), "a%20b", "a*", "%C3%A9")) {
      HttpResponse<String> r =
          get("/v1/events/stream?types=gname.x&group=" + group, "text/event-stream");
      assertThat(r.statusCode()).as(group).isEqualTo(400);
      assertThat(r.body()).contains("\"attribute\":\"group\"", "1 to 200");
    }
  }
}
