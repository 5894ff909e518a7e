package dev.herald.cli;

import dev.herald.TypePattern;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code events tail}: follows stored events, over the gateway's Server-Sent Events stream (which
 * it resumes with {@code Last-Event-ID} when the connection drops) or a store's cursor directly.
 * Runs on the calling thread until {@code --limit} events were printed, or Ctrl-C: a shutdown hook
 * interrupts that thread and waits for it to print what it has (the JSON document) and close.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Follow stored events: one line each (position, type, id, data), or with --output json one"
          + " document {\"events\": [{\"position\", \"event\"}]} at the end (--limit, or Ctrl-C).",
      "Over --url, a dropped stream is resumed from the last position seen, with no gap and no"
          + " duplicate."
    })
final class EventsTailCommand implements Callable<Integer> {
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
      defaultValue = "latest",
      description =
          "earliest, latest (default: only new events) or a POSITION (the events after it).")
  String from;

  @Option(
      names = "--group",
      paramLabel = "GROUP",
      description = "Read as consumer group GROUP, whose position the gateway keeps (--url only).")
  String group;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description =
          "Stop after N events. Over --url the gateway sends no more, so with --group the group"
              + " acknowledges only the N printed; the rest stays the group's.")
  Long limit;

  @Override
  public Integer call() {
    if (limit != null && limit <= 0) {
      throw new ParameterException(spec.commandLine(), "--limit must be > 0: " + limit);
    }
    if (group != null && target.direct()) {
      throw new ParameterException(
          spec.commandLine(),
          "--group needs --url: a group's position is kept by the gateway's bus");
    }
    try {
      TypePattern.of(types);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--types: " + e.getMessage());
    }
    long max = limit == null ? Long.MAX_VALUE : limit;
    EventListing.print(
        spec.commandLine().getOut(),
        output.json(),
        target,
        max,
        "herald-events-tail-stop",
        (t, sink) -> t.tail(types, from, group, max, sink));
    return 0;
  }
}
