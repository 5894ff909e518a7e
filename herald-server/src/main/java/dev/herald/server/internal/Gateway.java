package dev.herald.server.internal;

import dev.herald.TimeSource;
import dev.herald.server.Access;
import dev.herald.server.GatewayStore;
import dev.herald.server.Principal;
import dev.herald.server.ServerLimits;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
  /** The request attribute holding the authenticated {@link Principal}. */
  static final String PRINCIPAL = "herald.principal";

  private final GatewayStore store;
  private final Access access;
  private final ServerLimits limits;
  private final List<String> corsOrigins;
  private final TimeSource time;
  private final List<Api> apis;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private final GatewayStats stats = new GatewayStats();

  public Gateway(
      GatewayStore store,
      Access access,
      ServerLimits limits,
      List<String> corsOrigins,
      TimeSource time) {
    this.store = store;
    this.access = access;
    this.limits = limits;
    this.corsOrigins = corsOrigins;
    this.time = time;
    this.apis =
        List.of(
            new PublishApi(this),
            new StreamApi(this),
            new WebhookApi(this),
            new AdminApi(this),
            new DashboardApi(this));
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

  GatewayStats stats() {
    return stats;
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
          RoutesConfig routes = config.routes;
          Authentication.routes(this, routes);
          Errors.routes(routes);
          for (Api api : apis) {
            api.routes(routes);
          }
        });
  }

  /** Closes what the endpoints left open, newest first. */
  public void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        System.getLogger(Gateway.class.getName())
            .log(System.Logger.Level.WARNING, "closing " + closeables.get(i) + " failed", e);
      }
    }
    closeables.clear();
  }

  /** A group of endpoints. */
  interface Api {
    void routes(RoutesConfig routes);
  }
}
