package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.Event;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/events} against a real server over a real log store. */
class PublishApiTest {
  private static final int MAX_BODY = 64 << 10;

  @TempDir static Path dir;
  private static PublishTestServer s;

  @BeforeAll
  static void start() throws Exception {
    s = new PublishTestServer(dir, ServerLimits.defaults().withMaxBodyBytes(MAX_BODY));
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }

  private static HttpRequest.Builder binary(String id, String type) {
    return s.post()
        .header("ce-specversion", "1.0")
        .header("ce-id", id)
        .header("ce-type", type)
        .header("ce-source", "/test");
  }

  private static String structured(String id, String type, String data) {
    return "{\"specversion\":\"1.0\",\"id\":\""
        + id
        + "\",\"type\":\""
        + type
        + "\",\"source\":\"/test\",\"data\":"
        + data
        + "}";
  }

  private static HttpResponse<String> postStructured(String body) throws Exception {
    return s.send(
        s.post()
            .header("Content-Type", "application/cloudevents+json")
            .POST(BodyPublishers.ofString(body))
            .build());
  }

  private static HttpResponse<String> postBatch(String body) throws Exception {
    return s.send(
        s.post()
            .header("Content-Type", "application/cloudevents-batch+json")
            .POST(BodyPublishers.ofString(body))
            .build());
  }

