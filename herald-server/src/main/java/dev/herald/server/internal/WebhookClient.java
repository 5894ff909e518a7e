package dev.herald.server.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The webhooks' HTTP client (Jetty's): the handshakes' and the deliveries' requests, each to
 * exactly the addresses {@link WebhookTargets} resolved and approved for it.
 *
 * <p>One resolution per request: {@link #newRequest} resolves the URL's host once, through the
 * targets' resolver, and checks every address (on a server with tokens); the request carries the
 * approved addresses as its tag, and the client's {@link
 * org.eclipse.jetty.util.SocketAddressResolver} hands exactly those to the connection, resolving
 * nothing itself. Jetty keeps the connections of requests with different tags apart, so a
 * connection is reused only by a request whose check approved the same addresses. The URL's host
 * stays the request's {@code Host} header and its TLS server name (SNI, and the name the
 * certificate must match). No proxy: none is configured, and the JVM's proxy properties ({@code
 * http.proxyHost}, ...) are not read. Redirects are not followed.
 *
 * <p>HTTPS targets: the certificate must chain to one the JVM trusts by default or to one of the
 * extra certificates the client was made with, and must name the URL's host ({@link WebhookTls}).
 *
 * <p>An answer's head is all that is waited for ({@link #exchange}); its body is read and dropped
 * in the background, at most {@link #MAX_ANSWER_BODY} bytes (beyond that the exchange is aborted
 * and its connection closed) and within the request's timeout.
 *
 * <p>Threads: Jetty's own, named {@code herald-webhook-http-*}, made by {@link #start} and ended by
 * {@link #close}. Thread-safe.
 */
final class WebhookClient implements AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final int MAX_ANSWER_BODY = 64 * 1024;
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_THREADS = 16;

  private final WebhookTargets targets;
  private final HttpClient http;

  /** A client whose HTTPS targets must present a certificate the JVM trusts by default. */
  WebhookClient(WebhookTargets targets) {
    this(targets, List.of());
  }

  /**
   * A client whose HTTPS targets may also present a certificate that chains to one of {@code
   * trusted}.
   */
  WebhookClient(WebhookTargets targets, List<X509Certificate> trusted) {
    this.targets = targets;
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 1);
    threads.setName("herald-webhook-http");
    threads.setDaemon(true);
    http = new HttpClient();
    http.setSslContextFactory(WebhookTls.client(trusted));
    http.setExecutor(threads);
    http.setScheduler(new ScheduledExecutorScheduler("herald-webhook-http-scheduler", true));
    http.setSocketAddressResolver(WebhookClient::checkedAddresses);
    http.setFollowRedirects(false);
    http.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
    http.setIdleTimeout(IDLE_TIMEOUT.toMillis());
    // A destination is per checked set of addresses: one whose name resolves elsewhere now ends.
    http.setDestinationIdleTimeout(IDLE_TIMEOUT.toMillis());
    http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "Herald"));
    // A request without a body carries no Content-Type; answers are not asked to be compressed.
    http.setDefaultRequestContentType(null);
    http.getContentDecoderFactories().clear();
  }

  /** Starts Jetty's threads. */
  void start() {
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("the webhook HTTP client did not start", e);
    }
  }

  /** Stops the client: aborts what is in flight and ends its threads. */
  @Override
  public void close() {
    try {
      http.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the webhook HTTP client", e);
    } catch (Exception e) {
      throw new IllegalStateException("the webhook HTTP client did not stop", e);
    }
  }

  /**
   * A request to {@code url}, bound to the addresses its host resolves to now, each checked.
   *
   * @throws WebhookTargets.Refused the check refuses the target: nothing may be sent
   * @throws UnknownHostException the host does not resolve (on a server that does not check)
   */
  Request newRequest(URI url, Duration timeout)
      throws WebhookTargets.Refused, UnknownHostException {
    List<InetAddress> addresses = targets.addresses(url);
    return http.newRequest(url)
        .tag(new Checked(addresses))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Sends {@code request}; the future completes with the answer once its head is in. Cancelling the
   * future aborts the exchange (its connection is closed). It fails with an {@link IOException}
   * when no answer came: {@link SocketTimeoutException} when the request timed out.
   */
  static CompletableFuture<Response> exchange(Request request) {
    CompletableFuture<Response> head = new CompletableFuture<>();
    head.whenComplete(
        (r, t) -> {
          if (t instanceof CancellationException) {
            request.abort(t);
          }
        });
    request.send(
        new Response.Listener() {
          private long read;

          @Override
          public void onHeaders(Response response) {
            head.complete(response);
          }

          @Override
          public void onContent(Response response, ByteBuffer content) {
            read += content.remaining();
            if (read > MAX_ANSWER_BODY) {
              response.abort(
                  new IOException("the answer's body is over " + MAX_ANSWER_BODY + " bytes"));
            }
          }

          @Override
          public void onComplete(Result result) {
            if (result.isFailed() && !head.isDone()) {
              head.completeExceptionally(ioException(result.getFailure()));
            }
          }
        });
    return head;
  }

  private static IOException ioException(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof TimeoutException) {
      SocketTimeoutException s = new SocketTimeoutException("no answer: " + t.getMessage());
      s.initCause(t);
      return s;
    }
    return new IOException(t);
  }

  /**
   * The client's resolver: the addresses the request's check approved (its destination's tag),
   * never a lookup of its own. A request made elsewhere than {@link #newRequest} has none, and
   * fails.
   */
  private static void checkedAddresses(
      String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> p) {
    Object d = context.get(Destination.CONTEXT_KEY);
    Object tag = d instanceof Destination destination ? destination.getOrigin().getTag() : null;
    if (tag instanceof Checked checked) {
      p.succeeded(checked.addresses.stream().map(a -> new InetSocketAddress(a, port)).toList());
    } else {
      p.failed(new UnknownHostException(host + ": no checked addresses to connect to"));
    }
  }

  /** The addresses a check approved: a request's tag, so its destination's too. */
  private record Checked(List<InetAddress> addresses) {}
}
