package dev.herald.server.internal;

import java.io.IOException;
import java.net.ConnectException;
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
import org.eclipse.jetty.client.BasicAuthentication;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpProxy;
import org.eclipse.jetty.client.HttpResponseException;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.ProxyConfiguration;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
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
 * certificate must match). Redirects are not followed.
 *
 * <p>A proxy, when the client is made with one ({@link WebhookProxy}), carries every request: a
 * plain HTTP one as an absolute-form request to it, an HTTPS one through a {@code CONNECT} tunnel,
 * TLS still verified end to end against the URL's host. The check above, when the targets are
 * checked (with tokens), still runs before anything is sent, on the addresses the host resolves to
 * here; when they are not, nothing is resolved here for a proxied request, so a name only the
 * proxy's DNS knows is reachable; the connection then goes to the proxy (its name resolved
 * normally: the operator chose it, it is not a target), and the proxy resolves the target's name
 * itself, so it is the proxy's own egress rules that keep a name whose DNS answer changed after the
 * check from reaching a private address. A connection the proxy refuses fails naming it. A proxy
 * given credentials gets them (HTTP Basic, {@code Proxy-Authorization}) with every request and
 * every {@code CONNECT}; one that still answers 407 fails the attempt like any other refusal. The
 * JVM's proxy properties ({@code http.proxyHost}, ...) are never read.
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
  private final WebhookProxy proxy; // null: none
  private final SocketAddressResolver proxyResolver; // null without a proxy

  /**
   * A client whose HTTPS targets must present a certificate the JVM trusts by default; no proxy.
   */
  WebhookClient(WebhookTargets targets) {
    this(targets, List.of(), null);
  }

  /**
   * A client whose HTTPS targets may also present a certificate that chains to one of {@code
   * trusted}, and whose requests all go through {@code proxy} (null: none, they go straight to
   * their targets).
   */
  WebhookClient(WebhookTargets targets, List<X509Certificate> trusted, WebhookProxy proxy) {
    this.targets = targets;
    this.proxy = proxy;
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 1);
    threads.setName("herald-webhook-http");
    threads.setDaemon(true);
    ScheduledExecutorScheduler scheduler =
        new ScheduledExecutorScheduler("herald-webhook-http-scheduler", true);
    http = new HttpClient();
    http.setSslContextFactory(WebhookTls.client(trusted));
    http.setExecutor(threads);
    http.setScheduler(scheduler);
    http.setSocketAddressResolver(this::resolve);
    if (proxy != null) {
      HttpProxy httpProxy = new HttpProxy(proxy.host(), proxy.port());
      http.getProxyConfiguration().addProxy(httpProxy);
      if (proxy.hasCredentials()) {
        // Given at once with every request to the proxy and every CONNECT, not after a 407: a
        // proxy that asks would otherwise cost each delivery a round trip.
        http.getAuthenticationStore()
            .addAuthenticationResult(
                new BasicAuthentication.BasicResult(
                    httpProxy.getURI(),
                    HttpHeader.PROXY_AUTHORIZATION,
                    proxy.user(),
                    proxy.password()));
      }
      proxyResolver =
          new SocketAddressResolver.Async(threads, scheduler, CONNECT_TIMEOUT.toMillis());
    } else {
      proxyResolver = null;
    }
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
    // Through a proxy the proxy resolves the name: here only a check needs it (with tokens), so a
    // target whose name resolves only beyond the proxy is reachable when nothing is checked.
    List<InetAddress> addresses =
        proxy != null && !targets.checks() ? List.of() : targets.addresses(url);
    return http.newRequest(url)
        .tag(new Checked(addresses))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Sends {@code request}, made by {@link #newRequest}; the future completes with the answer once
   * its head is in. Cancelling the future aborts the exchange (its connection is closed). It fails
   * with an {@link IOException} when no answer came: {@link SocketTimeoutException} when the
   * request timed out.
   */
  CompletableFuture<Response> exchange(Request request) {
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

  /**
   * What an answer's {@code status} says beyond its number, when it is the proxy's rather than the
   * target's: {@code ""} unless it is a 407 through a proxy.
   */
  String proxyNote(int status) {
    String why = authentication(status);
    return why.isEmpty()
        ? ""
        : " Proxy Authentication Required, by the webhook proxy " + proxy + ": " + why;
  }

  /** Why the proxy answered 407; {@code ""} for another status, or without a proxy. */
  private String authentication(int status) {
    if (proxy == null || status != 407) {
      return "";
    }
    return proxy.hasCredentials()
        ? "the credentials given it were refused"
        : "it asks for credentials: http://USER:PASSWORD@" + proxy;
  }

  /**
   * The failure as an I/O one. Through a proxy, a refused connection is the proxy's (the client
   * never connects to the target itself), so its message names the proxy.
   */
  private IOException ioException(Throwable t) {
    if (proxy != null && t instanceof ConnectException c) {
      ConnectException named =
          new ConnectException("webhook proxy " + proxy + ": " + c.getMessage());
      named.initCause(c);
      return named;
    }
    if (proxy != null
        && t instanceof HttpResponseException h
        && h.getResponse() != null
        && h.getResponse().getRequest().getMethod().equals("CONNECT")) {
      // The proxy would not open the tunnel: its answer, not Jetty's description of its objects.
      Response r = h.getResponse();
      int status = r.getStatus();
      String why = authentication(status);
      IOException refused =
          new IOException(
              "webhook proxy "
                  + proxy
                  + " refused CONNECT "
                  + r.getRequest().getPath() // a CONNECT's target: HOST:PORT
                  + ": "
                  + status
                  + (why.isEmpty() ? "" : " Proxy Authentication Required: " + why));
      refused.initCause(t);
      return refused;
    }
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
   * The client's resolver. A request that goes through the proxy connects to the proxy: its name is
   * resolved as any would be. Any other connects to the addresses the request's check approved (its
   * destination's tag), never a lookup of its own; a request made elsewhere than {@link
   * #newRequest} has none, and fails.
   */
  private void resolve(
      String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> p) {
    Object d = context.get(Destination.CONTEXT_KEY);
    if (!(d instanceof Destination destination)) {
      p.failed(new UnknownHostException(host + ": no checked addresses to connect to"));
      return;
    }
    ProxyConfiguration.Proxy via = destination.getProxy();
    if (via != null) {
      // Jetty asks for the proxy's address only; anything else would be a target left unchecked.
      Origin.Address a = via.getAddress();
      if (proxyResolver != null && a.getHost().equals(host) && a.getPort() == port) {
        proxyResolver.resolve(host, port, context, p);
      } else {
        p.failed(new UnknownHostException(host + ": not the webhook proxy"));
      }
      return;
    }
    if (destination.getOrigin().getTag() instanceof Checked checked) {
      p.succeeded(checked.addresses.stream().map(a -> new InetSocketAddress(a, port)).toList());
    } else {
      p.failed(new UnknownHostException(host + ": no checked addresses to connect to"));
    }
  }

  /** The addresses a check approved: a request's tag, so its destination's too. */
  private record Checked(List<InetAddress> addresses) {}
}
