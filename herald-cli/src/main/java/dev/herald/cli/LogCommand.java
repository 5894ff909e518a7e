package dev.herald.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code herald log ...}: tools for a herald-log directory. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Inspect, tail, verify and repair a log directory.",
    subcommands = {
      InspectCommand.class,
      TailCommand.class,
      VerifyCommand.class,
      RepairCommand.class
    })
final class LogCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing log command");
  }
}
