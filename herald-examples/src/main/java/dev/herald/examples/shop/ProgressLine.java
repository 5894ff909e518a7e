package dev.herald.examples.shop;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A run's progress as {@link Progress} asks: on a terminal a status line rewritten in place
 * (carriage return), elsewhere a line of its own every interval. Printed by a daemon reporter
 * thread of its own, the only thread that prints until {@link #stop()}, which ends it and, on a
 * terminal, erases the line, so nothing it prints follows what the caller prints next.
 */
final class ProgressLine {
  private final Progress progress;
  private final Supplier<String> status;
  private final ScheduledExecutorService reporter;
  private int width;

  private ProgressLine(Progress progress, Supplier<String> status) {
    this.progress = progress;
    this.status = status;
    this.reporter =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shop-progress");
              t.setDaemon(true);
              return t;
            });
  }

  static ProgressLine start(Progress progress, Supplier<String> status) {
    ProgressLine p = new ProgressLine(progress, status);
    long nanos = progress.interval.toNanos();
    // A terminal shows the line at once; elsewhere the start was announced, the first line is due
    // one interval in.
    p.reporter.scheduleAtFixedRate(
        p::print, progress.redraw ? 0 : nanos, nanos, TimeUnit.NANOSECONDS);
    return p;
  }

  // Runs on the reporter thread only, so width needs no synchronisation until stop() has joined it.
  private void print() {
    String line = status.get();
    if (progress.redraw) {
      progress.out.print('\r' + line + " ".repeat(Math.max(0, width - line.length())));
      width = line.length();
    } else {
      progress.out.println("herald demo: progress: " + line);
    }
    progress.out.flush();
  }

  /** Stops the reporter and, on a terminal, erases the line. */
  void stop() throws InterruptedException {
    reporter.shutdown();
    reporter.awaitTermination(1, TimeUnit.SECONDS);
    if (progress.redraw) {
      progress.out.print('\r' + " ".repeat(width) + '\r');
      progress.out.flush();
    }
  }
}
