package dev.herald.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.examples.shop.DemoReport;
import dev.herald.examples.shop.ShopDemo;
import dev.herald.examples.shop.SummaryTable;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.KafkaTransportException;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code herald demo}: runs the shop on the in-memory bus, or with {@code --durable DIR} on the
 * durable log, and prints its summary; with {@code --json}, the last line printed is the summary as
 * one JSON object. Exit status 0 when the run lost nothing (and, on the log, no customer saw an
 * order end twice), 1 when it did, 2 on bad usage.
 */
@Command(
    name = "demo",
    description = "Run the e-commerce shop demo on the in-memory event bus, the durable log or Kafka.",
    mixinStandardHelpOptions = true)
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
      description = "Seed of the scenario: same seed, same business outcome (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print the summary as one JSON object on the last line.")
  boolean json;

  @Option(
      names = "--durable",
      paramLabel = "DIR",
      description =
          "Run on the durable log in DIR (created if need be). A run killed half-way is finished by"
              + " running the same command again; the summary counts over every run.")
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

  @Override
  public Integer call() throws Exception {
    if (orders < 1 || orders > MAX_ORDERS) {
      throw usage(
          "Invalid value for option '--orders': must be within [1, " + MAX_ORDERS + "], was " + orders);
    }
    if (kafka != null && durable != null) {
      throw usage("--kafka and --durable are two different transports: choose one");
    }
    if (services != null && kafka == null) {
      throw usage("--services needs --kafka: only over Kafka can services run in other processes");
    }
    Set<String> here = new LinkedHashSet<>(services == null ? ShopDemo.SERVICES : services);
    for (String s : here) {
      if (!ShopDemo.SERVICES.contains(s)) {
        throw usage(
            "Invalid value for option '--services': no service '" + s + "'; services: "
                + String.join(", ", ShopDemo.SERVICES));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter progress = System.console() != null ? out : null;
    DemoReport report;
    if (kafka != null) {
      return kafka(here, out, progress);
    } else if (durable == null) {
      report = ShopDemo.run(orders, seed, progress);
    } else {
      if (Files.exists(durable) && !Files.isDirectory(durable)) {
        throw usage("Invalid value for option '--durable': not a directory: " + durable);
      }
      try {
        report = ShopDemo.runDurable(orders, seed, durable, progress);
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
    }
    return report(report, out);
  }

  private int report(DemoReport report, PrintWriter out) throws Exception {
    SummaryTable.print(report, out);
    if (json) {
      out.println(new ObjectMapper().writeValueAsString(report));
    }
    out.flush();
    DemoReport.Durable d = report.durable();
    boolean duplicates =
        d != null && d.duplicateOutcomes() + d.duplicateNotifications() > 0
            || report.ordersEndedTwice() + report.oversoldUnits() > 0;
    return report.lost() == 0 && !duplicates ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
  }

  /** The shop over Kafka: all of it here, or the services named, the rest in other processes. */
  private int kafka(Set<String> here, PrintWriter out, PrintWriter progress) throws Exception {
    EmbeddedKafka embedded = null;
    try {
      String bootstrap = kafka;
      if (kafka.equals("embedded")) {
        out.println("Starting a one-node Kafka broker in this process...");
        out.flush();
        embedded = EmbeddedKafka.start();
        bootstrap = embedded.bootstrapServers();
        out.println("Kafka broker at " + bootstrap);
      }
      KafkaTransport transport;
      try {
        transport = kafkaTransport(bootstrap);
      } catch (KafkaTransportException e) {
        spec.commandLine().getErr().println("herald: " + e.getMessage());
        return CommandLine.ExitCode.SOFTWARE;
      }
      if (here.contains("orders")) {
        return report(ShopDemo.runOn(transport, "kafka", orders, seed, here, progress), out);
      }
      return serve(transport, bootstrap, here, out);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** Serves until the JVM is asked to stop (Ctrl-C, SIGTERM), then closes cleanly and reports. */
  private int serve(KafkaTransport transport, String bootstrap, Set<String> here, PrintWriter out)
      throws InterruptedException {
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
    out.println(
        "Serving " + String.join(", ", here) + " on Kafka at " + bootstrap
            + " (every run's events); stop with Ctrl-C.");
    out.flush();
    try {
      Map<String, DemoReport.ServiceRow> rows = ShopDemo.serve(transport, bootstrap, here, stop);
      rows.forEach(
          (name, r) ->
              out.printf(
                  "%-13s routed %d, handled %d, failed %d, retried %d, dead-lettered %d%n",
                  name, r.routed(), r.handled(), r.failed(), r.retried(), r.deadLettered()));
      out.flush();
      return CommandLine.ExitCode.OK;
    } finally {
      stopped.countDown();
    }
  }

  static KafkaTransport kafkaTransport(String bootstrap) {
    return KafkaTransport.builder(bootstrap)
        .codec(ShopDemo.codec())
        .clientId("herald-shop")
        .eventsTopic("shop.events")
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
