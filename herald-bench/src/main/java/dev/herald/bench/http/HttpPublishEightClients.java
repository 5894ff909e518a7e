package dev.herald.bench.http;

import dev.herald.Event;
import dev.herald.server.HeraldServer;
import dev.herald.server.LogGatewayStore;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * HTTP publish to the gateway ({@code POST /v1/events}) from {@value #CLIENTS} client threads
 * sharing one keep-alive {@code java.net.http} client, against two baselines in the same run:
 *
 * <ul>
 *   <li>{@code single}: one binary-mode event per request (JSON data, about 60 bytes), answered
 *       once stored;
 *   <li>{@code batch}: {@value #BATCH} structured events per request ({@code
 *       application/cloudevents-batch+json}), answered once all are stored;
 *   <li>{@code direct}, {@code directBatch}: the same events appended to the same kind of store
 *       ({@code LogGatewayStore.append}, what the bus's durable publish does) without HTTP: the
 *       ceiling HTTP can approach;
 *   <li>{@code bare}, {@code bareBatch}: the same requests to a bare Javalin endpoint on the same
 *       HTTP library that answers 202 and does no work: the floor the HTTP round trip sets.
 * </ul>
 *
 * Each score is events per second summed over the clients (a batch invocation counts {@value
 * #BATCH}); the ratios to read are single ÷ bare, batch ÷ bareBatch (what the gateway costs beyond
 * HTTP) and batch ÷ directBatch (what HTTP costs beyond storing). A fresh log directory per trial,
 * deleted after it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(HttpPublishEightClients.CLIENTS)
public class HttpPublishEightClients {
  static final int CLIENTS = 8;
  static final int BATCH = 100;
  private static final String DATA = "{\"sku\":\"sku-000123\",\"qty\":2,\"cents\":1250}";

  private Path dir;
  private LogGatewayStore store;
  private HeraldServer server;
  private Javalin bare;
  private HttpClient client;
  private HttpRequest single;
  private HttpRequest batch;
  private HttpRequest bareSingle;
  private HttpRequest bareBatch;

  @Setup(Level.Trial)
  public void start() throws IOException {
    dir = Files.createTempDirectory("herald-http-bench");
    store = LogGatewayStore.open(dir);
    server = HeraldServer.builder(store).port(0).start();
    bare =
        Javalin.create(
                config -> {
                  config.jetty.host = "127.0.0.1";
                  config.jetty.port = 0;
                  config.startup.showJavalinBanner = false;
                  config.routes.post("/bare", ctx -> ctx.status(202));
                })
            .start();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI events = URI.create(server.uri() + "/v1/events");
    URI bareUri = URI.create("http://127.0.0.1:" + bare.port() + "/bare");
    byte[] batchBody = batchBody();
    single = binary(events);
    batch = batch(events, batchBody);
    bareSingle = binary(bareUri);
    bareBatch = batch(bareUri, batchBody);
  }

  private static HttpRequest binary(URI uri) {
    return HttpRequest.newBuilder(uri)
        .header("ce-specversion", "1.0")
        .header("ce-id", "bench-1")
        .header("ce-type", "order.placed")
        .header("ce-source", "/bench")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(DATA))
        .build();
  }

  private static HttpRequest batch(URI uri, byte[] body) {
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/cloudevents-batch+json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  private static byte[] batchBody() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < BATCH; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"specversion\":\"1.0\",\"id\":\"bench-")
          .append(i)
          .append("\",\"type\":\"order.placed\",\"source\":\"/bench\",\"data\":")
          .append(DATA)
          .append('}');
    }
    return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    server.close();
    bare.stop();
    store.close();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private int send(HttpRequest request) {
    try {
      int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status != 202) {
        throw new IllegalStateException("answered " + status);
      }
      return status;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Event<Object> event() {
    return Event.builder("order.placed").source("/bench").data(DATA_TREE).build();
  }

  private static final Object DATA_TREE = parse(DATA);

  private static Object parse(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Benchmark
  public int single() {
    return send(single);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int batch() {
    return send(batch);
  }

  @Benchmark
  public int bare() {
    return send(bareSingle);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int bareBatch() {
    return send(bareBatch);
  }

  @Benchmark
  public String direct() {
    return store.append(event()).join();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public String directBatch() {
    CompletableFuture<?>[] appends = new CompletableFuture<?>[BATCH];
    CompletableFuture<String> last = null;
    for (int i = 0; i < BATCH; i++) {
      last = store.append(event());
      appends[i] = last;
    }
    CompletableFuture.allOf(appends).join();
    return last.join();
  }
}
