package dev.herald.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error for a long operation, drawn only when standard error is an
 * interactive terminal or {@code --progress} asked for it; otherwise every call does nothing. The
 * bar is {@code me.tongfei:progressbar}, which redraws from a thread of its own every {@value
 * #UPDATE_MILLIS} ms; the methods are called from the command's thread.
 */
final class Progress implements AutoCloseable {
  static final int UPDATE_MILLIS = 200;
  private static final int WIDTH = 100;

  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /**
   * Starts a bar named {@code task}, or a silent one.
   *
   * @param total the number of steps; -1 when unknown (the bar then shows a count and the time)
   * @param unit the unit of a step, such as {@code " MiB"} with its size, or {@code ""}
   */
  static Progress start(
      Terminal terminal, boolean forced, String task, long total, String unit, long unitSize) {
    if (!terminal.interactive() && !forced) {
      return new Progress(null);
    }
    ProgressBarBuilder b =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setStyle(
                terminal.interactive()
                    ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK
                    : ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(UPDATE_MILLIS)
            .setConsumer(new ConsoleProgressBarConsumer(terminal.err(), WIDTH))
            .setUnit(unit, unitSize);
    return new Progress(b.build());
  }

  /** Whether a bar is drawn. */
  boolean shown() {
    return bar != null;
  }

  void stepTo(long done) {
    if (bar != null) {
      bar.stepTo(done);
    }
  }

  void step() {
    if (bar != null) {
      bar.step();
    }
  }

  /** Changes the total: more steps than first thought, or a total now known. */
  void total(long total) {
    if (bar != null) {
      bar.maxHint(total);
    }
  }

  /** Draws the final state and ends the bar's line. */
  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
