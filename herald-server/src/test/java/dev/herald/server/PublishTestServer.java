package dev.herald.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.Herald;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A gateway over a real log store for the publish tests, with two tokens ({@code Bearer all} may do
 * anything, {@code Bearer orders} may publish {@code order.*} only) and a store that pushes back on
 * type {@value #BUSY} and is unavailable for type {@value #DOWN} (the log itself never refuses on
 * demand). Its log's largest record is the body limit, as by default.
 */
final class PublishTestServer implements AutoCloseable {
  static final String BUSY = "test.busy";
  static final String DOWN = "test.down";
  static final ObjectMapper JSON = new ObjectMapper();

  final LogGatewayStore store;
  final HeraldServer server;
  final HttpClient client = HttpClient.newHttpClient();

  PublishTestServer(Path dir, ServerLimits limits) throws IOException {
    // The log's record limit equal to the body limit, as by default (both 1 MiB): a body under the
    // limit whose event, attributes included, is over it reaches the log and is refused there.
    LogTransport transport =
        LogTransport.builder(
                LogDirectory.open(
                    dir, LogOptions.builder().maxRecordBytes(limits.maxBodyBytes()).build()))
            .build();
    this.store = LogGatewayStore.over(transport, Herald.builder().transport(transport).build());
    this.server =
        HeraldServer.builder(new RefusingStore(store))
            .port(0)
            .access(new Tokens())
            .limits(limits)
            .start();
  }

  HttpRequest.Builder post() {
    return HttpRequest.newBuilder(URI.create(server.uri() + "/v1/events"))
        .header("Authorization", "Bearer all");
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** Every event stored so far, in order. */
  List<Event<?>> stored() throws InterruptedException {
    List<Event<?>> out = new ArrayList<>();
    store.transport().replay(out::add);
    return out;
  }

  Optional<Event<?>> storedById(String id) throws InterruptedException {
    return stored().stream().filter(e -> e.id().equals(id)).findFirst();
  }

  @Override
  public void close() {
    server.close();
    store.close();
  }

  private static final class Tokens implements Access {
    @Override
    public Optional<Principal> authenticate(String authorization) {
      if ("Bearer all".equals(authorization)) {
        return Optional.of(new TestPrincipal("all", Set.of()));
      }
      if ("Bearer orders".equals(authorization)) {
        return Optional.of(new TestPrincipal("orders", Set.of("order.")));
      }
      return Optional.empty();
    }

    @Override
    public boolean required() {
      return true;
    }
  }

  /** May publish the types starting with one of {@code prefixes}; every type when empty. */
  private record TestPrincipal(String name, Set<String> prefixes) implements Principal {
    @Override
    public boolean mayPublish(String type) {
      return prefixes.isEmpty() || prefixes.stream().anyMatch(type::startsWith);
    }

    @Override
    public boolean maySubscribe(String pattern) {
      return prefixes.isEmpty();
    }

    @Override
    public boolean mayAdminister() {
      return prefixes.isEmpty();
    }
  }

  /** The log store, refusing the two test types as a busy or a failed store would. */
  private static final class RefusingStore extends ForwardingGatewayStore {
    RefusingStore(GatewayStore delegate) {
      super(delegate);
    }

    @Override
    public CompletableFuture<String> append(Event<?> event) {
      if (BUSY.equals(event.type())) {
        return CompletableFuture.failedFuture(new StoreBusyException("queue full", null));
      }
      if (DOWN.equals(event.type())) {
        return CompletableFuture.failedFuture(new StoreUnavailableException("disk gone", null));
      }
      return delegate.append(event);
    }
  }
}
