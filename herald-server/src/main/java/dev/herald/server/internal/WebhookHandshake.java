package dev.herald.server.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The abuse-protection handshake of the CloudEvents "HTTP 1.1 Web Hooks for Event Delivery" spec
 * (section 4), made once, before a subscription is made: {@code OPTIONS url} with {@code
 * WebHook-Request-Origin: <origin>}; the target agrees by answering 2xx with {@code
 * WebHook-Allowed-Origin} equal to that origin (case aside, as DNS names) or {@code *}. Anything
 * else refuses: another status, a missing or other origin, a redirect (never followed), no answer
 * within the timeout. The asynchronous form ({@code WebHook-Request-Callback}) is not offered.
 *
 * <p>Runs on the calling (request) thread, at most {@link #TIMEOUT} plus the client's connect
 * timeout. Stateless.
 */
final class WebhookHandshake {
  static final String REQUEST_ORIGIN = "WebHook-Request-Origin";
  static final String ALLOWED_ORIGIN = "WebHook-Allowed-Origin";
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_ECHO = 200;

  private WebhookHandshake() {}

  /**
   * Asks {@code url} whether it takes events from {@code origin}, unless {@code targets} refuses it
   * (then nothing is sent).
   *
   * @return empty when it agreed, else what it answered, for the client to read
   */
  static Optional<String> ask(HttpClient client, WebhookTargets targets, URI url, String origin)
      throws InterruptedException {
    Optional<String> refused = targets.refusal(url);
    if (refused.isPresent()) {
      return Optional.of("OPTIONS " + url + " not sent: " + refused.get());
    }
    HttpRequest req =
        HttpRequest.newBuilder(url)
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header(REQUEST_ORIGIN, origin)
            .timeout(TIMEOUT)
            .build();
    HttpResponse<Void> r;
    try {
      r = client.send(req, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      return Optional.of("OPTIONS " + url + " failed: " + describe(e));
    }
    Optional<String> allowed = r.headers().firstValue(ALLOWED_ORIGIN);
    boolean agreed =
        r.statusCode() / 100 == 2
            && allowed.isPresent()
            && (allowed.get().trim().equals("*") || allowed.get().trim().equalsIgnoreCase(origin));
    if (agreed) {
      return Optional.empty();
    }
    return Optional.of(
        "OPTIONS "
            + url
            + " with "
            + REQUEST_ORIGIN
            + ": "
            + origin
            + " was answered "
            + r.statusCode()
            + allowed
                .map(
                    a ->
                        " with "
                            + ALLOWED_ORIGIN
                            + ": "
                            + WebhookDefinition.abbreviate(a, MAX_ECHO))
                .orElse(" without " + ALLOWED_ORIGIN)
            + "; the target must answer 2xx with "
            + ALLOWED_ORIGIN
            + ": "
            + origin
            + " (or *)");
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName()
        + (m == null || m.isBlank() ? "" : ": " + WebhookDefinition.abbreviate(m, MAX_ECHO));
  }
}
