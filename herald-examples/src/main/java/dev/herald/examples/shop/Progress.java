package dev.herald.examples.shop;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Objects;

/**
 * How a run shows its progress while it runs: a line redrawn in place on a terminal, or, where no
 * one can redraw (a pipe, a file, a CI log), a full line every interval, so a long run is never
 * silent.
 */
public final class Progress {
  /** How often a terminal's line is redrawn. */
  static final Duration REDRAW = Duration.ofMillis(100);

  final PrintWriter out;
  final Duration interval;
  final boolean redraw;

  private Progress(PrintWriter out, Duration interval, boolean redraw) {
    this.out = Objects.requireNonNull(out, "out");
    this.interval = Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    this.redraw = redraw;
  }

  /**
   * One status line on {@code terminal}, rewritten in place (carriage return) ten times a second.
   */
  public static Progress redrawn(PrintWriter terminal) {
    return new Progress(terminal, REDRAW, true);
  }

  /** A status line of its own on {@code out} every {@code interval}, the first one interval in. */
  public static Progress lines(PrintWriter out, Duration interval) {
    return new Progress(out, interval, false);
  }
}
