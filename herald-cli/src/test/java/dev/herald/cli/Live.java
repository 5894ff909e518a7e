package dev.herald.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A run of the command line on a thread of its own, whose output can be read while it runs. */
final class Live {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Thread thread;
  private volatile int status = -1;

  Live(String... args) {
    Terminal terminal =
        new Terminal(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    thread = new Thread(() -> status = Main.run(terminal, args), "cli-under-test");
    thread.start();
  }

  String out() {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Waits for the run to end; returns its status, or -1 if it did not end in time. */
  int join(Duration patience) throws InterruptedException {
    thread.join(patience.toMillis());
    return thread.isAlive() ? -1 : status;
  }

  /** Stops the run as Ctrl-C would (an interrupt) and waits for it. */
  int interrupt(Duration patience) throws InterruptedException {
    thread.interrupt();
    return join(patience);
  }
}
