package dev.herald.cli;

import dev.herald.log.LogCorruptedException;
import dev.herald.log.LogLockedException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code herald} command line: {@code herald log inspect|tail|verify|repair ...}. {@link #run}
 * returns the exit status (0 success, 1 failure or corruption, 2 usage error); only {@link #main}
 * exits the JVM. Each run is single-threaded except {@code log tail} while following, which stops
 * from a shutdown hook and whose open topic runs a directory-watch thread.
 */
@Command(
    name = "herald",
    mixinStandardHelpOptions = true,
    version = "herald 0.1.0-SNAPSHOT",
    description = "Herald tools.",
    subcommands = LogCommand.class)
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  public static void main(String[] args) {
    System.exit(run(new Terminal(System.out, System.err, System.console() != null), args));
  }

  /** Runs {@code args} against {@code terminal}; returns the exit status. */
  public static int run(Terminal terminal, String... args) {
    CommandLine cli = new CommandLine(new Main(), new TerminalFactory(terminal));
    cli.setOut(writer(terminal.out()));
    cli.setErr(writer(terminal.err()));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> failure(e, cmd));
    int status = cli.execute(args);
    cli.getOut().flush();
    cli.getErr().flush();
    return status;
  }

  private static int failure(Exception e, CommandLine cmd) {
    PrintWriter err = cmd.getErr();
    if (e instanceof LogLockedException) {
      err.println(
          "herald: "
              + e.getMessage()
              + ". 'log repair' needs the directory's exclusive lock;"
              + " stop the process holding it. 'log inspect', 'log tail' and 'log verify' take no lock.");
    } else if (e instanceof LogCorruptedException
        || e instanceof IOException
        || e instanceof UncheckedIOException) {
      err.println("herald: " + e.getMessage());
    } else {
      err.println("herald: unexpected failure: " + e);
      e.printStackTrace(err);
    }
    return 1;
  }

  private static PrintWriter writer(PrintStream stream) {
    return new PrintWriter(new java.io.OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
  }

  /** Gives commands that take a {@link Terminal} the one this run writes to. */
  private record TerminalFactory(Terminal terminal) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      for (var c : type.getDeclaredConstructors()) {
        if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Terminal.class) {
          return type.cast(c.newInstance(terminal));
        }
      }
      return CommandLine.defaultFactory().create(type);
    }
  }
}
