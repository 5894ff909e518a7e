package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.server.HeraldServer;
import dev.herald.server.LogGatewayStore;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with the CloudEvents Java SDK: its HTTP binding writes binary and structured requests
 * that the gateway stores, and its JSON format reads back what the gateway serves ({@link
 * EventJson}).
 */
class PublishInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static LogGatewayStore store;
  private static HeraldServer server;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    store = LogGatewayStore.open(dir);
    server = HeraldServer.builder(store).port(0).start();
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  // ASCII attributes: the SDK's basic HTTP writer sends header values as they are, without the
  // percent-encoding the binding asks for non-ASCII text (PublishApiTest covers decoding it).
  private static CloudEvent sdkEvent(String id) {
    return CloudEventBuilder.v1()
        .withId(id)
        .withType("order.placed")
        .withSource(URI.create("https://shop.example/orders"))
        .withTime(OffsetDateTime.parse("2026-03-04T05:06:07.890Z"))
        .withSubject("order 42")
        .withExtension("correlationid", "corr-1")
        .withData(
            "application/json", "{\"sku\":\"a-1\",\"qty\":3}".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static HttpResponse<String> post(Map<String, String> headers, byte[] body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.uri() + "/v1/events"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Event<?> stored(String id) throws InterruptedException {
    List<Event<?>> all = new ArrayList<>();
    store.transport().replay(all::add);
    return all.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
  }

  /** Reads back the gateway's JSON of the stored event with the SDK, and compares. */
  private static void assertRoundTrip(CloudEvent sent) throws Exception {
    Event<?> e = stored(sent.getId());
    EventFormat format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
    CloudEvent read = format.deserialize(EventJson.write(e).getBytes(StandardCharsets.UTF_8));
    assertThat(read.getId()).isEqualTo(sent.getId());
    assertThat(read.getType()).isEqualTo(sent.getType());
    assertThat(read.getSource()).isEqualTo(sent.getSource());
    assertThat(read.getTime().toInstant()).isEqualTo(sent.getTime().toInstant());
    assertThat(read.getSubject()).isEqualTo(sent.getSubject());
    assertThat(read.getExtension("correlationid")).isEqualTo("corr-1");
    assertThat(JSON.readTree(read.getData().toBytes()))
        .isEqualTo(JSON.readTree(sent.getData().toBytes()));
  }

  @Test
  void theSdksBinaryModeRequestIsStoredAndReadsBack() throws Exception {
    CloudEvent sent = sdkEvent("sdk-binary-1");
    Map<String, String> headers = new LinkedHashMap<>();
    AtomicReference<byte[]> body = new AtomicReference<>();
    HttpMessageFactory.createWriter(headers::put, body::set).writeBinary(sent);
    assertThat(headers).containsKey("ce-id");
    HttpResponse<String> r = post(headers, body.get());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertRoundTrip(sent);
  }

  @Test
  void theSdksStructuredModeRequestIsStoredAndReadsBack() throws Exception {
    CloudEvent sent = sdkEvent("sdk-structured-1");
    Map<String, String> headers = new LinkedHashMap<>();
    AtomicReference<byte[]> body = new AtomicReference<>();
    HttpMessageFactory.createWriter(headers::put, body::set)
        .writeStructured(sent, JsonFormat.CONTENT_TYPE);
    assertThat(headers.get("Content-Type")).startsWith("application/cloudevents+json");
    HttpResponse<String> r = post(headers, body.get());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertRoundTrip(sent);
  }
}
