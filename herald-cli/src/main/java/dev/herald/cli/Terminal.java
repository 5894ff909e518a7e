package dev.herald.cli;

import java.io.PrintStream;

/**
 * Where a run writes: standard output for results, standard error for messages and progress, and
 * whether standard error is an interactive terminal (progress bars are drawn only then).
 */
public record Terminal(PrintStream out, PrintStream err, boolean interactive) {}
