package dev.herald.server.internal;

import dev.herald.TimeSource;
import dev.herald.server.Access;
import dev.herald.server.GatewayStore;
import dev.herald.server.Principal;
import dev.herald.server.ServerLimits;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running server's state, shared by its endpoint groups: the store, who may do what, the
 * limits, the clock. Each group of endpoints is a class of its own ({@link PublishApi}, {@link
 * StreamApi}, {@link WebhookApi}, {@link AdminApi}, {@link DashboardApi}) that declares its routes
 * in {@link Api#routes}; this class only wires them and the cross-cutting filters (authentication,
 * limits, errors) around them.
 *
 * <p>Threads: made and closed by the thread that starts and stops the server; read by the HTTP
 * library's request threads.
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server");

  /** The request attribute holding the authenticated {@link Principal}. */
  static final String PRINCIPAL = "herald.principal";

  private final GatewayStore store;
  private final Access access;
  private final ServerLimits limits;
  private final List<String> corsOrigins;
  private final TimeSource time;
  private final boolean allowPrivateWebhookTargets;
  private final List<X509Certificate> webhookTrustedCertificates;
  private final WebhookProxy webhookProxy; // null: none
  private final List<Api> apis;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  /** Jetty's request threads, once the app is created. */
  private volatile Executor requestThreads;

  private final GatewayStats stats = new GatewayStats();

  public Gateway(
      GatewayStore store,
      Access access,
      ServerLimits limits,
      List<String> corsOrigins,
      TimeSource time,
      boolean allowPrivateWebhookTargets,
      List<X509Certificate> webhookTrustedCertificates,
      WebhookProxy webhookProxy) {
    this.store = store;
    this.access = access;
    this.limits = limits;
    this.corsOrigins = corsOrigins;
    this.time = time;
    this.allowPrivateWebhookTargets = allowPrivateWebhookTargets;
    this.webhookTrustedCertificates = List.copyOf(webhookTrustedCertificates);
    this.webhookProxy = webhookProxy;
    StreamApi streams = new StreamApi(this);
    WebhookApi webhooks = new WebhookApi(this);
    stats.gauge(GatewayStats.STREAMS, streams::openStreams);
    stats.gauge(GatewayStats.WEBHOOKS, webhooks::size);
    this.apis =
        List.of(
            new PublishApi(this), streams, webhooks, new AdminApi(this), new DashboardApi(this));
  }

  GatewayStore store() {
    return store;
  }

  Access access() {
    return access;
  }

  ServerLimits limits() {
    return limits;
  }

  List<String> corsOrigins() {
    return corsOrigins;
  }

  TimeSource time() {
    return time;
  }

  /** Whether webhooks may target non-public addresses although tokens are required. */
  boolean allowPrivateWebhookTargets() {
    return allowPrivateWebhookTargets;
  }

  /** Certificates webhooks' HTTPS targets may chain to besides the JVM's default trust. */
  List<X509Certificate> webhookTrustedCertificates() {
    return webhookTrustedCertificates;
  }

  /** The proxy webhooks' requests go through; null for none. */
  WebhookProxy webhookProxy() {
    return webhookProxy;
  }

  GatewayStats stats() {
    return stats;
  }

  /**
   * Runs a request's continuation (its answer, once the store has stored the event) on Jetty's
   * request threads, never on the thread that completed the store's future: that is the store's own
   * writer (the log's), and writing an answer may wait for a client that does not read. When Jetty
   * refuses the task (it is stopping), the continuation runs where it is, to answer anyway.
   */
  void onRequestThread(Runnable continuation) {
    Executor threads = requestThreads;
    if (threads == null) {
      continuation.run();
      return;
    }
    try {
      threads.execute(continuation);
    } catch (RejectedExecutionException e) {
      continuation.run();
    }
  }

  /** Something to close when the server stops (a stream, a webhook's subscription). */
  void onClose(AutoCloseable c) {
    closeables.add(c);
  }

  /** The principal of a request that passed authentication. */
  static Principal principal(Context ctx) {
    Principal p = ctx.attribute(PRINCIPAL);
    if (p == null) {
      throw new IllegalStateException("no principal: the request skipped authentication");
    }
    return p;
  }

  public Javalin createApp(String host, int port) {
    return Javalin.create(
        config -> {
          config.jetty.host = host;
          config.jetty.port = port;
          config.http.maxRequestSize = limits.maxBodyBytes();
          config.startup.showJavalinBanner = false;
          config.jetty.modifyHttpConfiguration(
              http -> {
                http.setRequestHeaderSize(limits.maxHeaderBytes());
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
              });
          config.jetty.addConnector(
              (server, http) -> {
                ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
                c.setHost(host);
                c.setPort(port);
                c.setIdleTimeout(limits.idleTimeout().toMillis());
                return c;
              });
          // Errors Jetty answers before any route (a head over the limit: 431; a request it cannot
          // parse: 400) are problems too.
          config.jetty.modifyServer(
              server -> {
                server.setErrorHandler(new ProblemErrorHandler());
                requestThreads = server.getThreadPool();
              });
          RoutesConfig routes = config.routes;
          Authentication.routes(this, routes);
          Errors.routes(routes);
          for (Api api : apis) {
            api.routes(routes);
          }
        });
  }

  /**
   * Says, once the server listens on {@code host}, that it is in development mode when it has no
   * tokens: after the start rather than before it, so that a start that fails says only why.
   */
  public void started(String host) {
    if (!access.required()) {
      LOG.warn(
          "development mode: no tokens, every request to {} may do everything (start with"
              + " --tokens FILE to require tokens)",
          host);
    }
  }

  /** Closes what the endpoints left open, newest first. */
  public void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", closeables.get(i), e);
      }
    }
    closeables.clear();
  }

  /**
   * Writes the errors that Jetty answers itself, before any route runs (a head over the limit, a
   * request it cannot parse), as RFC 9457 problems. A request line in an HTTP version other than
   * 1.0 or 1.1 (Jetty's 505, or 426 for HTTP/2.0) is answered 400: malformed input is never a 5xx,
   * which would count as the server's failure. On Jetty's threads; stateless.
   */
  private static final class ProblemErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(
        Request request,
        Response response,
        int status,
        String message,
        Throwable cause,
        Callback cb) {
      // Jetty answers a request line of HTTP/2.0 with 426 (asking for an upgrade to h2c, which
      // this server does not offer) and other versions with 505: both are the client's version.
      boolean version = status == 505 || status == 426;
      int code = version ? 400 : status;
      String detail =
          version
              ? "unsupported HTTP version: this server speaks HTTP/1.1"
              : message == null || message.isBlank() ? Errors.title(code) : message;
      Map<String, Object> problem = new LinkedHashMap<>();
      problem.put("type", "about:blank");
      problem.put("title", Errors.title(code));
      problem.put("status", code);
      problem.put("detail", detail);
      response.setStatus(code);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
      response.write(
          true, ByteBuffer.wrap(Json.write(problem).getBytes(StandardCharsets.UTF_8)), cb);
    }
  }

  /** A group of endpoints. */
  interface Api {
    void routes(RoutesConfig routes);
  }
}
