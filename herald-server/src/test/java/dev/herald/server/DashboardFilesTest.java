package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's static files: served without a token, and nothing else is. */
class DashboardFilesTest {
  @TempDir static Path dir;

  private static GatewayStore store;
  private static HeraldServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Requires a token for everything; knows none. */
  private static final Access TOKENS_REQUIRED =
      new Access() {
        @Override
        public Optional<Principal> authenticate(String authorization) {
          return Optional.empty();
        }

        @Override
        public boolean required() {
          return true;
        }
      };

  @BeforeAll
  static void start() throws Exception {
    store = LogGatewayStore.open(dir);
    server = HeraldServer.builder(store).port(0).access(TOKENS_REQUIRED).start();
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.uri() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePageItsScriptAndUplotNeedNoToken() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
    assertThat(page.body()).contains("id=\"throughput-chart\"", "id=\"tail-list\"");

    for (String asset : assets(page.body())) {
      HttpResponse<String> r = get(asset);
      assertThat(r.statusCode()).as(asset).isEqualTo(200);
      assertThat(r.body()).as(asset).isNotBlank();
    }
    assertThat(assets(page.body()))
        .contains("/assets/app.js", "/assets/style.css")
        .anySatisfy(a -> assertThat(a).startsWith("/webjars/uplot/").endsWith("uPlot.iife.min.js"));
  }

  @Test
  void onlyTheNamedFilesAreServedAndTheApiStillNeedsAToken() throws Exception {
    assertThat(get("/webjars/uplot/0.0.1/dist/uPlot.iife.min.js").statusCode()).isEqualTo(404);
    assertThat(get("/webjars/uplot/1.6.30/package.json").statusCode()).isIn(401, 404);
    assertThat(get("/assets/../assets/app.js").statusCode()).isIn(400, 401, 404);
    assertThat(get("/assets/index.html").statusCode()).isIn(401, 404);
    assertThat(get("/dashboard/app.js").statusCode()).isIn(401, 404);
    HttpResponse<String> api = get("/v1/groups");
    assertThat(api.statusCode()).isEqualTo(401);
    assertThat(api.headers().firstValue("WWW-Authenticate")).isPresent();
  }

  /** The scripts and style sheets the page loads. */
  private static List<String> assets(String html) {
    Matcher m = Pattern.compile("(?:src|href)=\"(/[^\"]+)\"").matcher(html);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