  private static void assertProblem(HttpResponse<String> r, int status, String attribute)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    JsonNode p = PublishTestServer.json(r);
    assertThat(p.path("status").asInt()).isEqualTo(status);
    if (attribute != null) {
      assertThat(p.path("attribute").asText()).as(r.body()).isEqualTo(attribute);
    }
  }

  @Test
  void binaryModeStoresJsonDataWithEveryAttribute() throws Exception {
    String id = newId();
    HttpResponse<String> r =
        s.send(
            binary(id, "order.placed")
                .header("ce-time", "2026-01-02T03:04:05.678Z")
                .header("ce-subject", "caf%C3%A9 %25")
                .header("ce-partitionkey", "customer-7")
                .header("ce-correlationid", "c-1")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"sku\":\"a-1\",\"qty\":2}"))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode answer = PublishTestServer.json(r);
    assertThat(answer.path("id").asText()).isEqualTo(id);
    long position = Long.parseLong(answer.path("position").asText());

    Event<?> e = s.storedById(id).orElseThrow();
    assertThat(e.type()).isEqualTo("order.placed");
    assertThat(e.source()).isEqualTo("/test");
    assertThat(e.time()).isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z"));
    assertThat(e.subject()).isEqualTo("café %");
    assertThat(e.key()).isEqualTo("customer-7");
    assertThat(e.correlationId()).isEqualTo("c-1");
    assertThat(e.data()).isEqualTo(Map.of("sku", "a-1", "qty", 2));
    assertThat(position).isNotNegative();
  }

  @Test
  void binaryModeStoresTextAsAStringAndOtherTypesAsBytes() throws Exception {
    String text = newId();
    String bytes = newId();
    assertThat(
            s.send(
                    binary(text, "note.written")
                        .header("Content-Type", "text/plain; charset=utf-8")
                        .POST(BodyPublishers.ofString("héllo"))
                        .build())
                .statusCode())
        .isEqualTo(202);
    byte[] blob = {0, 1, 2, (byte) 0xff};
    assertThat(
            s.send(
                    binary(bytes, "blob.written")
                        .header("Content-Type", "application/octet-stream")
                        .POST(BodyPublishers.ofByteArray(blob))
                        .build())
                .statusCode())
        .isEqualTo(202);
    Event<?> t = s.storedById(text).orElseThrow();
    assertThat(t.data()).isEqualTo("héllo");
    assertThat(t.dataContentType()).isEqualTo("text/plain; charset=utf-8");
    assertThat(s.storedById(bytes).orElseThrow().data()).isEqualTo(blob);
  }

  @Test
  void structuredModeStoresTheEvent() throws Exception {
    String id = newId();
    HttpResponse<String> r = postStructured(structured(id, "order.placed", "{\"sku\":\"s\"}"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(PublishTestServer.json(r).path("id").asText()).isEqualTo(id);
    assertThat(s.storedById(id).orElseThrow().data()).isEqualTo(Map.of("sku", "s"));
  }

  @Test
  void aBatchIsStoredInOrderAndAnsweredPerEvent() throws Exception {
    String a = newId();
    String b = newId();
    HttpResponse<String> r =
        postBatch(
            "["
                + structured(a, "order.placed", "1")
                + ","
                + structured(b, "order.placed", "2")
                + "]");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode results = PublishTestServer.json(r).path("results");
    assertThat(results).hasSize(2);
    assertThat(results.get(0).path("id").asText()).isEqualTo(a);
    assertThat(results.get(0).path("status").asInt()).isEqualTo(202);
    assertThat(results.get(1).path("index").asInt()).isEqualTo(1);
    assertThat(Long.parseLong(results.get(1).path("position").asText()))
        .isGreaterThan(Long.parseLong(results.get(0).path("position").asText()));
    List<String> ids = s.stored().stream().map(Event::id).toList();
    assertThat(ids.indexOf(b)).isGreaterThan(ids.indexOf(a));
  }

  @Test
  void aBadEventInTheMiddleOfABatchIsRefusedAloneWith207() throws Exception {
    String a = newId();
    String bad = newId();
    String c = newId();
    String badEvent = "{\"specversion\":\"1.0\",\"id\":\"" + bad + "\",\"type\":\"order.placed\"}";
    HttpResponse<String> r =
        postBatch(
            "["
                + structured(a, "order.placed", "1")
                + ","
                + badEvent
                + ",\"not an object\","
                + structured(c, "order.placed", "3")
                + "]");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(207);
    JsonNode results = PublishTestServer.json(r).path("results");
    assertThat(results).hasSize(4);
    assertThat(results.get(0).path("status").asInt()).isEqualTo(202);
    assertThat(results.get(1).path("status").asInt()).isEqualTo(400);
    assertThat(results.get(1).path("id").asText()).isEqualTo(bad);
    assertThat(results.get(1).path("attribute").asText()).isEqualTo("source");
    assertThat(results.get(1).path("detail").asText()).isNotEmpty();
    assertThat(results.get(2).path("status").asInt()).isEqualTo(400);
    assertThat(results.get(3).path("status").asInt()).isEqualTo(202);
    assertThat(s.storedById(a)).isPresent();
    assertThat(s.storedById(bad)).isEmpty();
    assertThat(s.storedById(c)).isPresent();
  }

  @Test
  void anInvalidBinaryEventIsA400NamingTheAttribute() throws Exception {
    record Case(HttpRequest.Builder request, String attribute) {}
    List<Case> cases =
        List.of(
            new Case(
                s.post()
                    .header("ce-specversion", "1.0")
                    .header("ce-type", "t")
                    .header("ce-source", "/s"),
                "id"),
            new Case(
                s.post()
                    .header("ce-specversion", "1.0")
                    .header("ce-id", "1")
                    .header("ce-source", "/s"),
                "type"),
            new Case(
                s.post()
                    .header("ce-specversion", "1.0")
                    .header("ce-id", "1")
                    .header("ce-type", "t"),
                "source"),
            new Case(
                s.post().header("ce-id", "1").header("ce-type", "t").header("ce-source", "/s"),
                "specversion"),
            new Case(binary("1", "t").setHeader("ce-specversion", "0.3"), "specversion"),
            new Case(binary("1", "t").setHeader("ce-source", "a b"), "source"),
            new Case(binary("1", " "), "type"),
            new Case(binary("", "t"), "id"),
            new Case(binary("1", "t").header("ce-time", "yesterday"), "time"),
            new Case(binary("1", "t").header("ce-time", "10000-01-01T00:00:00Z"), "time"),
            new Case(
                binary("1", "t").header("ce-thisnameistoolongforanextension", "x"),
                "thisnameistoolongforanextension"),
            new Case(binary("1", "t").header("ce-bad_name", "x"), "bad_name"),
            new Case(binary("1", "t").header("ce-subject", "%zz"), "subject"),
            new Case(binary("1", "t").header("Content-Type", "application/json"), "data"));
    for (Case c : cases) {
      HttpResponse<String> r =
          s.send(
              c.request
                  .POST(BodyPublishers.ofString(c.attribute.equals("data") ? "{nope" : ""))
                  .build());
      assertProblem(r, 400, c.attribute);
    }
    assertThat(s.storedById("1")).isEmpty();
  }

  @Test
  void anInvalidStructuredEventIsA400NamingTheAttribute() throws Exception {
    assertProblem(
        postStructured("{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/s\"}"), 400, "type");
    assertProblem(
        postStructured(
            "{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"t\",\"source\":\"/s\","
                + "\"time\":\"never\"}"),
        400,
        "time");
    assertProblem(
        postStructured(
            "{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"t\",\"source\":\"/s\","
                + "\"Bad\":\"x\"}"),
        400,
        "Bad");
    assertProblem(postStructured("{\"specversion\":"), 400, null);
    assertProblem(postStructured("[]"), 400, null);
    assertProblem(postBatch("{}"), 400, null);
    assertProblem(postBatch("[{"), 400, null);
  }

  @Test
  void heraldsOwnTypesCannotBePublishedOverHttp() throws Exception {
    // A stored herald.webhook record would become a webhook at the next start, a stored
    // herald.deadletter.resolved mark would hide a dead letter: only the gateway writes those.
    for (String type :
        List.of("herald.webhook", "herald.deadletter.resolved", "herald.deadletter")) {
      String id = newId();
      HttpResponse<String> r = s.send(binary(id, type).POST(BodyPublishers.ofString("{}")).build());
      assertProblem(r, 403, "type");
      assertThat(s.storedById(id)).isEmpty();
    }
  }

  @Test
  void aPrincipalThatMayNotPublishTheTypeGets403PerEvent() throws Exception {
    HttpResponse<String> single =
        s.send(
            binary(newId(), "payment.made")
                .setHeader("Authorization", "Bearer orders")
                .POST(BodyPublishers.noBody())
                .build());
    assertProblem(single, 403, "type");
    String ok = newId();
    String refused = newId();
    HttpResponse<String> batch =
        s.send(
            s.post()
                .setHeader("Authorization", "Bearer orders")
                .header("Content-Type", "application/cloudevents-batch+json")
                .POST(
                    BodyPublishers.ofString(
                        "["
                            + structured(ok, "order.placed", "1")
                            + ","
                            + structured(refused, "payment.made", "2")
                            + "]"))
                .build());
    assertThat(batch.statusCode()).isEqualTo(207);
    JsonNode results = PublishTestServer.json(batch).path("results");
    assertThat(results.get(0).path("status").asInt()).isEqualTo(202);
    assertThat(results.get(1).path("status").asInt()).isEqualTo(403);
    assertThat(s.storedById(ok)).isPresent();
    assertThat(s.storedById(refused)).isEmpty();
  }

  @Test
  void withoutATokenThePublishIs401() throws Exception {
    HttpResponse<String> r =
        s.send(
            binary(newId(), "order.placed")
                .setHeader("Authorization", "Bearer nobody")
                .POST(BodyPublishers.noBody())
                .build());
    assertProblem(r, 401, null);
  }

  @Test
  void aBodyOverTheLimitIs413EvenWithoutAContentLength() throws Exception {
    byte[] big = new byte[MAX_BODY + 1];
    HttpResponse<String> declared =
        s.send(
            binary(newId(), "blob.big")
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofByteArray(big))
                .build());
    assertProblem(declared, 413, null);
    // A chunked body: no Content-Length to trust.
    HttpResponse<String> chunked =
        s.send(
            binary(newId(), "blob.big")
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build());
    assertProblem(chunked, 413, null);
    StringBuilder batch = new StringBuilder("[");
    while (batch.length() <= MAX_BODY) {
      batch.append(structured(newId(), "order.placed", "1")).append(',');
    }
    batch.setLength(batch.length() - 1);
    assertProblem(postBatch(batch.append(']').toString()), 413, null);
    // and the server keeps serving
    assertThat(
            s.send(binary(newId(), "order.placed").POST(BodyPublishers.noBody()).build())
                .statusCode())
        .isEqualTo(202);
  }

  @Test
  void anUnknownStructuredOrBatchFormatIs415() throws Exception {
    for (String type :
        List.of("application/cloudevents+xml", "application/cloudevents-batch+avro")) {
      HttpResponse<String> r =
          s.send(
              s.post()
                  .header("Content-Type", type)
                  .POST(BodyPublishers.ofString("<event/>"))
                  .build());
      assertProblem(r, 415, null);
    }
  }

  @Test
  void aStoreThatPushesBackIs429WithRetryAfterAndAFailedStoreIs503() throws Exception {
    HttpResponse<String> busy =
        s.send(binary(newId(), PublishTestServer.BUSY).POST(BodyPublishers.noBody()).build());
    assertProblem(busy, 429, null);
    assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
    HttpResponse<String> down =
        s.send(binary(newId(), PublishTestServer.DOWN).POST(BodyPublishers.noBody()).build());
    assertProblem(down, 503, null);

    HttpResponse<String> batch =
        postBatch(
            "["
                + structured(newId(), PublishTestServer.BUSY, "1")
                + ","
                + structured(newId(), "order.placed", "2")
                + ","
                + structured(newId(), PublishTestServer.DOWN, "3")
                + "]");
    assertThat(batch.statusCode()).isEqualTo(207);
    assertThat(batch.headers().firstValue("Retry-After")).hasValue("1");
    JsonNode results = PublishTestServer.json(batch).path("results");
    assertThat(results.get(0).path("status").asInt()).isEqualTo(429);
    assertThat(results.get(1).path("status").asInt()).isEqualTo(202);
    assertThat(results.get(2).path("status").asInt()).isEqualTo(503);
  }

  @Test
  void whatWasStoredAndRefusedIsCountedInTheStats() throws Exception {
    String type = "stats.counted";
    assertThat(s.send(binary(newId(), type).POST(BodyPublishers.noBody()).build()).statusCode())
        .isEqualTo(202);
    assertThat(
            s.send(
                    binary(newId(), "t")
                        .setHeader("ce-specversion", "0.3")
                        .POST(BodyPublishers.noBody())
                        .build())
                .statusCode())
        .isEqualTo(400);
    HttpResponse<String> r =
        s.send(
            HttpRequest.newBuilder(java.net.URI.create(s.server.uri() + "/v1/stats"))
                .header("Authorization", "Bearer all")
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode stats = PublishTestServer.json(r);
    assertThat(stats.path("storedByType").path(type).asLong()).isEqualTo(1);
    assertThat(stats.path("gateway").path("publish.stored").asLong()).isPositive();
    assertThat(stats.path("gateway").path("publish.refused.400").asLong()).isPositive();
  }

  @Test
  void malformedPercentEncodingAndBinaryBodiesNeverGive5xx() throws Exception {
    byte[] garbage = "\u0000\u00ff{[\"".getBytes(StandardCharsets.ISO_8859_1);
    for (String type :
        List.of(
            "application/json",
            "application/cloudevents+json",
            "application/cloudevents-batch+json",
            "text/plain; charset=nonesuch",
            "application/cloudevents+json; charset=utf-8")) {
      HttpResponse<String> r =
          s.send(
              binary(newId(), "order.placed")
                  .header("Content-Type", type)
                  .POST(BodyPublishers.ofByteArray(garbage))
                  .build());
      assertThat(r.statusCode()).as(type + ": " + r.body()).isBetween(400, 499);
    }
  }

  /** A refusal's detail speaks CloudEvents, not Java: no class names. */
  private static void assertNoJavaInDetail(HttpResponse<String> r) throws Exception {
    assertThat(PublishTestServer.json(r).path("detail").asText())
        .as(r.body())
        .doesNotContain("java.", "[B", "LinkedHashMap", "Illegal base64");
  }

  @Test
  void aContentTypeWithoutAMediaTypeIsA400NamingTheDatacontenttype() throws Exception {
    for (String type : List.of(";", "; charset=utf-8")) {
      for (String body : List.of("x", "")) {
        HttpResponse<String> r =
            s.send(
                binary(newId(), "order.placed")
                    .header("Content-Type", type)
                    .POST(BodyPublishers.ofString(body))
                    .build());
        assertProblem(r, 400, "datacontenttype");
      }
    }
  }

  @Test
  void jsonDataWithContentAfterItOrOfWhitespaceOnlyIsA400() throws Exception {
    for (String body : List.of("{\"a\":1} this is not JSON", "   ", "[1] ]", "1 2", "\n")) {
      String id = newId();
      HttpResponse<String> r =
          s.send(
              binary(id, "order.tg")
                  .header("Content-Type", "application/json")
                  .POST(BodyPublishers.ofString(body))
                  .build());
      assertProblem(r, 400, "data");
      assertThat(s.storedById(id)).isEmpty();
    }
    String id = newId();
    assertProblem(
        postStructured(structured(id, "order.tg", "{}") + " trailing garbage"), 400, null);
    assertProblem(postStructured(structured(id, "order.tg", "{}") + " {}"), 400, null);
    assertProblem(postBatch("[" + structured(id, "order.tg", "1") + "] trailing"), 400, null);
    assertThat(s.storedById(id)).isEmpty();
  }

  @Test
  void anEmptyBodyIsAnEventWithoutDataWhateverItsContentType() throws Exception {
    for (String type : List.of("text/plain", "application/octet-stream", "application/json")) {
      String id = newId();
      HttpResponse<String> r =
          s.send(
              binary(id, "wh.empty")
                  .header("Content-Type", type)
                  .POST(BodyPublishers.noBody())
                  .build());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      Event<?> e = s.storedById(id).orElseThrow();
      assertThat(e.data()).as(type).isNull();
    }
  }

  @Test
  void structuredNonJsonDataIsStoredAsBinaryModeStoresIt() throws Exception {
    String xml = "<order id=\"1\"/>";
    String binaryId = newId();
    assertThat(
            s.send(
                    binary(binaryId, "order.xml")
                        .header("Content-Type", "application/xml")
                        .POST(BodyPublishers.ofString(xml))
                        .build())
                .statusCode())
        .isEqualTo(202);
    String structuredId = newId();
    HttpResponse<String> r =
        postStructured(
            "{\"specversion\":\"1.0\",\"id\":\""
                + structuredId
                + "\",\"type\":\"order.xml\",\"source\":\"/test\","
                + "\"datacontenttype\":\"application/xml\",\"data\":\"<order id=\\\"1\\\"/>\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String batchId = newId();
    HttpResponse<String> batch =
        postBatch(
            "[{\"specversion\":\"1.0\",\"id\":\""
                + batchId
                + "\",\"type\":\"order.xml\",\"source\":\"/test\","
                + "\"datacontenttype\":\"application/xml\",\"data\":\"<a/>\"}]");
    assertThat(batch.statusCode()).as(batch.body()).isEqualTo(202);
    // Text in data_base64, in the charset its type names.
    String textId = newId();
    HttpResponse<String> text =
        postStructured(
            "{\"specversion\":\"1.0\",\"id\":\""
                + textId
                + "\",\"type\":\"order.txt\",\"source\":\"/test\","
                + "\"datacontenttype\":\"text/plain; charset=ISO-8859-1\",\"data_base64\":\"aOls\"}");
    assertThat(text.statusCode()).as(text.body()).isEqualTo(202);

    assertThat((byte[]) s.storedById(structuredId).orElseThrow().data())
        .isEqualTo((byte[]) s.storedById(binaryId).orElseThrow().data())
        .isEqualTo(xml.getBytes(StandardCharsets.UTF_8));
    assertThat((byte[]) s.storedById(batchId).orElseThrow().data())
        .isEqualTo("<a/>".getBytes(StandardCharsets.UTF_8));
    assertThat(s.storedById(textId).orElseThrow().data()).isEqualTo("hél");
  }

  @Test
  void structuredDataThatIsNotOfItsTypeIsA400InCloudEventsTerms() throws Exception {
    HttpResponse<String> object =
        postStructured(
            "{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"order.xml\",\"source\":\"/s\","
                + "\"datacontenttype\":\"application/xml\",\"data\":{\"a\":1}}");
    assertProblem(object, 400, "data");
    assertNoJavaInDetail(object);
    assertThat(PublishTestServer.json(object).path("detail").asText()).contains("JSON string");
    HttpResponse<String> base64 =
        postStructured(
            "{\"specversion\":\"1.0\",\"id\":\"b\",\"type\":\"a.b\",\"source\":\"/s\","
                + "\"data_base64\":\"!!!\"}");
    assertProblem(base64, 400, "data_base64");
    assertNoJavaInDetail(base64);
    HttpResponse<String> notString =
        postStructured(
            "{\"specversion\":\"1.0\",\"id\":\"b\",\"type\":\"a.b\",\"source\":\"/s\","
                + "\"datacontenttype\":\"image/png\",\"data_base64\":42}");
    assertProblem(notString, 400, "data_base64");
    assertThat(s.storedById("x")).isEmpty();
    assertThat(s.storedById("b")).isEmpty();
  }

  @Test
  void aStructuredExtensionNumberMustBeACloudEventsInteger() throws Exception {
    for (String n :
        List.of("1.5e400", "123456789012345678901234567890", "2147483648", "-2147483649", "1.5")) {
      HttpResponse<String> r =
          postStructured(
              "{\"specversion\":\"1.0\",\"id\":\"n\",\"type\":\"a.b\",\"source\":\"/s\","
                  + "\"ext\":"
                  + n
                  + "}");
      assertProblem(r, 400, "ext");
    }
    assertThat(s.storedById("n")).isEmpty();
    String id = newId();
    HttpResponse<String> ok =
        postStructured(
            "{\"specversion\":\"1.0\",\"id\":\""
                + id
                + "\",\"type\":\"a.b\",\"source\":\"/s\",\"max\":2147483647,\"min\":-2147483648}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
    assertThat(s.storedById(id).orElseThrow().extensions())
        .containsEntry("max", "2147483647")
        .containsEntry("min", "-2147483648");
  }

  @Test
  void anEventUnderTheBodyLimitButOverTheStoresRecordLimitIs413() throws Exception {
    // The body fits; with its attributes the stored record does not (the log's limit is the body
    // limit here, as both are 1 MiB by default).
    String id = newId();
    HttpResponse<String> r =
        s.send(
            binary(id, "blob.big")
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofByteArray(new byte[MAX_BODY - 16]))
                .build());
    assertProblem(r, 413, null);
    assertThat(PublishTestServer.json(r).path("detail").asText()).contains("limit of " + MAX_BODY);
    assertThat(PublishTestServer.json(r).has("attribute")).isFalse();
    assertThat(s.storedById(id)).isEmpty();
  }
}
