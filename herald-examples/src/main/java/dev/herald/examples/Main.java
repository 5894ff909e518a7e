package dev.herald.examples;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The entry point of {@code herald-examples.jar}: dispatches to a subcommand ({@code demo} now;
 * {@code log} and {@code bench} later). Exit codes: {@value #OK} success, {@value #FAILED} the run
 * failed (lost events, an order ended twice, an unexpected error), {@value #USAGE} bad usage (one
 * line saying what, and where the help is), {@value #IO_ERROR} the environment would not let it run
 * (a directory it cannot use, a log locked by another process, a broker it cannot reach), as
 * sysexits' {@code EX_IOERR}.
 */
@Command(
    name = "herald",
    description = "Herald examples: events for Java, from one process to a Kafka cluster.",
    mixinStandardHelpOptions = true,
    versionProvider = HeraldVersion.class,
    subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int IO_ERROR = 74;

  @Spec CommandSpec spec;

  /** Runs and exits with the status {@link #run} returns. The only caller of System.exit. */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(args, out, err));
  }

  /**
   * Runs the command line {@code args}, printing to {@code out} and {@code err}; the exit status.
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(Main::usageError);
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("herald: unexpected failure: " + e);
          e.printStackTrace(cmd.getErr());
          return FAILED;
        });
    int status = cl.execute(args);
    out.flush();
    err.flush();
    return status;
  }

  /**
   * Bad usage: what is wrong on one line, picocli's suggestions if it has any, and where the help
   * is, not the whole help, which would bury the line that matters.
   */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String name = cmd.getCommandSpec().qualifiedName();
    err.println(name + ": " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("See './" + name + " --help'.");
    err.flush();
    return USAGE;
  }

  /** No subcommand: usage on stderr, bad usage. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }
}
