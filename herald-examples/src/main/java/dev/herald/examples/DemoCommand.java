package dev.herald.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.examples.shop.DemoReport;
import dev.herald.examples.shop.KafkaStockHistory;
import dev.herald.examples.shop.Progress;
import dev.herald.examples.shop.ShopDemo;
import dev.herald.examples.shop.SummaryTable;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.KafkaTransportException;
import dev.herald.kafka.embedded.EmbeddedKafka;
import dev.herald.log.LogCorruptedException;
import dev.herald.server.HeraldServer;
import dev.herald.server.LogGatewayStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herald demo}: runs the shop on the in-memory bus, or with {@code --durable DIR} on the
 * durable log, or on Kafka, and prints its summary; with {@code --serve}, runs the shop on the
 * durable log with the HTTP gateway and its dashboard until stopped. With {@code --json}, standard
 * output holds exactly one JSON object, the summary, and everything meant for a person (the table,
 * progress, notes) goes to standard error. Exit status as {@link Main} says: 0 when the run lost
 * nothing (and, on the log, no customer saw an order end twice), 1 when it did, 2 on bad usage, 74
 * when the directory, the log or the broker cannot be used.
 */
@Command(
    name = "demo",
    description =
        "Run the e-commerce shop demo on the in-memory event bus, the durable log or Kafka.",
    mixinStandardHelpOptions = true,
    versionProvider = HeraldVersion.class,
    footer = {
      "",
      "With --durable, the summary reports each figure over one stated scope: 'This run' (what this"
          + " process did) and 'Every run on this log' (the log's totals, earlier runs included); in"
          + " the JSON, the objects thisRun and allRuns (null off the log).",
      "",
      "Exit status: 0 nothing lost; 1 the run lost something, an order ended twice, or an"
          + " unexpected failure; 2 bad usage; 74 the directory, the log or the broker cannot be used."
    })
final class DemoCommand implements Callable<Integer> {
  static final int MAX_ORDERS = 10_000_000;

  @Spec CommandSpec spec;

  @Option(
      names = "--orders",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Orders to place (1 to 10000000; default ${DEFAULT-VALUE}).")
  int orders;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description =
          "Seed of the scenario: same seed, same business outcome (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--json",
      description =
          "Print the summary as exactly one JSON object on standard output; the table, progress and"
              + " notes go to standard error.")
  boolean json;

