package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every admin endpoint needs a principal that may administer: 403 for one that may not. */
class AdminAccessTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<String[]> ADMIN_ENDPOINTS =
      List.of(
          new String[] {"GET", "/v1/groups"},
          new String[] {"GET", "/v1/deadletters?group=billing"},
          new String[] {"GET", "/v1/deadletters/0"},
          new String[] {"POST", "/v1/deadletters/0/redrive"},
          new String[] {"POST", "/v1/deadletters/redrive?group=billing"},
          new String[] {"GET", "/v1/stats"});

  @TempDir static Path dir;
  static LogGatewayStore store;
  static HeraldServer server;

  @BeforeAll
  static void start() throws Exception {
    store = LogGatewayStore.open(dir);
    server = HeraldServer.builder(store).port(0).access(new TwoTokens()).start();
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  @Test
  void aPrincipalThatMayNotAdministerIsRefusedEveryAdminEndpoint() throws Exception {
    for (String[] e : ADMIN_ENDPOINTS) {
      assertThat(status(e[0], e[1], "reader")).as(e[0] + " " + e[1]).isEqualTo(403);
      assertThat(status(e[0], e[1], "admin")).as(e[0] + " " + e[1]).isNotIn(401, 403);
    }
  }

  @Test
  void healthAnswersAnyPrincipal() throws Exception {
    for (String path : List.of("/v1/health", "/v1/health/live", "/v1/health/ready")) {
      assertThat(status("GET", path, "reader")).as(path).isEqualTo(200);
    }
  }

  private static int status(String method, String path, String token) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(server.uri() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** "admin" may administer, "reader" may only subscribe. */
  private static final class TwoTokens implements Access {
    @Override
    public Optional<Principal> authenticate(String authorization) {
      if ("Bearer admin".equals(authorization)) {
        return Optional.of(new Role("admin", true));
      }
      if ("Bearer reader".equals(authorization)) {
        return Optional.of(new Role("reader", false));
      }
      return Optional.empty();
    }

    @Override
    public boolean required() {
      return true;
    }
  }

  private record Role(String name, boolean mayAdminister) implements Principal {
    @Override
    public boolean mayPublish(String type) {
      return false;
    }

    @Override
    public boolean maySubscribe(String pattern) {
      return true;
    }
  }
}
