package dev.herald.cli;

import dev.herald.TypePattern;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code events replay}: prints the stored events of a range and exits, where {@code events tail}
 * follows on. Without {@code --to}, the range ends where the store ended when the command began, so
 * it ends while events are still being published. Prints as {@code events tail} does ({@link
 * EventListing}), with a progress bar on standard error over the range's records.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Print the stored events of a range and exit: one line each (position, type, id, data), or"
          + " with --output json one document {\"events\": [{\"position\", \"event\"}]}.",
      "A progress bar on standard error when it is a terminal (or with --progress).",
      "Over --url the gateway serves no end position: give --to POSITION.",
      "Exit status: 0 done, 1 failure, 2 usage error (a --from or --to that is no position)."
    })
final class EventsReplayCommand implements Callable<Integer> {
  /** What a position looks like, whatever the store: decimal numbers joined by '.' or '_'. */
  private static final Pattern POSITION = Pattern.compile("[0-9]{1,18}([._][0-9]{1,18})*");

  private final Terminal terminal;

  @Spec CommandSpec spec;

  @Mixin TargetOptions target;

  @Mixin OutputOptions output;

  @Option(
      names = "--types",
      paramLabel = "PATTERN",
      defaultValue = "#",
      description = "Type pattern: * one segment, # any number (default: ${DEFAULT-VALUE}).")
  String types;

  @Option(
      names = "--from",
      paramLabel = "WHERE",
      defaultValue = "earliest",
      description = "earliest (default) or a POSITION: the events after it.")
  String from;

  @Option(
      names = "--to",
      paramLabel = "WHERE",
      defaultValue = "latest",
      description =
          "latest (default: the end as the command began; --data or --kafka only) or a POSITION:"
              + " the last event of the range.")
  String to;

  @Option(
      names = "--progress",
      description = "Draw the progress bar even when standard error is not a terminal.")
  boolean progress;

  EventsReplayCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() {
    if (!from.equals("earliest") && !POSITION.matcher(from).matches()) {
      throw new ParameterException(
          spec.commandLine(), "--from must be earliest or a position: " + from);
    }
    if (!to.equals("latest") && !POSITION.matcher(to).matches()) {
      throw new ParameterException(spec.commandLine(), "--to must be latest or a position: " + to);
    }
    try {
      TypePattern.of(types);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--types: " + e.getMessage());
    }
    spec.commandLine().getErr().flush();
    try (Progress bar = Progress.start(terminal, progress, "replaying", -1, "", 1)) {
      EventListing.print(
          spec.commandLine().getOut(),
          output.json(),
          target,
          Long.MAX_VALUE,
          "herald-events-replay-stop",
          (t, sink) -> t.replay(types, from, to, bar, sink));
    }
    return 0;
  }
}
