package dev.herald.server;

import static dev.herald.server.TokenTestServer.ALL;
import static dev.herald.server.TokenTestServer.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed requests of every kind at every endpoint, from a seeded {@link Random} (the seed is in
 * each failure's message): random and invalid-UTF-8 bodies, broken and truncated JSON, invalid
 * CloudEvents attributes, wrong content types, heads over the limit, bad methods, bad query values,
 * and raw garbage or truncated requests on a socket. Each is sent with a token that may do
 * everything, so it reaches the endpoint. Every answer must be a 4xx (a raw request may also be
 * closed without one), never a 5xx; afterwards the server still serves and nothing was stored.
 */
class MalformedRequestFuzzTest {
  private static final long SEED = 0x4E52_4C44_2026L;
  private static final int HTTP_CASES = 480;
  private static final int RAW_CASES = 150;
  private static final int MAX_BODY = 64 << 10;
  private static final int MAX_HEAD = 8 << 10;

  private static final String EVENT =
      "{\"specversion\":\"1.0\",\"id\":\"f-1\",\"source\":\"/fuzz\",\"type\":\"order.placed\","
          + "\"datacontenttype\":\"application/json\",\"data\":{\"n\":1}}";

  /** Paths of every endpoint; those of the POST ones come first. */
  private static final List<String> POST_PATHS =
      List.of(
          "/v1/events",
          "/v1/subscriptions",
          "/v1/deadletters/0/redrive",
          "/v1/deadletters/redrive?group=g");

  private static final List<String> GET_PATHS =
      List.of(
          "/v1/events/stream",
          "/v1/subscriptions",
          "/v1/subscriptions/x",
          "/v1/groups",
          "/v1/deadletters",
          "/v1/deadletters/0",
          "/v1/stats",
          "/v1/health",
          "/v1/health/live",
          "/v1/health/ready",
          "/");

  /** Bad values for the query parameters the endpoints read. */
  private static final List<String> BAD_VALUES =
      List.of(
          "",
          " ",
          "..",
          "a..b",
          "order.pl*",
          "-1",
          "abc",
          "1e99",
          "99999999999999999999999",
          "NaN",
          "\u0000",
          "\uFFFF",
          "é".repeat(300),
          "x".repeat(5000),
          "<script>",
          "order.*\n",
          "'; DROP TABLE");

  /** Charsets that Java does not know, or names that are not charset names at all. */
  private static final List<String> BAD_CHARSETS =
      List.of("nope", "@@", "\"nope\"", "utf-8x", "x".repeat(300));

  @TempDir static Path dir;
  private static TokenTestServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        TokenTestServer.start(
            dir,
            new ServerLimits(
                MAX_BODY,
                MAX_HEAD,
                Duration.ofSeconds(5),
                Duration.ofSeconds(15),
                Duration.ofSeconds(3),
                64),
            List.of());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void malformedHttpRequestsAreAnswered4xxAndNothingIsStored() throws Exception {
    long end = server.logEnd();
    Random random = new Random(SEED);
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (int i = 0; i < HTTP_CASES; i++) {
      HttpRequest request = httpCase(random);
      String described = "case " + i + " (seed " + SEED + "): " + describe(request);
      HttpResponse<String> r;
      try {
        r =
            server
                .http
                .sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new AssertionError(described + " failed: " + e.getCause(), e);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError(described + " got no answer within 10 s", e);
      }
      statuses.merge(r.statusCode(), 1, Integer::sum);
      assertThat(r.statusCode()).as(described + " answered " + r.body()).isBetween(400, 499);
    }
    System.out.println("MalformedRequestFuzzTest HTTP answers by status: " + statuses);
    assertStillServingAndNothingStored(end);
  }

  @Test
  void rawGarbageAndTruncatedRequestsAreAnswered4xxOrClosed() throws Exception {
    long end = server.logEnd();
    Random random = new Random(SEED + 1);
    Map<String, Integer> answers = new TreeMap<>();
    for (int i = 0; i < RAW_CASES; i++) {
      byte[] request = rawCase(random);
      String described = "raw case " + i + " (seed " + (SEED + 1) + "): " + printable(request);
      String status = server.raw(request);
      answers.merge(
          status == null ? "closed" : status.substring(0, Math.min(12, status.length())),
          1,
          Integer::sum);
      if (status != null) {
        assertThat(status).as(described).matches("HTTP/1\\.[01] 4\\d\\d.*");
      }
    }
    System.out.println("MalformedRequestFuzzTest raw answers: " + answers);
    assertStillServingAndNothingStored(end);
  }

  /**
   * A charset Java does not know (or cannot name) in a request's {@code Content-Type} is a 415 at
   * every endpoint, body or not: Jetty throws on such a charset when asked for the content type.
   */
  @Test
  void anUnknownOrIllegalCharsetIsA415AtEveryEndpoint() throws Exception {
    long end = server.logEnd();
    List<String> paths = new ArrayList<>(POST_PATHS);
    for (String charset : BAD_CHARSETS) {
      for (String media :
          List.of("application/json", "application/cloudevents+json", "text/plain")) {
        for (String path : paths) {
          HttpResponse<String> r =
              server.send(post(null, path, media + "; charset=" + charset, "{}".getBytes()));
          assertThat(r.statusCode())
              .as("POST " + path + " " + media + "; charset=" + charset + ": " + r.body())
              .isEqualTo(415);
        }
      }
      for (String path : List.of("/v1/groups", "/v1/deadletters", "/v1/subscriptions")) {
        HttpResponse<String> r =
            server.send(
                request(path)
                    .header("Content-Type", "application/json; charset=" + charset)
                    .build());
        assertThat(r.statusCode()).as("GET " + path + " charset=" + charset).isEqualTo(415);
      }
    }
    assertStillServingAndNothingStored(end);
  }

  /** A malformed percent-escape in a query parameter is a 400 naming it, never dropped. */
  @Test
  void aMalformedPercentEscapeInAQueryParameterIsA400NamingIt() throws Exception {
    String[][] cases = {
      {"/v1/events/stream?types=order.*&group=%zz", "group"},
      {"/v1/events/stream?types=order.*&group=g%", "group"},
      {"/v1/events/stream?types=order.*&from=%zz", "from"},
      {"/v1/events/stream?types=order.*&lastEventId=1%z", "lastEventId"},
      {"/v1/events/stream?types=%zz", "types"},
      {"/v1/events/stream?types=order.*&limit=%zz", "limit"},
      {"/v1/deadletters?group=%zz", "group"},
      {"/v1/deadletters?group=g&limit=%g1", "limit"},
    };
    for (String[] c : cases) {
      String answer =
          server.rawGet(c[0], "Authorization: Bearer " + ALL + "\r\nAccept: text/event-stream\r\n");
      assertThat(answer).as(c[0]).startsWith("HTTP/1.1 400");
      assertThat(answer).as(c[0]).contains("\"attribute\":\"" + c[1] + "\"");
    }
  }

  private static void assertStillServingAndNothingStored(long end) throws Exception {
    HttpResponse<String> r =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/nowhere"))
                .header("Authorization", "Bearer " + ALL)
                .build());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(server.logEnd()).as("the log's end offset").isEqualTo(end);
  }

  private static HttpRequest httpCase(Random random) {
    int kind = random.nextInt(14);
    return switch (kind) {
      case 0 -> publish(random, "application/cloudevents+json", garbage(random));
      case 1 -> publish(random, "application/cloudevents+json", truncated(random, EVENT));
      case 2 -> publish(random, "application/cloudevents+json", invalidEvent(random));
      case 3 -> publish(random, "application/cloudevents-batch+json", badBatch(random));
      case 4 -> binary(random);
      case 5 -> publish(random, wrongContentType(random), EVENT.getBytes(StandardCharsets.UTF_8));
      case 6 -> post(random, "/v1/subscriptions", "application/json", badSubscription(random));
      case 7 -> badQuery(random);
      case 8 -> badMethod(random);
      case 9 -> hugeHead(random);
      case 10 -> publish(random, "application/cloudevents+json", new byte[MAX_BODY - 1]);
      case 11 -> badPosition(random);
      case 12 ->
          post(
              random,
              POST_PATHS.get(random.nextInt(POST_PATHS.size())),
              randomContentType(random)
                  + "; charset="
                  + BAD_CHARSETS.get(random.nextInt(BAD_CHARSETS.size())),
              random.nextBoolean() ? EVENT.getBytes(StandardCharsets.UTF_8) : garbage(random));
      default ->
          // The endpoints that read a body (the redrives take none, and ignore one).
          post(
              random,
              random.nextBoolean() ? "/v1/events" : "/v1/subscriptions",
              randomContentType(random),
              garbage(random));
    };
  }

  private static HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(server.uri(pathAndQuery))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + ALL);
  }

  private static HttpRequest publish(Random random, String contentType, byte[] body) {
    return post(random, "/v1/events", contentType, body);
  }

  private static HttpRequest post(Random random, String path, String contentType, byte[] body) {
    return request(path)
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  /** Bytes that are never JSON: random, starting with a byte JSON cannot start with. */
  private static byte[] garbage(Random random) {
    byte[] b = new byte[1 + random.nextInt(2048)];
    random.nextBytes(b);
    b[0] = (byte) (0x80 | random.nextInt(0x80));
    return b;
  }

  private static byte[] truncated(Random random, String json) {
    return json.substring(0, random.nextInt(json.length() - 1)).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] invalidEvent(Random random) {
    String[][] edits = {
      {"\"specversion\":\"1.0\"", "\"specversion\":\"0.3\""},
      {"\"specversion\":\"1.0\",", ""},
      {"\"id\":\"f-1\"", "\"id\":\"\""},
      {"\"id\":\"f-1\"", "\"id\":\"" + "x".repeat(200) + "\""},
      {"\"id\":\"f-1\"", "\"id\":42"},
      {"\"id\":\"f-1\",", ""},
      {"\"source\":\"/fuzz\"", "\"source\":\"\""},
      {"\"source\":\"/fuzz\"", "\"source\":\"::not a uri\""},
      {"\"type\":\"order.placed\"", "\"type\":\"order..placed\""},
      {"\"type\":\"order.placed\"", "\"type\":\"order.*\""},
      {"\"type\":\"order.placed\"", "\"type\":\"\""},
      {"\"type\":\"order.placed\"", "\"type\":null"},
      {"\"type\":\"order.placed\",", ""},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1},\"time\":\"yesterday\""},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1},\"time\":\"99999-01-01T00:00:00Z\""},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1},\"data_base64\":\"AAAA\""},
      {"\"data\":{\"n\":1}", "\"data_base64\":\"not base64!\""},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1},\"BadExt\":\"x\""},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1},\"waytoolongextensionname1\":\"x\""},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1},\"ext\":{\"nested\":1}"},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1},\"ext\":1.5e400"},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1},\"ext\":12345678901234567890"},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1}} trailing garbage"},
      {"\"data\":{\"n\":1}", "\"data\":{\"n\":1}} {}"},
      {"\"datacontenttype\":\"application/json\"", "\"datacontenttype\":\"application/xml\""},
    };
    String[] edit = edits[random.nextInt(edits.length)];
    String json = EVENT.replace(edit[0], edit[1]);
    if (random.nextInt(4) == 0) {
      // Invalid UTF-8 inside a string value.
      byte[] b = json.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int at = json.indexOf("/fuzz") + 1;
      out.write(b, 0, at);
      out.write(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF}, 0, 3);
      out.write(b, at, b.length - at);
      return out.toByteArray();
    }
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] badBatch(Random random) {
    String[] batches = {
      "{}",
      "\"x\"",
      "1",
      "null",
      "[",
      "[" + EVENT,
      "[" + EVENT + ",]",
      "]",
      "[" + EVENT + "] x",
      "[" + EVENT + "] []",
    };
    String batch = batches[random.nextInt(batches.length)];
    return batch.getBytes(StandardCharsets.UTF_8);
  }

  private static HttpRequest binary(Random random) {
    Map<String, String> headers = new TreeMap<>();
    headers.put("ce-specversion", "1.0");
    headers.put("ce-id", "b-" + random.nextInt(1000));
    headers.put("ce-source", "/fuzz");
    headers.put("ce-type", "order.placed");
    String[][] breaks = {
      {"ce-specversion", null},
      {"ce-specversion", "2.0"},
      {"ce-id", null},
      {"ce-id", ""},
      {"ce-id", "x".repeat(200)},
      {"ce-source", null},
      {"ce-source", "::bad"},
      {"ce-type", null},
      {"ce-type", "order..placed"},
      {"ce-type", "order.#"},
      {"ce-type", "é"},
      {"ce-time", "not-a-time"},
      {"ce-BadExtension_", "x"},
      {"ce-waytoolongextensionname1", "x"},
      {"ce-", "x"},
      // Valid attributes, the rest malformed: a Content-Type without a media type, and JSON
      // followed by more content (a value, garbage) or of white space only.
      {"Content-Type", ";"},
      {"Content-Type", "; charset=utf-8"},
      {"body", "{\"n\":1} this is not JSON"},
      {"body", "[1] ]"},
      {"body", "1 2"},
      {"body", " \r\n\t "},
    };
    String[] b = breaks[random.nextInt(breaks.length)];
    String contentType = "application/json";
    byte[] body = new byte[random.nextInt(512)];
    random.nextBytes(body);
    if (b[0].equals("Content-Type")) {
      contentType = b[1];
    } else if (b[0].equals("body")) {
      body = b[1].getBytes(StandardCharsets.UTF_8);
    } else if (b[1] == null) {
      headers.remove(b[0]);
    } else {
      headers.put(b[0], percentEncodedIfNeeded(b[1]));
    }
    HttpRequest.Builder r = request("/v1/events").header("Content-Type", contentType);
    headers.forEach(r::header);
    return r.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static String percentEncodedIfNeeded(String v) {
    // HttpClient sends header values as Latin-1 only.
    return v.chars().allMatch(c -> c < 0x7F) ? v : URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  private static String wrongContentType(Random random) {
    String[] types = {
      "text/plain",
      "application/xml",
      "application/cloudevents+xml",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "/",
      "garbage",
    };
    return types[random.nextInt(types.length)];
  }

  private static String randomContentType(Random random) {
    return random.nextBoolean() ? wrongContentType(random) : "application/json";
  }

  private static byte[] badSubscription(Random random) {
    String[] bodies = {
      "{}",
      "[]",
      "null",
      "{\"types\": \"order.*\"}",
      "{\"url\": \"http://127.0.0.1:9/h\"}",
      "{\"types\": \"order..x\", \"url\": \"http://127.0.0.1:9/h\"}",
      "{\"types\": \"order.*\", \"url\": \"not a url\"}",
      "{\"types\": \"order.*\", \"url\": \"ftp://127.0.0.1/h\"}",
      "{\"types\": \"order.*\", \"url\": \"javascript:alert(1)\"}",
      "{\"types\": \"order.*\", \"url\": \"http://127.0.0.1:9/h\", \"retry\": {\"maxAttempts\": -1}}",
      "{\"types\": \"order.*\", \"url\": \"http://127.0.0.1:9/h\", \"retry\": {\"backoffMillis\": \"x\"}}",
      "{\"types\": \"order.*\", \"url\": \"http://127.0.0.1:9/h\", \"group\": \"a b\"}",
      "{\"types\": 7, \"url\": \"http://127.0.0.1:9/h\"}",
      "{\"types\": \"order.*\", \"url\": \"http://127.0.0.1:9/h\"",
    };
    return bodies[random.nextInt(bodies.length)].getBytes(StandardCharsets.UTF_8);
  }

  private static HttpRequest badQuery(Random random) {
    String value =
        URLEncoder.encode(
            BAD_VALUES.get(random.nextInt(BAD_VALUES.size())), StandardCharsets.UTF_8);
    return switch (random.nextInt(7)) {
      // Some values ("abc", "-1") are valid types: ".." after them makes any a bad pattern.
      case 0 -> stream("types=" + value + "..");
      case 1 -> stream("types=order.*&from=" + value);
      case 2 -> stream("types=order.*&lastEventId=" + value + "x");
      case 3 -> stream("types=order.*&group=" + badGroup(random));
      case 4 -> request("/v1/deadletters?group=g&limit=" + value + "x").build();
      case 5 -> request("/v1/deadletters?group=" + badGroup(random)).build();
      default ->
          // A stream without Accept: text/event-stream is a 406.
          request("/v1/events/stream?types=order.*").header("Accept", "application/json").build();
    };
  }

  /** A group name is any 1 to 200 characters that are not all blank (core's rule). */
  private static String badGroup(Random random) {
    String[] groups = {"%20", "%09%20", "x".repeat(201), "y".repeat(5000)};
    return groups[random.nextInt(groups.length)];
  }

  /** Dead-letter positions that are not positions, and redrives without their group. */
  private static HttpRequest badPosition(Random random) {
    String[] positions = {"abc", "-1", "1.5", "x".repeat(300), "%F0%9F%99%82", "0x10"};
    String p = positions[random.nextInt(positions.length)];
    return switch (random.nextInt(4)) {
      case 0 -> request("/v1/deadletters/" + p).build();
      case 1 ->
          request("/v1/deadletters/" + p + "/redrive")
              .POST(HttpRequest.BodyPublishers.noBody())
              .build();
      case 2 ->
          request("/v1/deadletters/redrive").POST(HttpRequest.BodyPublishers.noBody()).build();
      default ->
          request("/v1/deadletters/redrive?group=" + badGroup(random))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build();
    };
  }

  private static HttpRequest stream(String query) {
    return request("/v1/events/stream?" + query).header("Accept", "text/event-stream").build();
  }

  private static HttpRequest badMethod(Random random) {
    String[] methods = {"PUT", "PATCH", "FOO", "PROPFIND", "DELETE"};
    List<String> paths = new ArrayList<>(GET_PATHS);
    paths.addAll(POST_PATHS);
    paths.remove("/v1/subscriptions/x"); // DELETE is its method
    String method = methods[random.nextInt(methods.length)];
    String path = paths.get(random.nextInt(paths.size()));
    byte[] body = new byte[random.nextInt(64)];
    random.nextBytes(body);
    return request(path).method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static HttpRequest hugeHead(Random random) {
    List<String> paths = new ArrayList<>(GET_PATHS);
    paths.addAll(POST_PATHS);
    String path = paths.get(random.nextInt(paths.size()));
    return request(path).header("X-Huge", "h".repeat(MAX_HEAD + random.nextInt(MAX_HEAD))).build();
  }

  private static byte[] rawCase(Random random) {
    String auth = "Authorization: Bearer " + ALL + "\r\n";
    String event = EVENT;
    return switch (random.nextInt(13)) {
      case 12 -> {
        // A body over the limit (the server may answer before it has read it all, then close).
        byte[] body = new byte[MAX_BODY + 1 + random.nextInt(MAX_BODY)];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(
            ascii(
                "POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                    + auth
                    + "Content-Type: application/cloudevents+json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n"));
        out.writeBytes(body);
        yield out.toByteArray();
      }
      case 0 -> {
        byte[] b = new byte[1 + random.nextInt(4096)];
        random.nextBytes(b);
        yield b;
      }
      case 1 -> ascii("GET /v1/hea");
      case 2 ->
          ascii(
              "POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                  + auth
                  + "Content-Type: application/cloudevents+json\r\nContent-Length: "
                  + event.length()
                  + "\r\n\r\n"
                  + event.substring(0, random.nextInt(event.length() - 1)));
      case 3 -> ascii("GET /v1/groups HTTP/9.9\r\nHost: x\r\n" + auth + "\r\n");
      case 4 -> ascii("GET /v1/groups HTTP/1.1\r\nHost: x\r\nNo colon here\r\n" + auth + "\r\n");
      case 5 ->
          ascii(
              "GET /v1/events/stream?types=%ZZ HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
                  + auth
                  + "\r\n");
      case 6 ->
          ascii(
              "POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                  + auth
                  + "Content-Type: application/cloudevents+json\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\nZZZ\r\n"
                  + event
                  + "\r\n0\r\n\r\n");
      case 7 ->
          ascii(
              "POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                  + auth
                  + "Content-Type: application/cloudevents+json\r\n"
                  + "Content-Length: "
                  + event.length()
                  + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + Integer.toHexString(event.length())
                  + "\r\n"
                  + event
                  + "\r\n0\r\n\r\n");
      case 8 ->
          ascii(
              "POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                  + auth
                  + "Content-Type: application/cloudevents+json\r\n"
                  + "Content-Length: "
                  + event.length()
                  + "\r\nContent-Length: "
                  + (event.length() + 1)
                  + "\r\n\r\n"
                  + event);
      case 9 -> ascii("GET /" + "a".repeat(MAX_HEAD + 10) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      case 10 -> ascii("GET /v1/groups HTTP/1.1\r\nHost: x\r\n" + auth + "X-Nul: a\u0000b\r\n\r\n");
      default -> {
        byte[] head =
            ascii(
                "GET /v1/deadletters/\u00ff\u00fe?group=\u00c3( HTTP/1.1\r\nHost: x\r\n"
                    + auth
                    + "\r\n");
        yield head;
      }
    };
  }

  private static String describe(HttpRequest r) {
    URI u = r.uri();
    String uri = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    if (uri.length() > 200) {
      uri = uri.substring(0, 200) + "...";
    }
    return r.method() + " " + uri + " " + r.headers().firstValue("Content-Type").orElse("");
  }

  private static String printable(byte[] b) {
    String s = new String(b, 0, Math.min(b.length, 200), StandardCharsets.ISO_8859_1);
    return s.chars().allMatch(c -> c >= 0x20 && c < 0x7F || c == '\r' || c == '\n')
        ? s.replace("\r\n", "\\r\\n")
        : HexFormat.of().formatHex(b, 0, Math.min(b.length, 64));
  }
}