  @Option(
      names = "--durable",
      paramLabel = "DIR",
      description =
          "Run on the durable log in DIR (created if need be; it must be a directory this process can"
              + " read and write). A run killed half-way is finished by running the same command"
              + " again; the summary then tells this run's figures from those over every run.")
  Path durable;

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      description =
          "Run on Kafka at BOOTSTRAP (host:port[,host:port...]), or 'embedded' to start a one-node"
              + " broker in this process first.")
  String kafka;

  @Option(
      names = "--services",
      paramLabel = "LIST",
      split = ",",
      description =
          "With --kafka: the services this process runs, of orders, inventory, payment, shipping,"
              + " notification, analytics (default: all). The process with 'orders' places the"
              + " orders and prints the summary; a process without it serves until stopped (Ctrl-C).")
  List<String> services;

  @Option(
      names = "--progress",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "When standard output is not a terminal, print a progress line on standard error every"
              + " SECONDS (default ${DEFAULT-VALUE}); on a terminal the progress line is redrawn in"
              + " place.")
  double progressSeconds;

  @Option(
      names = "--serve",
      description =
          "Run the shop on the durable log (in --durable DIR, or a new directory under the system's"
              + " temporary directory) with the HTTP gateway and its dashboard over the same bus;"
              + " print the dashboard's address and place orders at a steady --rate until Ctrl-C"
              + " (without --orders, of a scenario of "
              + SERVE_ORDERS
              + " orders).")
  boolean serve;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description =
          "With --serve: the port of the gateway on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 takes a"
              + " free one).")
  int port;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "20",
      description =
          "With --serve: orders placed per second (0.1 to 1000; default ${DEFAULT-VALUE}).")
  double rate;

  /** With --serve and no --orders: the scenario's size, over an hour at the default rate. */
  static final int SERVE_ORDERS = 100_000;

  @Override
  public Integer call() throws Exception {
    if (serve) {
      return serve();
    }
    for (String option : List.of("--port", "--rate")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        throw usage(option + " needs --serve");
      }
    }
    if (orders < 1 || orders > MAX_ORDERS) {
      throw usage(
          "Invalid value for option '--orders': must be within [1, "
              + MAX_ORDERS
              + "], was "
              + orders);
    }
    if (!(progressSeconds >= 0.001 && progressSeconds <= 3600)) {
      throw usage(
          "Invalid value for option '--progress': must be within [0.001, 3600] seconds, was "
              + progressSeconds);
    }
    if (kafka != null && durable != null) {
      throw usage("--kafka and --durable are two different transports: choose one");
    }
    if (services != null && kafka == null) {
      throw usage("--services needs --kafka: only over Kafka can services run in other processes");
    }
    if (durable != null && durable.toString().isBlank()) {
      // Path.of("") is the current directory: the log would land among the user's files.
      throw usage("Invalid value for option '--durable': empty; name a directory for the log");
    }
    if (kafka != null && kafka.isBlank()) {
      // Else the transport's builder refuses it with an IllegalArgumentException, which reads as a
      // crash (exit 1, a stack trace) rather than a mistake on the command line.
      throw usage(
          "Invalid value for option '--kafka': empty; name the brokers (host:port[,host:port...])"
              + " or 'embedded'");
    }
    Set<String> here = new LinkedHashSet<>(services == null ? ShopDemo.SERVICES : services);
    if (services != null && here.isEmpty()) {
      // "--services ," splits into no names at all: a process that runs no service would serve
      // nothing until killed.
      throw usage(
          "Invalid value for option '--services': no service named; services: "
              + String.join(", ", ShopDemo.SERVICES));
    }
    for (String s : here) {
      if (!ShopDemo.SERVICES.contains(s)) {
        throw usage(
            "Invalid value for option '--services': no service '"
                + s
                + "'; services: "
                + String.join(", ", ShopDemo.SERVICES));
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    // With --json, standard output is for the one JSON object: a person's text goes to stderr.
    PrintWriter human = json ? err : spec.commandLine().getOut();
    Progress progress =
        System.console() != null
            ? Progress.redrawn(err)
            : Progress.lines(err, Duration.ofNanos((long) (progressSeconds * 1e9)));
    if (kafka != null) {
      return kafka(here, human, progress);
    }
    if (durable == null) {
      started("on the in-memory bus");
      return report(ShopDemo.run(orders, seed, progress), human);
    }
    try {
      DurableDirectory.check(durable);
    } catch (IOException e) {
      return ioError("cannot use --durable " + durable + ": " + DurableDirectory.describe(e));
    }
    started("on the durable log in " + durable);
    DemoReport report;
    try {
      report = ShopDemo.runDurable(orders, seed, durable, progress);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    } catch (IOException e) {
      return ioError("cannot use the log in " + durable + ": " + DurableDirectory.describe(e));
    } catch (UncheckedIOException e) {
      return ioError(
          "cannot use the log in " + durable + ": " + DurableDirectory.describe(e.getCause()));
    } catch (LogCorruptedException e) {
      return ioError(
          "cannot use the log in "
              + durable
              + ": "
              + e.getMessage()
              + "; see './herald log verify "
              + durable
              + "' and './herald log repair "
              + durable
              + "'");
    }
    return report(report, human);
  }

  /**
   * {@code --serve}: the shop on the durable log with the gateway over its bus, until the JVM is
   * asked to stop (Ctrl-C, SIGTERM); then the gateway and the bus close cleanly.
   */
  private int serve() throws Exception {
    if (kafka != null || services != null) {
      throw usage("--serve runs the shop on the durable log: --kafka and --services do not apply");
    }
    if (json) {
      throw usage("--serve runs until stopped and prints no summary: --json does not apply");
    }
    if (port < 0 || port > 65535) {
      throw usage("Invalid value for option '--port': must be within [0, 65535], was " + port);
    }
    if (!(rate >= 0.1 && rate <= 1000)) {
      throw usage("Invalid value for option '--rate': must be within [0.1, 1000], was " + rate);
    }
    boolean ordersGiven = spec.commandLine().getParseResult().hasMatchedOption("--orders");
    if (orders < 1 || orders > MAX_ORDERS) {
      throw usage(
          "Invalid value for option '--orders': must be within [1, "
              + MAX_ORDERS
              + "], was "
              + orders);
    }
    if (durable != null && durable.toString().isBlank()) {
      throw usage("Invalid value for option '--durable': empty; name a directory for the log");
    }
    int scenario = ordersGiven ? orders : SERVE_ORDERS;
    PrintWriter out = spec.commandLine().getOut();
    // Before anything is made or written: a port in use leaves no log directory or run record.
    String cannotListen = cannotListen(port);
    if (cannotListen != null) {
      return ioError(cannotListen);
    }
    Path dir = durable;
    try {
      if (dir == null) {
        dir = Files.createTempDirectory("herald-demo-");
      } else {
        DurableDirectory.check(dir);
      }
    } catch (IOException e) {
      return ioError(
          "cannot use "
              + (dir == null ? "a temporary directory" : "--durable " + dir)
              + ": "
              + DurableDirectory.describe(e));
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                // Let the gateway and the bus close before the JVM exits.
                stopped.await(ShopDemo.CLOSE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "herald-demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    Path logDir = dir;
    try {
      ShopDemo.LiveSummary summary =
          ShopDemo.live(
              logDir,
              scenario,
              seed,
              rate,
              (transport, bus) -> {
                HeraldServer server =
                    HeraldServer.builder(LogGatewayStore.over(transport, bus)).port(port).start();
                out.printf(
                    "Herald demo: the shop on the durable log in %s (kept after the demo),"
                        + " %s orders a second of %d, seed %d.%n",
                    logDir, rate, scenario, seed);
                out.println("Dashboard: " + server.uri() + "/");
                out.println(
                    "The gateway lets every request from this machine in (no tokens); stop with"
                        + " Ctrl-C.");
                out.flush();
                return server;
              },
              stop);
      out.printf(
          "Stopped. This run placed %d orders; during it %d orders shipped and %d were cancelled."
              + " The log, with every run's events, is in %s.%n",
          summary.placed(), summary.shipped(), summary.cancelled(), logDir);
      out.flush();
      return Main.OK;
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    } catch (IllegalStateException e) {
      return ioError(e.getMessage());
    } catch (IOException e) {
      return ioError("cannot use the log in " + logDir + ": " + DurableDirectory.describe(e));
    } catch (LogCorruptedException e) {
      return ioError("cannot use the log in " + logDir + ": " + e.getMessage());
    } finally {
      stopped.countDown();
    }
  }

  /** Says on stderr that the run started, before anything slow: a log or a pipe sees it at once. */
  private void started(String where) {
    PrintWriter err = spec.commandLine().getErr();
    err.printf("herald demo: %d orders, seed %d, %s: started%n", orders, seed, where);
    err.flush();
  }

  /**
   * Why the gateway could not listen on 127.0.0.1:{@code port}, as {@code serve} says it; null when
   * it can.
   */
  private static String cannotListen(int port) {
    return HeraldServer.whyCannotListen("127.0.0.1", port)
        .map(
            why ->
                "cannot listen on 127.0.0.1:"
                    + port
                    + ": "
                    + (why.equals(HeraldServer.ADDRESS_IN_USE)
                        ? why + "; pick another --port"
                        : why))
        .orElse(null);
  }

  private int ioError(String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("herald demo: " + message);
    err.flush();
    return Main.IO_ERROR;
  }

  private int report(DemoReport report, PrintWriter human) throws Exception {
    SummaryTable.print(report, human);
    human.flush();
    if (json) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(new ObjectMapper().writeValueAsString(report));
      out.flush();
    }
    return report.failed() ? Main.FAILED : Main.OK;
  }

  /** The shop over Kafka: all of it here, or the services named, the rest in other processes. */
  private int kafka(Set<String> here, PrintWriter human, Progress progress) throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    EmbeddedKafka embedded = null;
    try {
      String bootstrap = kafka;
      if (kafka.equals("embedded")) {
        err.println("herald demo: starting a one-node Kafka broker in this process...");
        err.flush();
        embedded = EmbeddedKafka.start();
        bootstrap = embedded.bootstrapServers();
        human.println("Kafka broker at " + bootstrap);
        human.flush();
      }
      KafkaStockHistory stock =
          new KafkaStockHistory(bootstrap, EVENTS_TOPIC, ShopDemo.STALL_TIMEOUT);
      KafkaTransport transport;
      try {
        transport = kafkaTransport(bootstrap, stock);
      } catch (KafkaTransportException e) {
        return ioError(e.getMessage());
      }
      if (here.contains("orders")) {
        started("on Kafka at " + bootstrap);
        return report(
            ShopDemo.runOn(transport, stock, "kafka", orders, seed, here, progress), human);
      }
      return serve(transport, bootstrap, stock, here, human);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** Serves until the JVM is asked to stop (Ctrl-C, SIGTERM), then closes cleanly and reports. */
  private int serve(
      KafkaTransport transport,
      String bootstrap,
      KafkaStockHistory stock,
      Set<String> here,
      PrintWriter human)
      throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                // Let the bus commit what it finished and leave its groups before the JVM exits.
                stopped.await(ShopDemo.CLOSE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "herald-demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    human.println(
        "Serving "
            + String.join(", ", here)
            + " on Kafka at "
            + bootstrap
            + " (every run's events); stop with Ctrl-C.");
    human.flush();
    try {
      Map<String, DemoReport.ServiceRow> rows =
          ShopDemo.serve(transport, bootstrap, stock, here, stop);
      rows.forEach(
          (name, r) ->
              human.printf(
                  "%-13s routed %d, handled %d, failed %d, retried %d, dead-lettered %d%n",
                  name, r.routed(), r.handled(), r.failed(), r.retried(), r.deadLettered()));
      human.flush();
      if (json) {
        Map<String, Object> served = new LinkedHashMap<>();
        served.put("transport", "kafka");
        served.put("servicesHere", List.copyOf(here));
        served.put("services", rows);
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writeValueAsString(served));
        out.flush();
      }
      return Main.OK;
    } finally {
      stopped.countDown();
    }
  }

  /** The topic of every event of the shop but dead letters. */
  static final String EVENTS_TOPIC = "shop.events";

  static KafkaTransport kafkaTransport(String bootstrap, KafkaStockHistory stock) {
    return KafkaTransport.builder(bootstrap)
        .codec(ShopDemo.codec())
        .clientId("herald-shop")
        .eventsTopic(EVENTS_TOPIC)
        .onAssigned(stock)
        .deadLetterTopic("shop.deadletter")
        .groupIdPrefix("herald-shop.")
        .partitions(8)
        .consumerProperty("session.timeout.ms", (int) ShopDemo.KAFKA_SESSION_TIMEOUT.toMillis())
        .consumerProperty("heartbeat.interval.ms", (int) ShopDemo.KAFKA_HEARTBEAT.toMillis())
        .build();
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
