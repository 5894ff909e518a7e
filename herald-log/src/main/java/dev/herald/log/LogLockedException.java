package dev.herald.log;

import java.io.IOException;
import java.nio.file.Path;

/** Another process, or another open in this JVM, already holds the log directory. */
public final class LogLockedException extends IOException {
  private static final long serialVersionUID = 1L;

  public LogLockedException(Path dir, String holder) {
    super("log directory " + dir + " is already open by " + holder);
  }
}
