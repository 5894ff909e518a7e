package dev.herald.server;

import dev.herald.server.testing.SelfSigned;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A webhook target for tests: an HTTP server (Javalin, as the gateway) on a free loopback port, one
 * {@link Target} per path, each recording what it received and answering as its test scripts it.
 * {@link #https} makes one whose targets are HTTPS URLs.
 */
final class WebhookReceiver implements AutoCloseable {
  private final Javalin server;
  private final String base;
  private final Map<String, Target> targets = new ConcurrentHashMap<>();
  private final AtomicInteger names = new AtomicInteger();

  /** Plain HTTP; targets' URLs are {@code http://127.0.0.1:PORT/...}. */
  WebhookReceiver() {
    server = Javalin.create(this::configure).start();
    base = "http://127.0.0.1:" + server.port();
  }

  private WebhookReceiver(SelfSigned certificate) throws Exception {
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setSslContext(certificate.serverContext());
    ServerConnector[] https = new ServerConnector[1];
    server =
        Javalin.create(
                config -> {
                  configure(config);
                  config.jetty.addConnector(
                      (jetty, http) -> {
                        HttpConfiguration secure = new HttpConfiguration(http);
                        // Marks requests as secure (Context.scheme() is https); the SNI checks are
                        // off so that only the gateway's verification refuses a certificate.
                        SecureRequestCustomizer customizer = new SecureRequestCustomizer();
                        customizer.setSniHostCheck(false);
                        secure.addCustomizer(customizer);
                        https[0] =
                            new ServerConnector(jetty, tls, new HttpConnectionFactory(secure));
                        https[0].setHost("127.0.0.1");
                        https[0].setPort(0);
                        return https[0];
                      });
                })
            .start();
    base = "https://localhost:" + https[0].getLocalPort();
  }

  /**
   * A receiver that answers HTTPS on a port of its own, with {@code certificate}'s key and
   * certificate, on 127.0.0.1; targets' URLs are {@code https://localhost:PORT/...}, so that the
   * gateway verifies the certificate against the name {@code localhost}.
   */
  static WebhookReceiver https(SelfSigned certificate) throws Exception {
    return new WebhookReceiver(certificate);
  }

  private void configure(JavalinConfig config) {
    config.jetty.host = "127.0.0.1";
    config.jetty.port = 0;
    config.startup.showJavalinBanner = false;
    config.routes.options("/{name}", this::handle);
    config.routes.post("/{name}", this::handle);
  }

  /** A new target at a path of its own. */
  Target target() {
    String name = "t" + names.incrementAndGet();
    Target t = new Target(base + "/" + name);
    targets.put(name, t);
    return t;
  }

  private void handle(Context ctx) {
    Target t = targets.get(ctx.pathParam("name"));
    byte[] body = ctx.bodyAsBytes();
    if (t == null) {
      ctx.status(404);
      return;
    }
    t.handle(ctx, body);
  }

  @Override
  public void close() {
    server.stop();
  }

  /** What one request brought. */
  record Received(
      String method, String scheme, Map<String, String> headers, byte[] body, long nanos) {
    String header(String name) {
      return headers.get(name);
    }
  }

  static final class Answer {
    final int status;
    final Map<String, String> headers;

    Answer(int status, Map<String, String> headers) {
      this.status = status;
      this.headers = headers;
    }
  }

  static final class Target {
    final String url;
    final List<Received> posts = new CopyOnWriteArrayList<>();
    final List<Received> options = new CopyOnWriteArrayList<>();

    /** Answers to the next POSTs, in order; 200 once it is empty. */
    final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();

    /** The status of the handshake's answer. */
    volatile int optionsStatus = 200;

    /** The WebHook-Allowed-Origin answered; null to echo the request's origin. */
    volatile String allowedOrigin;

    /** Whether the handshake's answer carries WebHook-Allowed-Origin at all. */
    volatile boolean allowsAnyOrigin = true;

    Target(String url) {
      this.url = url;
    }

    Target answer(int status, String... headerPairs) {
      Map<String, String> h = new ConcurrentHashMap<>();
      for (int i = 0; i + 1 < headerPairs.length; i += 2) {
        h.put(headerPairs[i], headerPairs[i + 1]);
      }
      script.add(new Answer(status, h));
      return this;
    }

    private void handle(Context ctx, byte[] body) {
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.putAll(ctx.headerMap());
      Received r =
          new Received(ctx.method().name(), ctx.scheme(), headers, body, System.nanoTime());
      if (r.method().equals("OPTIONS")) {
        options.add(r);
        if (allowsAnyOrigin) {
          String origin =
              allowedOrigin != null ? allowedOrigin : r.header("WebHook-Request-Origin");
          if (origin != null) {
            ctx.header("WebHook-Allowed-Origin", origin);
          }
        }
        ctx.header("Allow", "POST");
        ctx.status(optionsStatus);
        return;
      }
      Answer a = script.poll();
      int status = a == null ? 200 : a.status;
      if (a != null) {
        a.headers.forEach(ctx::header);
      }
      // Recorded before the answer is sent, so a test sees it once the sender has its answer.
      posts.add(r);
      ctx.status(status);
    }
  }
}
