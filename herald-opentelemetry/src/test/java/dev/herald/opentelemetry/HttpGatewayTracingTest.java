package dev.herald.opentelemetry;

import static dev.herald.opentelemetry.TestTracing.links;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import dev.herald.server.HeraldServer;
import dev.herald.server.LogGatewayStore;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trace context through the HTTP gateway: a client's {@code ce-traceparent} header (binary
 * mode), {@code traceparent} attribute (structured mode) or plain W3C {@code traceparent} header is
 * stored with the event, and a Java durable subscriber's process span links to it.
 */
class HttpGatewayTracingTest {
  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  final TestTracing tracing = new TestTracing();
  final HttpClient client = HttpClient.newHttpClient();
  @TempDir Path dir;

  @AfterEach
  void close() {
    tracing.close();
  }

  @Test
  void aDurableSubscriberLinksToTheTraceContextAClientSentOverHttp() throws Exception {
    try (LogGatewayStore store = LogGatewayStore.open(dir);
        HeraldServer server = HeraldServer.builder(store).port(0).start()) {
      URI events = URI.create(server.uri() + "/v1/events");
      post(
          HttpRequest.newBuilder(events)
              .header("ce-specversion", "1.0")
              .header("ce-id", "binary")
              .header("ce-type", "order.placed")
              .header("ce-source", "/curl")
              .header("ce-traceparent", traceparent("00000000000000b1"))
              .header("Content-Type", "application/json")
              .POST(BodyPublishers.ofString("{\"sku\":\"a-1\"}")));
      post(
          HttpRequest.newBuilder(events)
              .header("Content-Type", "application/cloudevents+json")
              .POST(
                  BodyPublishers.ofString(
                      "{\"specversion\":\"1.0\",\"id\":\"structured\",\"type\":\"order.placed\","
                          + "\"source\":\"/curl\",\"traceparent\":\""
                          + traceparent("00000000000000b2")
                          + "\",\"data\":{\"sku\":\"b-2\"}}")));
      post(
          HttpRequest.newBuilder(events)
              .header("ce-specversion", "1.0")
              .header("ce-id", "http-header")
              .header("ce-type", "order.placed")
              .header("ce-source", "/curl")
              .header("traceparent", traceparent("00000000000000b3"))
              .header("tracestate", "vendor=opaque")
              .header("Content-Type", "application/json")
              .POST(BodyPublishers.ofString("{\"sku\":\"c-3\"}")));
      post(
          HttpRequest.newBuilder(events)
              .header("ce-specversion", "1.0")
              .header("ce-id", "both")
              .header("ce-type", "order.placed")
              .header("ce-source", "/curl")
              .header("ce-traceparent", traceparent("00000000000000b4"))
              .header("traceparent", traceparent("00000000000000ff"))
              .header("Content-Type", "application/json")
              .POST(BodyPublishers.ofString("{\"sku\":\"d-4\"}")));
      post(
          HttpRequest.newBuilder(events)
              .header("ce-specversion", "1.0")
              .header("ce-id", "malformed-header")
              .header("ce-type", "order.placed")
              .header("ce-source", "/curl")
              .header("traceparent", "00-not-a-trace-context-01")
              .header("Content-Type", "application/json")
              .POST(BodyPublishers.ofString("{\"sku\":\"e-5\"}")));
    }

    Map<String, Event<?>> received = new ConcurrentHashMap<>();
    LogTransport transport =
        LogTransport.builder(LogDirectory.open(dir, LogOptions.defaults())).build();
    try (EventBus bus =
        Herald.builder()
            .transport(transport)
            .interceptor(HeraldTracing.create(tracing.sdk))
            .build()) {
      bus.subscribe(
          "order.placed",
          e -> received.put(e.id(), e),
          SubscribeOptions.defaults().group("billing"));
      List<SpanData> process = tracing.await(SpanKind.CONSUMER, "process order.placed", 5);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 5);
      assertThat(linkOf(process, "binary")).containsExactly(TRACE + "/00000000000000b1");
      assertThat(linkOf(process, "structured")).containsExactly(TRACE + "/00000000000000b2");
      assertThat(linkOf(process, "http-header")).containsExactly(TRACE + "/00000000000000b3");
      assertThat(received.get("http-header").extension(Event.TRACESTATE))
          .isEqualTo("vendor=opaque");
      assertThat(linkOf(process, "both"))
          .as("the event's own traceparent wins")
          .containsExactly(TRACE + "/00000000000000b4");
      assertThat(linkOf(process, "malformed-header")).isEmpty();
      assertThat(received.get("malformed-header").extensions())
          .doesNotContainKey(Event.TRACEPARENT);
    }
  }

  private static List<String> linkOf(List<SpanData> process, String eventId) {
    return links(
        process.stream()
            .filter(s -> eventId.equals(s.getAttributes().get(MessagingAttributes.MESSAGE_ID)))
            .findFirst()
            .orElseThrow());
  }

  private static String traceparent(String spanId) {
    return "00-" + TRACE + "-" + spanId + "-01";
  }

  private void post(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }
}
