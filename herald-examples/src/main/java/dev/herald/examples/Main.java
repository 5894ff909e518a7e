package dev.herald.examples;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The entry point of {@code herald-examples.jar}: dispatches to a subcommand ({@code demo} now;
 * {@code log} and {@code bench} later). Exit codes: 0 success, 1 the run failed, 2 bad usage.
 */
@Command(
    name = "herald",
    description = "Herald examples: events for Java, from one process to a Kafka cluster.",
    mixinStandardHelpOptions = true,
    version = "Herald 0.1.0-SNAPSHOT",
    subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** Runs and exits with the status {@link #run} returns. The only caller of System.exit. */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(args, out, err));
  }

  /** Runs the command line {@code args}, printing to {@code out} and {@code err}; the exit status. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("herald: " + e);
          e.printStackTrace(cmd.getErr());
          return 1;
        });
    int status = cl.execute(args);
    out.flush();
    err.flush();
    return status;
  }

  /** No subcommand: usage on stderr, bad usage. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return CommandLine.ExitCode.USAGE;
  }
}
