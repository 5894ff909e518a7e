package dev.herald.cli;

import dev.herald.log.LogCorruptedException;
import dev.herald.log.LogLockedException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code herald} command line: {@code herald serve}, {@code events publish|tail|replay}, {@code
 * groups}, {@code dlq list|show|redrive} and {@code log inspect|tail|verify|repair}. {@link #run}
 * returns the exit status (0 success, 1 failure or corruption, 2 usage error); only {@link #main}
 * exits the JVM. Each run is single-threaded except where a command says otherwise: {@code serve}
 * and the following tails stop from a signal handler or shutdown hook, and {@code events tail} over
 * HTTP reads its stream on the HTTP client's threads.
 */
@Command(
    name = "herald",
    mixinStandardHelpOptions = true,
    version = "herald 0.1.0-SNAPSHOT",
    description = "Herald: the HTTP gateway, its operator commands and the log tools.",
    subcommands = {
      ServeCommand.class,
      EventsCommand.class,
      GroupsCommand.class,
      DlqCommand.class,
      LogCommand.class
    })
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of a failure.")
  boolean verbose;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  /** Whether {@link #main} runs this JVM, so a command may end it (see {@link ServeCommand}). */
  private static volatile boolean ownsProcess;

  static boolean ownsProcess() {
    return ownsProcess;
  }

  public static void main(String[] args) {
    ownsProcess = true;
    System.exit(run(new Terminal(System.out, System.err, System.console() != null), args));
  }

  /** Runs {@code args} against {@code terminal}; returns the exit status. */
  public static int run(Terminal terminal, String... args) {
    CommandLine cli = new CommandLine(new Main(), new TerminalFactory(terminal));
    cli.setOut(writer(terminal.out()));
    cli.setErr(writer(terminal.err()));
    CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
    cli.setParameterExceptionHandler((e, given) -> usage.handleParseException(readable(e), given));
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) ->
            e instanceof UsageError
                ? usage.handleParseException(new ParameterException(cmd, e.getMessage(), e), args)
                : failure(e, cmd, verbose(parsed)));
    int status = cli.execute(args);
    cli.getOut().flush();
    cli.getErr().flush();
    return status;
  }

  private static int failure(Exception e, CommandLine cmd, boolean verbose) {
    PrintWriter err = cmd.getErr();
    if (e instanceof Failure) {
      err.println("herald: " + e.getMessage());
      if (verbose) {
        e.printStackTrace(err);
      }
    } else if (e instanceof LogLockedException) {
      err.println(
          "herald: "
              + e.getMessage()
              + ". 'log repair' needs the directory's exclusive lock;"
              + " stop the process holding it. 'log inspect', 'log tail' and 'log verify' take no lock.");
    } else if (e instanceof LogCorruptedException
        || e instanceof IOException
        || e instanceof UncheckedIOException) {
      err.println("herald: " + e.getMessage());
      if (verbose) {
        e.printStackTrace(err);
      }
    } else {
      err.println("herald: unexpected failure: " + e);
      e.printStackTrace(err);
    }
    return 1;
  }

  /**
   * Picocli says two options of nested exclusive groups were given with the group's whole synopsis
   * ({@code expected only one match but got [--url=URL | [--data=DIR | --kafka=BOOTSTRAP]]=
   * {--kafka=b} and [...]={--data=d}}); this says which two, by name.
   */
  static ParameterException readable(ParameterException e) {
    String message = String.valueOf(e.getMessage());
    if (!message.contains("expected only one match but got")) {
      return e;
    }
    Matcher m = GIVEN.matcher(message);
    List<String> names = new ArrayList<>();
    while (m.find()) {
      String name = m.group(1);
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    if (names.size() < 2) {
      return e;
    }
    return new ParameterException(
        e.getCommandLine(),
        String.join(" and ", names) + " exclude each other: give one of them",
        e);
  }

  /** An option as picocli shows a match of it in an exclusive group's message: {@code {--kafka=}. */
  private static final Pattern GIVEN = Pattern.compile("\\{(--[a-z-]+)");

  /** Whether {@code --verbose} was given, to the top command or any subcommand. */
  static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
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
