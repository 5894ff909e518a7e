package dev.herald.cli;

import dev.herald.CloseReport;
import dev.herald.server.Access;
import dev.herald.server.GatewayStore;
import dev.herald.server.HeraldServer;
import dev.herald.server.TokenAccess;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code herald serve}: the HTTP gateway over a log directory or Kafka, until SIGINT or SIGTERM.
 * The calling thread starts the server, then waits; a shutdown hook (SIGINT, SIGTERM) releases it,
 * and it closes the server, then the bus (printing what it could not deliver) and the store, while
 * the hook waits for it. When {@link Main#main} owns the process, the hook then ends the JVM with
 * status 0: a signal asked for the stop, and the stop was clean.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the HTTP gateway (API and dashboard) over a log directory (--data, default"
          + " ./herald-data) or Kafka, until Ctrl-C or SIGTERM.",
      "Without --tokens it lets every request in and listens on a loopback address only.",
      "Exit status: 0 stopped by a signal, 1 could not start (port in use, directory locked),"
          + " 2 usage error (bad option, bad tokens, --webhook-ca file or --webhook-proxy)."
    })
final class ServeCommand implements Callable<Integer> {
  static final Path DEFAULT_DATA = Path.of("herald-data");
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "The port (default: ${DEFAULT-VALUE}; 0 takes a free one).")
  int port;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "The interface to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @ArgGroup(exclusive = true)
  StoreOptions store;

  @Mixin KafkaOptions kafkaTopics;

  @Option(
      names = "--tokens",
      paramLabel = "FILE",
      description = "Bearer tokens and what each may do; without it, a development server.")
  Path tokens;

  @Option(
      names = "--allow-private-webhooks",
      description =
          "With --tokens, let webhooks target loopback, link-local, private, any-local, multicast"
              + " and carrier-grade NAT addresses (refused by default; always allowed without"
              + " --tokens).")
  boolean allowPrivateWebhooks;

  @Option(
      names = "--webhook-ca",
      paramLabel = "FILE",
      description =
          "PEM file of certificates (a private CA's, or a target's self-signed one) that HTTPS"
              + " webhook targets may chain to, besides the JVM's default trust; host names are"
              + " verified either way.")
  Path webhookCa;

  @Option(
      names = "--webhook-proxy",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:HERALD_WEBHOOK_PROXY}",
      description =
          "HTTP proxy every webhook request goes through (HOST:PORT or http://HOST:PORT): http"
              + " targets as proxied requests, https ones in a CONNECT tunnel, certificates still"
              + " verified against the target's host. Targets are still checked here first. A"
              + " proxy that asks for credentials: http://USER:PASSWORD@HOST:PORT, best given in"
              + " the environment variable HERALD_WEBHOOK_PROXY (the default), where other users'"
              + " ps does not show it.")
  String webhookProxy;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--port must be within [0, 65535]: " + port);
    }
    kafkaTopics.requireKafka(spec, store != null && store.kafka != null);
    Access access = tokens == null ? Access.openToLoopback() : tokens(tokens);
    StoreOptions where = store;
    if (where == null) {
      where = new StoreOptions();
      where.data = DEFAULT_DATA;
    }
    PrintWriter out = spec.commandLine().getOut();
    // Every option is checked before the store is opened: a usage error creates no --data dir.
    HeraldServer.Builder configured = configure(access);
    // So is the port, so that the most common failure to start (another server there) is its one
    // line only: no --data directory made, no line of the HTTP library's failing start.
    requireCanListen();
    GatewayStore opened =
        where.open(
            "another 'herald serve' or application has it open; stop it or pick --data",
            kafkaTopics);
    HeraldServer server;
    try {
      server = start(configured.store(opened));
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
    Thread hook = new Thread(this::stopAndWait, "herald-serve-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      out.println("Herald gateway listening on " + server.uri());
      out.println("store: " + where.describe());
      if (!access.required()) {
        out.println(
            "development mode: no --tokens, so every request is allowed; listening on "
                + host
                + " only");
      }
      out.println("dashboard: " + server.uri() + "/   stop: Ctrl-C or SIGTERM");
      out.flush();
      stop.await();
    } finally {
      out.println("stopping: closing the gateway, then draining the bus");
      out.flush();
      server.close();
      CloseReport report = opened.bus().close(DRAIN_TIMEOUT);
      opened.close();
      out.println(drainReport(report));
      out.flush();
      closed.countDown();
      ShutdownHooks.remove(hook);
    }
    return 0;
  }

  /** The gateway as the options say, without its store; a bad option is a usage error. */
  HeraldServer.Builder configure(Access access) {
    HeraldServer.Builder server =
        HeraldServer.builder()
            .host(host)
            .port(port)
            .access(access)
            .allowPrivateWebhookTargets(allowPrivateWebhooks);
    if (webhookCa != null) {
      try {
        server.webhookTrustedCertificates(webhookCa);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--webhook-ca: " + e.getMessage(), e);
      }
    }
    if (webhookProxy != null) {
      try {
        server.webhookProxy(webhookProxy);
      } catch (IllegalArgumentException e) {
        String m = e.getMessage();
        String prefix = "webhookProxy: ";
        throw new ParameterException(
            spec.commandLine(),
            "--webhook-proxy: " + (m.startsWith(prefix) ? m.substring(prefix.length()) : m),
            e);
      }
    }
    try {
      return server.validate();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** Starts the configured gateway. */
  HeraldServer start(HeraldServer.Builder server) {
    try {
      return server.start();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    } catch (IllegalStateException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof BindException b) {
          throw cannotListen(b);
        }
      }
      throw new Failure(e.getMessage(), e);
    }
  }

  /**
   * Binds {@code --host:--port} and lets it go again, before the store is opened. The gateway binds
   * it again a moment later; another process taking the port in between is still refused then, by
   * {@link #start}, with the same line (and the HTTP library's own).
   *
   * @throws Failure when the address cannot be bound
   */
  private void requireCanListen() {
    HeraldServer.whyCannotListen(host, port)
        .ifPresent(
            why -> {
              throw cannotListen(why, null);
            });
  }

  /** The gateway's bind failed after all (another process took the port since the check). */
  private Failure cannotListen(BindException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    return cannotListen(
        m.toLowerCase(Locale.ROOT).contains("in use") ? HeraldServer.ADDRESS_IN_USE : m, e);
  }

  private Failure cannotListen(String why, Throwable cause) {
    return new Failure(
        "cannot listen on "
            + host
            + ":"
            + port
            + ": "
            + (why.equals(HeraldServer.ADDRESS_IN_USE) ? why + "; pick another --port" : why),
        cause);
  }

  /** The tokens file's access; a file that is missing or not a tokens file is a usage error. */
  private Access tokens(Path file) {
    try {
      return TokenAccess.load(file);
    } catch (NoSuchFileException e) {
      throw new ParameterException(spec.commandLine(), "--tokens: no such file: " + file, e);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "--tokens: cannot read " + file + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--tokens: " + e.getMessage(), e);
    }
  }

  static String drainReport(CloseReport report) {
    if (report.totalUndelivered() == 0) {
      return "stopped: the bus drained"
          + (report.drained() ? "" : " (timed out)")
          + ", nothing undelivered";
    }
    StringBuilder s =
        new StringBuilder("stopped: ").append(report.totalUndelivered()).append(" undelivered:");
    report.undelivered().forEach((name, n) -> s.append(' ').append(name).append('=').append(n));
    return s.toString();
  }

  /** The shutdown hook: releases the serving thread and waits until it closed everything. */
  private void stopAndWait() {
    stop.countDown();
    try {
      if (closed.await(DRAIN_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS) && Main.ownsProcess()) {
        // The JVM would end with 128 + the signal; the stop was asked for and clean, so 0.
        Runtime.getRuntime().halt(0);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
