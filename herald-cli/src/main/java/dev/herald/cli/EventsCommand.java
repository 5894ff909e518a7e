package dev.herald.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code herald events ...}: publish and tail events. */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description =
        "Publish events, tail them and replay a range of them, through a gateway (--url) or a store directly.",
    subcommands = {PublishCommand.class, EventsTailCommand.class, EventsReplayCommand.class})
final class EventsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing events command");
  }
}
