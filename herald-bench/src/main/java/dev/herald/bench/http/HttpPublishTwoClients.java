package dev.herald.bench.http;

import dev.herald.Event;
import dev.herald.server.HeraldServer;
import dev.herald.server.LogGatewayStore;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * HTTP publish to the gateway ({@code POST /v1/events}) from {@value #CLIENTS} client threads, each
 * driving {@value #CONNECTIONS} keep-alive HTTP/1.1 connections in lockstep (it writes one
 * pre-built request on each, then reads the {@value #CONNECTIONS} answers: status line, headers and
 * the body's length only, {@link KeepAliveConnection}), so {@value #IN_FLIGHT} requests are in
 * flight and the client takes little of the cores the server needs. Against two baselines in the
 * same run, with the same client and the same number in flight:
 *
 * <ul>
 *   <li>{@code single}: one binary-mode event per request (JSON data, about 40 bytes), answered
 *       once stored; {@code singleWide} the same with {@value #WIDE} connections per client thread;
 *   <li>{@code batch}: {@value #BATCH} structured events per request ({@code
 *       application/cloudevents-batch+json}), answered once all are stored;
 *   <li>{@code direct}, {@code directBatch}: the same events appended to the same kind of store
 *       ({@code LogGatewayStore.append}, what the bus's durable publish does) without HTTP, {@value
 *       #CONNECTIONS} (or {@value #CONNECTIONS} × {@value #BATCH}) per thread at a time: the
 *       ceiling HTTP can approach; {@code directBatchTogether} appends each {@value #BATCH}
 *       together ({@code appendAll}, as the gateway stores a batch);
 *   <li>{@code bare}, {@code bareBatch}: the same requests to a bare Javalin endpoint on the same
 *       HTTP library that answers 202 and does no work: what the HTTP round trip allows.
 * </ul>
 *
 * Each score is events per second summed over the clients; the ratios to read are single ÷ bare,
 * batch ÷ bareBatch (what the gateway costs beyond HTTP) and batch ÷ directBatch (what HTTP costs
 * beyond storing). A fresh log directory per trial, deleted after it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(HttpPublishTwoClients.CLIENTS)
public class HttpPublishTwoClients {
  static final int CLIENTS = 2;
  static final int CONNECTIONS = 8;
  static final int IN_FLIGHT = CLIENTS * CONNECTIONS;

  /** Connections per client thread of {@link #singleWide}: 64 requests in flight. */
  static final int WIDE = 32;

  static final int BATCH = 100;
  private static final String DATA = "{\"sku\":\"sku-000123\",\"qty\":2,\"cents\":1250}";

  private Path dir;
  private LogGatewayStore store;
  private HeraldServer server;
  private Javalin bare;
  private URI events;
  private URI bareUri;
  private byte[] single;
  private byte[] batch;
  private byte[] bareSingle;
  private byte[] bareBatch;

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
    events = URI.create(server.uri() + "/v1/events");
    bareUri = URI.create("http://127.0.0.1:" + bare.port() + "/bare");
    byte[] batchBody = batchBody();
    single = binary(events);
    batch = batch(events, batchBody);
    bareSingle = binary(bareUri);
    bareBatch = batch(bareUri, batchBody);
  }

  private static byte[] binary(URI uri) {
    return KeepAliveConnection.post(
        uri,
        DATA.getBytes(StandardCharsets.UTF_8),
        "ce-specversion: 1.0",
        "ce-id: bench-1",
        "ce-type: order.placed",
        "ce-source: /bench",
        "Content-Type: application/json");
  }

  private static byte[] batch(URI uri, byte[] body) {
    return KeepAliveConnection.post(uri, body, "Content-Type: application/cloudevents-batch+json");
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

  /** One client thread's connections, to the gateway and to the bare endpoint. */
  @State(Scope.Thread)
  public static class Client {
    final KeepAliveConnection[] gateway = new KeepAliveConnection[CONNECTIONS];
    final KeepAliveConnection[] bare = new KeepAliveConnection[CONNECTIONS];
    final KeepAliveConnection[] gatewayWide = new KeepAliveConnection[WIDE];

    @Setup(Level.Trial)
    public void connect(HttpPublishTwoClients bench) throws IOException {
      for (int i = 0; i < CONNECTIONS; i++) {
        gateway[i] = new KeepAliveConnection(bench.events);
        bare[i] = new KeepAliveConnection(bench.bareUri);
      }
      for (int i = 0; i < WIDE; i++) {
        gatewayWide[i] = new KeepAliveConnection(bench.events);
      }
    }

    @TearDown(Level.Trial)
    public void disconnect() throws IOException {
      for (int i = 0; i < CONNECTIONS; i++) {
        gateway[i].close();
        bare[i].close();
      }
      for (KeepAliveConnection c : gatewayWide) {
        c.close();
      }
    }

    /** Sends {@code request} on every connection, then reads every answer; each must be 202. */
    int exchange(KeepAliveConnection[] connections, byte[] request) {
      try {
        for (KeepAliveConnection c : connections) {
          c.send(request);
        }
        int sum = 0;
        for (KeepAliveConnection c : connections) {
          int status = c.receive();
          if (status != 202) {
            throw new IllegalStateException("answered " + status);
          }
          sum += status;
        }
        return sum;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
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
  @OperationsPerInvocation(CONNECTIONS)
  public int single(Client c) {
    return c.exchange(c.gateway, single);
  }

  /**
   * As {@link #single} with four times the requests in flight: under the log's group commit, each
   * fsync then stores more of them.
   */
  @Benchmark
  @OperationsPerInvocation(WIDE)
  public int singleWide(Client c) {
    return c.exchange(c.gatewayWide, single);
  }

  @Benchmark
  @OperationsPerInvocation(CONNECTIONS * BATCH)
  public int batch(Client c) {
    return c.exchange(c.gateway, batch);
  }

  @Benchmark
  @OperationsPerInvocation(CONNECTIONS)
  public int bare(Client c) {
    return c.exchange(c.bare, bareSingle);
  }

  @Benchmark
  @OperationsPerInvocation(CONNECTIONS * BATCH)
  public int bareBatch(Client c) {
    return c.exchange(c.bare, bareBatch);
  }

  @Benchmark
  @OperationsPerInvocation(CONNECTIONS)
  public String direct() {
    return appendAndWait(CONNECTIONS);
  }

  @Benchmark
  @OperationsPerInvocation(CONNECTIONS * BATCH)
  public String directBatch() {
    return appendAndWait(CONNECTIONS * BATCH);
  }

  /** As {@link #directBatch}, each 100 events stored together ({@code GatewayStore.appendAll}). */
  @Benchmark
  @OperationsPerInvocation(CONNECTIONS * BATCH)
  public String directBatchTogether() {
    List<CompletableFuture<String>> appends = new ArrayList<>(CONNECTIONS * BATCH);
    for (int c = 0; c < CONNECTIONS; c++) {
      List<Event<?>> batch = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        batch.add(event());
      }
      appends.addAll(store.appendAll(batch));
    }
    CompletableFuture.allOf(appends.toArray(new CompletableFuture<?>[0])).join();
    return appends.get(appends.size() - 1).join();
  }

  private String appendAndWait(int n) {
    CompletableFuture<?>[] appends = new CompletableFuture<?>[n];
    CompletableFuture<String> last = null;
    for (int i = 0; i < n; i++) {
      last = store.append(event());
      appends[i] = last;
    }
    CompletableFuture.allOf(appends).join();
    return last.join();
  }
}
