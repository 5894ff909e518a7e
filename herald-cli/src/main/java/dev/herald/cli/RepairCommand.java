package dev.herald.cli;

import dev.herald.log.LogDirectory;
import dev.herald.log.LogFiles;
import dev.herald.log.LogFiles.Problem;
import dev.herald.log.LogFiles.Verification;
import dev.herald.log.LogOptions;
import dev.herald.log.RecoveryReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code log repair}: runs {@link LogDirectory#repair} (needs the lock), prints what it moved, cut,
 * dropped (offset ranges and record counts) and rebuilt, then verifies; exit 1 when damage remains.
 */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description = {
      // The first line is the summary 'herald log --help' lists: a sentence of its own.
      "Repair a damaged log directory, keeping every intact record.",
      "Quarantines damaged records keeping every intact one, truncates torn tails, rebuilds"
          + " indexes, records missing offsets, rebuilds a damaged consumer-offsets and moves group"
          + " offsets past the end back.",
      "Needs the directory's lock. Verifies afterwards: exit 1 if damage remains."
    })
final class RepairCommand implements Callable<Integer> {
  private final Terminal terminal;

  @Spec CommandSpec spec;

  @Mixin LogDirectoryOptions log;

  @Option(
      names = "--progress",
      description = "Draw the progress bars even when standard error is not a terminal.")
  boolean progress;

  RepairCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws IOException {
    Path dir = log.existingLogDirectory();
    LogOptions options = log.options();
    RecoveryReport report;
    // The repair reports no progress of its own: the bar shows that it runs, and for how long.
    Progress repairing = Progress.start(terminal, progress, "repairing", -1, "", 1);
    try {
      report = LogDirectory.repair(dir, options);
    } finally {
      repairing.close();
    }
    PrintWriter out = spec.commandLine().getOut();
    for (RecoveryReport.Quarantine q : report.quarantines()) {
      out.println(
          "quarantined the damaged bytes "
              + q.position()
              + " to "
              + (q.position() + q.bytes() - 1)
              + " of "
              + q.file()
              + " in "
              + q.quarantineFile()
              + ": "
              + q.reason());
    }
    for (RecoveryReport.Truncation t : report.truncations()) {
      out.println(
          "truncated "
              + t.bytes()
              + " bytes of "
              + t.file()
              + " at byte "
              + t.position()
              + ": "
              + t.reason());
    }
    for (RecoveryReport.Dropped d : report.dropped()) {
      out.println(
          "dropped offsets "
              + d.fromOffset()
              + " to "
              + (d.toOffset() - 1)
              + " ("
              + d.records()
              + (d.records() == 1 ? " record" : " records")
              + ") at "
              + d.file()
              + ": "
              + d.reason());
    }
    for (RecoveryReport.ClampedOffset c : report.clampedOffsets()) {
      out.println(
          "moved group "
              + c.group()
              + "'s offset for topic "
              + c.topic()
              + " back from "
              + c.from()
              + " to "
              + c.to()
              + ", the end of the topic");
    }
    for (Path p : report.rebuiltIndexes()) {
      out.println("rebuilt indexes of " + p);
    }
    for (RecoveryReport.RebuiltFile f : report.rebuiltFiles()) {
      out.println("rebuilt " + f.file() + "; lost " + f.lost());
    }
    if (report.isClean()) {
      out.println("nothing to repair");
    }
    Verification after;
    try (Progress bar = VerifyCommand.bytesBar(terminal, progress, "verifying")) {
      after = LogFiles.verify(dir, options, (done, total) -> VerifyCommand.draw(bar, done, total));
    }
    if (after.isClean()) {
      out.println(
          "verified clean: " + after.records() + " records in " + after.segments() + " segments");
      return 0;
    }
    for (Problem p : after.problems()) {
      out.println("STILL CORRUPT " + p);
    }
    out.println("repair left the problems above; each says what opening the log does about it");
    return 1;
  }
}
