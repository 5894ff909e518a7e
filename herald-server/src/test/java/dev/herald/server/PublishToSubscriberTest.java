package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java program subscribing by type with a payload class gets the JSON that a client outside Java
 * published over HTTP (which names no class) as an instance of that class.
 */
class PublishToSubscriberTest {
  /** The subscriber's own class; the publisher never heard of it. */
  public record OrderPlaced(String sku, int qty) {}

  @TempDir Path dir;

  @Test
  void aSecondBusOverTheLogGetsTheCurlPublishedJsonAsThePayloadClass() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (LogGatewayStore store = LogGatewayStore.open(dir);
        HeraldServer server = HeraldServer.builder(store).port(0).start()) {
      URI events = URI.create(server.uri() + "/v1/events");
      HttpResponse<String> binary =
          client.send(
              HttpRequest.newBuilder(events)
                  .header("ce-specversion", "1.0")
                  .header("ce-id", "curl-1")
                  .header("ce-type", "order.placed")
                  .header("ce-source", "/curl")
                  .header("Content-Type", "application/json")
                  .POST(BodyPublishers.ofString("{\"sku\":\"a-1\",\"qty\":2}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(binary.statusCode()).as(binary.body()).isEqualTo(202);
      HttpResponse<String> structured =
          client.send(
              HttpRequest.newBuilder(events)
                  .header("Content-Type", "application/cloudevents+json")
                  .POST(
                      BodyPublishers.ofString(
                          "{\"specversion\":\"1.0\",\"id\":\"curl-2\",\"type\":\"order.placed\","
                              + "\"source\":\"/curl\",\"data\":{\"sku\":\"b-2\",\"qty\":5}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(structured.statusCode()).as(structured.body()).isEqualTo(202);
    }

    List<Object> received = new CopyOnWriteArrayList<>();
    CountDownLatch two = new CountDownLatch(2);
    LogTransport transport =
        LogTransport.builder(LogDirectory.open(dir, LogOptions.defaults())).build();
    try (EventBus bus = Herald.builder().transport(transport).build()) {
      bus.subscribe(
          "order.placed",
          OrderPlaced.class,
          e -> {
            received.add(e.data());
            two.countDown();
          },
          SubscribeOptions.defaults().group("billing"));
      assertThat(two.await(10, TimeUnit.SECONDS)).as("delivered: %s", received).isTrue();
    }
    assertThat(received).containsExactly(new OrderPlaced("a-1", 2), new OrderPlaced("b-2", 5));
  }
}
