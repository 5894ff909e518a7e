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
import picocli.CommandLine.Spec;

/** {@code log verify}: a full, read-only CRC and index scan; exit 1 when anything is damaged. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check the CRC of every record and every index entry of every segment, missing segments,",
      "the recovery points and the consumer offsets. Takes no lock.",
      "Exit status: 0 clean, 1 damage found (file and byte position printed), 2 usage error."
    })
final class VerifyCommand implements Callable<Integer> {
  private final Terminal terminal;

  @Spec CommandSpec spec;

  @Mixin LogDirectoryOptions log;

  VerifyCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws IOException {
    Path dir = log.existingLogDirectory();
    PrintWriter err = spec.commandLine().getErr();
    ProgressBar bar = terminal.interactive() ? new ProgressBar(err) : null;
    Verification v =
        LogFiles.verify(
            dir,
            log.options(),
            (done, total) -> {
              if (bar != null) {
                bar.draw(done, total);
              }
            });
    if (bar != null) {
      bar.clear();
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

  /** A one-line bar redrawn in place with a carriage return; for an interactive stderr only. */
  private static final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private int lastPercent = -1;

    ProgressBar(PrintWriter err) {
      this.err = err;
    }

    void draw(long done, long total) {
      int percent = total == 0 ? 100 : (int) (done * 100 / total);
      if (percent == lastPercent) {
        return;
      }
      lastPercent = percent;
      int filled = percent * WIDTH / 100;
      err.print(
          "\rverifying ["
              + "#".repeat(filled)
              + " ".repeat(WIDTH - filled)
              + "] "
              + percent
              + "% "
              + mib(done)
              + " / "
              + mib(total)
              + " MiB");
      err.flush();
    }

    void clear() {
      err.print("\r" + " ".repeat(WIDTH + 40) + "\r");
      err.flush();
    }

    private static String mib(long bytes) {
      return String.format("%.1f", bytes / (1024.0 * 1024.0));
    }
  }
}
