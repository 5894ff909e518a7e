package dev.herald.server;

import dev.herald.TimeSource;
import dev.herald.server.internal.Gateway;
import dev.herald.server.internal.WebhookProxy;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Herald's HTTP gateway over one {@link GatewayStore}: publish ({@code POST /v1/events}, the
 * CloudEvents HTTP binding), resumable Server-Sent Events streams ({@code GET /v1/events/stream}),
 * webhooks ({@code /v1/subscriptions}), the admin endpoints ({@code /v1/groups}, {@code
 * /v1/deadletters}, {@code /v1/stats}, {@code /v1/health}) and the dashboard at {@code /}. The
 * endpoints are described in {@code docs/server.md}.
 *
 * <pre>{@code
 * try (GatewayStore store = LogGatewayStore.open(Path.of("herald-data"));
 *     HeraldServer server = HeraldServer.builder(store).port(8080).start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Threads: the server answers on its HTTP library's threads; {@link #close()} stops them. It
 * never closes the store it was given.
 *
 * <p>Logs through SLF4J under {@code dev.herald.server}, {@code dev.herald.server.streams}, {@code
 * dev.herald.server.webhooks} and {@code dev.herald.server.deadletters} (docs/logging.md); it
 * brings no SLF4J backend: the application embedding it does.
 */
public final class HeraldServer implements AutoCloseable {
  private final Javalin app;
  private final Gateway gateway;
  private final String host;

  private HeraldServer(Javalin app, Gateway gateway, String host) {
    this.app = app;
    this.gateway = gateway;
    this.host = host;
  }

  /** What {@link #whyCannotListen} says of an address another server listens on already. */
  public static final String ADDRESS_IN_USE = "the address is in use (another server there?)";

  /**
   * Why a server could not listen on {@code host:port} now, found by binding it and letting it go
   * again, before anything is made for the server (a log directory, say): {@link #ADDRESS_IN_USE},
   * or the system's reason; empty when it can, and for port 0 (any free port). Another process may
   * still take the port before the server binds it, which {@link Builder#start} then refuses.
   */
  public static Optional<String> whyCannotListen(String host, int port) {
    if (port == 0) {
      return Optional.empty();
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as the server's connector: a closed server's port is free
      probe.bind(new InetSocketAddress(host, port));
      return Optional.empty();
    } catch (BindException e) {
      String m = String.valueOf(e.getMessage());
      return Optional.of(m.toLowerCase(Locale.ROOT).contains("in use") ? ADDRESS_IN_USE : m);
    } catch (IOException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  /** A builder of a server over {@code store}: {@code builder().store(store)}. */
  public static Builder builder(GatewayStore store) {
    return new Builder().store(store);
  }

  /**
   * A builder without its store yet: configured (and its options checked) before the store is
   * opened, so that a bad option leaves nothing behind; {@link Builder#store} before {@link
   * Builder#start}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The port the server listens on (the one it was given, or the free one it took for 0). */
  public int port() {
    return app.port();
  }

  /** The server's base address, such as {@code http://127.0.0.1:8080}. */
  public URI uri() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    if ("0.0.0.0".equals(host) || "::".equals(host)) {
      h = "127.0.0.1";
    }
    return URI.create("http://" + h + ":" + port());
  }

  /**
   * Stops answering: open streams end, webhooks stop at once (a delivery in flight is abandoned,
   * and its event, with those queued behind it, stays stored for the webhook's group, neither
   * acknowledged nor dead-lettered, for the next gateway over the store); the store stays open.
   * Idempotent.
   */
  @Override
  public void close() {
    gateway.close();
    app.stop();
  }

  /** Configures a server. Not safe for use from multiple threads. */
  public static final class Builder {
    private GatewayStore store; // null until given
    private String host = "127.0.0.1";
    private int port = 8080;
    private Access access = Access.openToLoopback();
    private ServerLimits limits = ServerLimits.defaults();
    private List<String> corsOrigins = List.of();
    private TimeSource timeSource = TimeSource.system();
    private boolean allowPrivateWebhookTargets;
    private List<X509Certificate> webhookTrustedCertificates = List.of();
    private WebhookProxy webhookProxy; // null: none

    private Builder() {}

    /** The store the server publishes to and reads from; it never closes it. */
    public Builder store(GatewayStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The interface to listen on; default 127.0.0.1. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; 0 takes a free one. Default 8080. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: must be within [0, 65535], was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Who may do what; default {@link Access#openToLoopback()}, with which the server refuses any
     * host but a loopback one.
     */
    public Builder access(Access access) {
      this.access = Objects.requireNonNull(access, "access");
      return this;
    }

    public Builder limits(ServerLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Origins allowed to call the API from a browser page of theirs; none by default. */
    public Builder corsOrigins(List<String> origins) {
      this.corsOrigins = List.copyOf(origins);
      return this;
    }

    /**
     * Whether a webhook may target a host that resolves to a loopback, link-local, private,
     * any-local, multicast or carrier-grade NAT address while tokens are required ({@code ./herald
     * serve --allow-private-webhooks}). Default false: with tokens such a URL is refused (400
     * naming {@code url}) when the subscription is made and before each delivery, so a subscriber
     * cannot make the server call into its own network. Without tokens (development) every target
     * is allowed whatever this says.
     */
    public Builder allowPrivateWebhookTargets(boolean allow) {
      this.allowPrivateWebhookTargets = allow;
      return this;
    }

    /**
     * Certificates that webhooks' HTTPS targets may chain to, in addition to those the JVM trusts
     * by default ({@code ./herald serve --webhook-ca FILE}): a PEM file holding one or more {@code
     * -----BEGIN CERTIFICATE-----} blocks, such as a private CA's certificate or a target's
     * self-signed one. The file is read now, once; a later change to it is not seen. Host names are
     * verified either way: a target's certificate must name the URL's host. By default only the
     * JVM's trust (its {@code cacerts}, or {@code javax.net.ssl.trustStore}).
     *
     * @throws IllegalArgumentException if the file is missing, cannot be read or holds no PEM
     *     certificate; the message names the file
     */
    public Builder webhookTrustedCertificates(Path pemFile) {
      this.webhookTrustedCertificates =
          PemCertificates.read(Objects.requireNonNull(pemFile, "pemFile"));
      return this;
    }

    /**
     * The HTTP forward proxy every webhook request goes through ({@code ./herald serve
     * --webhook-proxy HOST:PORT}), as {@code HOST:PORT} or {@code http://HOST:PORT} (an IPv6 host
     * in brackets): plain HTTP targets as absolute-form requests to it, HTTPS ones through a {@code
     * CONNECT} tunnel, their certificates still verified against the URL's host. A proxy that asks
     * for credentials is given them as {@code http://USER:PASSWORD@HOST:PORT} (percent-encode a
     * {@code :}, {@code @} or {@code %} within them): they go with every request and every {@code
     * CONNECT} as HTTP Basic ({@code Proxy-Authorization}), and a proxy that still refuses (407)
     * fails the attempt, retried and dead-lettered like any failure. The check of targets on a
     * server with tokens still runs first, on the addresses the URL's host resolves to on this
     * machine (so there it must resolve here too; where nothing is checked, nothing is resolved
     * here); the proxy then resolves the name itself, so its own egress rules are what keeps a name
     * whose DNS answer changed since from reaching a private address. By default none: requests go
     * straight to their targets, and the JVM's proxy properties ({@code http.proxyHost}, ...) are
     * not read.
     *
     * @throws IllegalArgumentException if the value has no port or one outside [1, 65535], another
     *     scheme than {@code http}, a path, or user info that is not {@code USER:PASSWORD}; the
     *     message starts with {@code webhookProxy: } and never repeats the user info
     */
    public Builder webhookProxy(String hostAndPort) {
      Objects.requireNonNull(hostAndPort, "hostAndPort");
      try {
        this.webhookProxy = WebhookProxy.parse(hostAndPort);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("webhookProxy: " + e.getMessage(), e);
      }
      return this;
    }

    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Checks the options against one another, as {@link #start} does first, without the store: so
     * that a program can refuse a bad combination before it opens one.
     *
     * @throws IllegalArgumentException if the access is open and the host is not a loopback one
     */
    public Builder validate() {
      if (!access.required() && !isLoopback(host)) {
        throw new IllegalArgumentException(
            "host: without tokens the server listens on a loopback interface only, was " + host);
      }
      return this;
    }

    /**
     * Starts the server.
     *
     * @throws IllegalStateException if the port cannot be bound, or no store was given
     * @throws IllegalArgumentException if the access is open and the host is not a loopback one
     */
    public HeraldServer start() {
      if (store == null) {
        throw new IllegalStateException("no store: give one with store(GatewayStore)");
      }
      validate();
      Gateway gateway =
          new Gateway(
              store,
              access,
              limits,
              corsOrigins,
              timeSource,
              allowPrivateWebhookTargets,
              webhookTrustedCertificates,
              webhookProxy);
      Javalin app = gateway.createApp(host, port);
      try {
        app.start();
      } catch (RuntimeException e) {
        gateway.close();
        throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e, e);
      }
      gateway.started(host);
      return new HeraldServer(app, gateway, host);
    }

    private static boolean isLoopback(String host) {
      try {
        return InetAddress.getByName(host).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
  }
}
