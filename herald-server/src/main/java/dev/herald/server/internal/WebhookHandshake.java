package dev.herald.server.internal;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpMethod;

/**
 * The abuse-protection handshake of the CloudEvents "HTTP 1.1 Web Hooks for Event Delivery" spec
 * (section 4), made once, before a subscription is made: {@code OPTIONS url} with {@code
 * WebHook-Request-Origin: <origin>}; the target agrees by answering 2xx with {@code
 * WebHook-Allowed-Origin} equal to that origin (case aside, as DNS names) or {@code *}. Anything
 * else refuses: another status, a missing or other origin, a redirect (never followed), no answer
 * within the timeout. The asynchronous form ({@code WebHook-Request-Callback}) is not offered.
 *
 * <p>Runs on the calling (request) thread, at most {@link #TIMEOUT} (connecting included).
 * Stateless.
 */
final class WebhookHandshake {
  static final String REQUEST_ORIGIN = "WebHook-Request-Origin";
  static final String ALLOWED_ORIGIN = "WebHook-Allowed-Origin";
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_ECHO = 200;

  private WebhookHandshake() {}

  /**
   * Asks {@code url} whether it takes events from {@code origin}, unless the client's targets
   * refuse it (then nothing is sent). The request goes to the addresses that check approved.
   *
   * @return empty when it agreed, else what it answered, for the client to read
   */
  static Optional<String> ask(WebhookClient client, URI url, String origin)
      throws InterruptedException {
    Request req;
    try {
      req = client.newRequest(url, TIMEOUT);
    } catch (WebhookTargets.Refused e) {
      return Optional.of("OPTIONS " + url + " not sent: " + e.getMessage());
    } catch (UnknownHostException e) {
      return Optional.of("OPTIONS " + url + " failed: " + describe(e));
    }
    req.method(HttpMethod.OPTIONS).headers(h -> h.put(REQUEST_ORIGIN, origin));
    Future<Response> answer = client.exchange(req);
    Response r;
    try {
      r = answer.get();
    } catch (ExecutionException e) {
      return Optional.of("OPTIONS " + url + " failed: " + describe(cause(e)));
    } catch (InterruptedException e) {
      answer.cancel(true);
      throw e;
    }
    // The body is not waited for: the client drops it, within its bounds.
    Optional<String> allowed = Optional.ofNullable(r.getHeaders().get(ALLOWED_ORIGIN));
    boolean agreed =
        r.getStatus() / 100 == 2
            && allowed.isPresent()
            && (allowed.get().trim().equals("*") || allowed.get().trim().equalsIgnoreCase(origin));
    if (agreed) {
      return Optional.empty();
    }
    String proxyNote = client.proxyNote(r.getStatus());
    if (!proxyNote.isEmpty()) {
      return Optional.of("OPTIONS " + url + " was answered " + r.getStatus() + proxyNote);
    }
    return Optional.of(
        "OPTIONS "
            + url
            + " with "
            + REQUEST_ORIGIN
            + ": "
            + origin
            + " was answered "
            + r.getStatus()
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

  /** What an exchange failed with, as an I/O failure. */
  static IOException cause(ExecutionException e) {
    Throwable c = e.getCause();
    return c instanceof IOException io ? io : new IOException(c);
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName()
        + (m == null || m.isBlank() ? "" : ": " + WebhookDefinition.abbreviate(m, MAX_ECHO));
  }
}
