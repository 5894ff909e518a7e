package dev.herald.cli;

import dev.herald.log.LogFiles;
import dev.herald.log.LogFiles.Problem;
import dev.herald.log.LogFiles.Verification;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code log verify}: a full, read-only CRC and index scan; exit 1 when anything is damaged. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      // The first line is the summary 'herald log --help' lists: a sentence of its own.
      "Check a log directory for damage, reading every byte.",
      "Checks the CRC of every record and every index entry of every segment, missing segments,"
          + " the recovery points and the consumer offsets. Takes no lock.",
      "Exit status: 0 clean, 1 damage found (file and byte position printed), 2 usage error."
    })
final class VerifyCommand implements Callable<Integer> {
  private final Terminal terminal;

  @Spec CommandSpec spec;

  @Mixin LogDirectoryOptions log;

  VerifyCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Option(
      names = "--progress",
      description = "Draw the progress bar even when standard error is not a terminal.")
  boolean progress;

  @Override
  public Integer call() throws IOException {
    Path dir = log.existingLogDirectory();
    Verification v;
    try (Progress bar = bytesBar(terminal, progress, "verifying")) {
      v = LogFiles.verify(dir, log.options(), (done, total) -> draw(bar, done, total));
    }
    PrintWriter out = spec.commandLine().getOut();
    for (Problem p : v.problems()) {
      out.println("CORRUPT " + p.file() + " at byte " + p.position() + ": " + p.reason());
    }
    out.printf(
        "verified %d topics, %d segments, %d records, %d index entries, %d bytes: %s%n",
        v.topics(),
        v.segments(),
        v.records(),
        v.indexEntries(),
        v.bytes(),
        v.isClean()
            ? "clean"
            : v.problems().size()
                + " problem(s); 'herald log repair "
                + dir
                + "' quarantines damaged records keeping every intact one, truncates torn tails and"
                + " rebuilds damaged small files, reporting what it dropped");
    return v.isClean() ? 0 : 1;
  }

  /** A bar counting bytes, shown in MiB. */
  static Progress bytesBar(Terminal terminal, boolean forced, String task) {
    return Progress.start(terminal, forced, task, -1, " MiB", 1 << 20);
  }

  /** Moves the bar to {@code done} of {@code total} bytes (the total is known from the start). */
  static void draw(Progress bar, long done, long total) {
    bar.total(total);
    bar.stepTo(done);
  }
}
