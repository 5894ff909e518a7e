package dev.herald.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A request to a test's gateway, its answer read as a string: what the webhook tests send. */
final class GatewayHttp {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private GatewayHttp() {}

  /** Without a token (a gateway in development mode). */
  static HttpResponse<String> send(HeraldServer server, String method, String path, String body)
      throws Exception {
    return send(server, method, path, body, null);
  }

  /** {@code body} null for none, else JSON; {@code token} null for no Authorization header. */
  static HttpResponse<String> send(
      HeraldServer server, String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.uri() + path))
            .timeout(WAIT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
