package dev.herald.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.examples.shop.DemoReport;
import dev.herald.examples.shop.ShopDemo;
import dev.herald.examples.shop.SummaryTable;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herald demo}: runs the shop on the in-memory bus, or with {@code --durable DIR} on the
 * durable log, and prints its summary; with {@code --json}, the last line printed is the summary as
 * one JSON object. Exit status 0 when the run lost nothing (and, on the log, no customer saw an
 * order end twice), 1 when it did, 2 on bad usage.
 */
@Command(
    name = "demo",
    description = "Run the e-commerce shop demo on the in-memory event bus or the durable log.",
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

  @Override
  public Integer call() throws Exception {
    if (orders < 1 || orders > MAX_ORDERS) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "Invalid value for option '--orders': must be within [1, " + MAX_ORDERS + "], was " + orders);
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean terminal = System.console() != null;
    DemoReport report;
    if (durable == null) {
      report = ShopDemo.run(orders, seed, terminal ? out : null);
    } else {
      if (Files.exists(durable) && !Files.isDirectory(durable)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "Invalid value for option '--durable': not a directory: " + durable);
      }
      try {
        report = ShopDemo.runDurable(orders, seed, durable, terminal ? out : null);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    SummaryTable.print(report, out);
    if (json) {
      out.println(new ObjectMapper().writeValueAsString(report));
    }
    out.flush();
    DemoReport.Durable d = report.durable();
    boolean duplicates = d != null && d.duplicateOutcomes() + d.duplicateNotifications() > 0;
    return report.lost() == 0 && !duplicates ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
  }
}
