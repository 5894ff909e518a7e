package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.TimeSource;
import dev.herald.server.Access;
import dev.herald.server.ForwardingGatewayStore;
import dev.herald.server.GatewayStore;
import dev.herald.server.LogGatewayStore;
import dev.herald.server.ServerLimits;
import dev.herald.server.StoreBusyException;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch POST does not hold a request thread while its events are stored: with more batches
 * waiting for a held store than Jetty has request threads, every batch reaches the store, the
 * server still answers other requests, and each batch gets its full per-event answer once the store
 * completes.
 */
class BatchPublishAsyncTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration BOUND = Duration.ofSeconds(20);

  /** Jetty's whole pool: its acceptor and selector take two, so fewer answer requests. */
  private static final int JETTY_THREADS = 8;

  private static final int BATCHES = 3 * JETTY_THREADS;

  @TempDir Path dir;

  @Test
  void batchesWaitingForTheStoreHoldNoRequestThread() throws Exception {
    try (LogGatewayStore log = LogGatewayStore.open(dir)) {
      HeldStore store = new HeldStore(log);
      Gateway gateway =
          new Gateway(
              store,
              Access.openToLoopback(),
              ServerLimits.defaults(),
              List.of(),
              TimeSource.system(),
              false,
              List.of(),
              null);
      Javalin app = gateway.createApp("127.0.0.1", 0);
      ((QueuedThreadPool) app.jettyServer().threadPool()).setMaxThreads(JETTY_THREADS);
      app.start();
      try {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create("http://127.0.0.1:" + app.port());
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
          answers.add(
              client.sendAsync(
                  HttpRequest.newBuilder(base.resolve("/v1/events"))
                      .header("Content-Type", PublishApi.BATCH)
                      .timeout(BOUND)
                      .POST(HttpRequest.BodyPublishers.ofString(batch(b)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString()));
        }

        // Every batch reached the store, although fewer threads serve requests than batches wait.
        await("every batch reaches the store")
            .atMost(BOUND)
            .until(() -> store.held.size() == BATCHES);
        HttpResponse<String> health =
            client.send(
                HttpRequest.newBuilder(base.resolve("/v1/health")).timeout(BOUND).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(answers).noneMatch(CompletableFuture::isDone);

        store.release();
        for (int b = 0; b < BATCHES; b++) {
          HttpResponse<String> r = answers.get(b).get(BOUND.toSeconds(), TimeUnit.SECONDS);
          assertAnswer(b, r);
        }
        // Even batches: three stored. Odd ones: two stored, one 429 (busy), one 400 (a number).
        int odd = BATCHES / 2;
        int even = BATCHES - odd;
        assertThat(gateway.stats().counters())
            .containsEntry("publish.stored", (long) (3 * even + 2 * odd))
            .containsEntry("publish.refused.429", (long) odd)
            .containsEntry("publish.refused.400", (long) odd);
      } finally {
        gateway.close();
        app.stop();
      }
    }
  }

  /**
   * Batch {@code b}: an even one of three events to store; an odd one with its second event refused
   * as busy, and a fourth element that is not an object.
   */
  private static String batch(int b) {
    boolean odd = b % 2 == 1;
    return "["
        + event(b, "ok", "test.ok")
        + ","
        + event(b, "busy", odd ? "test.busy" : "test.ok")
        + ","
        + event(b, "alsook", "test.ok")
        + (odd ? ",42" : "")
        + "]";
  }

  private static String event(int b, String name, String type) {
    return "{\"specversion\":\"1.0\",\"id\":\""
        + id(b, name)
        + "\",\"type\":\""
        + type
        + "\",\"source\":\"/test\",\"data\":{\"b\":"
        + b
        + "}}";
  }

  private static String id(int b, String name) {
    return "b" + b + "-" + name;
  }

  private static void assertAnswer(int b, HttpResponse<String> r) throws Exception {
    JsonNode results = JSON.readTree(r.body()).get("results");
    String[] names = {"ok", "busy", "alsook"};
    if (b % 2 == 0) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      assertThat(r.headers().firstValue("Retry-After")).isEmpty();
      assertThat(results).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertStored(results.get(i), i, id(b, names[i]));
      }
      return;
    }
    assertThat(r.statusCode()).as(r.body()).isEqualTo(207);
    assertThat(r.headers().firstValue("Retry-After")).contains("1");
    assertThat(results).hasSize(4);
    assertStored(results.get(0), 0, id(b, "ok"));
    JsonNode busy = results.get(1);
    assertThat(busy.get("index").asInt()).isEqualTo(1);
    assertThat(busy.get("id").asText()).isEqualTo(id(b, "busy"));
    assertThat(busy.get("status").asInt()).isEqualTo(429);
    assertThat(busy.get("detail").asText()).isEqualTo("queue full");
    assertStored(results.get(2), 2, id(b, "alsook"));
    JsonNode notAnObject = results.get(3);
    assertThat(notAnObject.get("index").asInt()).isEqualTo(3);
    assertThat(notAnObject.get("status").asInt()).isEqualTo(400);
    assertThat(notAnObject.get("id").isNull()).isTrue();
  }

  private static void assertStored(JsonNode result, int index, String id) {
    assertThat(result.get("index").asInt()).isEqualTo(index);
    assertThat(result.get("id").asText()).isEqualTo(id);
    assertThat(result.get("status").asInt()).as(result.toString()).isEqualTo(202);
    assertThat(result.get("position").asText()).isEqualTo("held-" + id);
  }

  /**
   * The log store, except that the appends of a batch ({@link #appendAll}) are held until {@link
   * #release}: then each event of type {@code test.busy} is refused as a busy store would, and
   * every other one stored at position {@code held-<id>}.
   */
  private static final class HeldStore extends ForwardingGatewayStore {
    final Queue<List<Held>> held = new ConcurrentLinkedQueue<>();

    HeldStore(GatewayStore delegate) {
      super(delegate);
    }

    private record Held(Event<?> event, CompletableFuture<String> stored) {}

    void release() {
      for (List<Held> batch : held) {
        for (Held h : batch) {
          if ("test.busy".equals(h.event().type())) {
            h.stored().completeExceptionally(new StoreBusyException("queue full", null));
          } else {
            h.stored().complete("held-" + h.event().id());
          }
        }
      }
    }

    @Override
    public List<CompletableFuture<String>> appendAll(List<? extends Event<?>> events) {
      List<Held> batch = new ArrayList<>(events.size());
      List<CompletableFuture<String>> futures = new ArrayList<>(events.size());
      for (Event<?> e : events) {
        Held h = new Held(e, new CompletableFuture<>());
        batch.add(h);
        futures.add(h.stored());
      }
      held.add(batch);
      return futures;
    }
  }
}
