package dev.herald.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * Where a run reads and writes: standard input (events to publish), standard output for results,
 * standard error for messages and progress, and whether standard error is an interactive terminal
 * (progress bars are drawn only then, or when a command's {@code --progress} asks).
 */
public record Terminal(InputStream in, PrintStream out, PrintStream err, boolean interactive) {
  /** A terminal reading the process's standard input. */
  public Terminal(PrintStream out, PrintStream err, boolean interactive) {
    this(System.in, out, err, interactive);
  }
}
