package dev.herald.examples.shop;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A live status line on a terminal, rewritten in place (carriage return) about ten times a second
 * by a daemon reporter thread of its own. {@link #stop()} ends the thread and erases the line, so
 * nothing it prints follows what the caller prints next.
 */
final class ProgressLine {
  private final PrintWriter out;
  private final Supplier<String> status;
  private final ScheduledExecutorService reporter;
  private int width;

  private ProgressLine(PrintWriter out, Supplier<String> status) {
    this.out = out;
    this.status = status;
    this.reporter =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shop-progress");
              t.setDaemon(true);
              return t;
            });
  }

  static ProgressLine start(PrintWriter out, Supplier<String> status) {
    ProgressLine p = new ProgressLine(out, status);
    p.reporter.scheduleAtFixedRate(p::print, 0, 100, TimeUnit.MILLISECONDS);
    return p;
  }

  // Runs on the reporter thread only, so width needs no synchronisation until stop() has joined it.
  private void print() {
    String line = status.get();
    out.print('\r' + line + " ".repeat(Math.max(0, width - line.length())));
    out.flush();
    width = line.length();
  }

  /** Stops the reporter and erases the line. */
  void stop() throws InterruptedException {
    reporter.shutdown();
    reporter.awaitTermination(1, TimeUnit.SECONDS);
    out.print('\r' + " ".repeat(width) + '\r');
    out.flush();
  }
}
