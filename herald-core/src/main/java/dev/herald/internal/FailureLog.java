package dev.herald.internal;

import dev.herald.TimeSource;
import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/**
 * Writes warnings about failures that nothing else observes through {@link System.Logger}, the
 * JDK's platform logging (java.util.logging unless a {@link System.LoggerFinder} routes it
 * elsewhere, such as SLF4J's {@code slf4j-jdk-platform-logging}), to the logger each call names.
 *
 * <p>Rate limited, because one failure can repeat for every event (a handler that always throws, at
 * a million events a second): at most {@code perWindow} records per window across all its loggers,
 * the others counted; the next record written says how many were left out. The bus's counters miss
 * none of them. Thread-safe: one short lock, taken on the failure path only.
 */
final class FailureLog {
  private final TimeSource time;
  private final int perWindow;
  private final long windowNanos;
  // Guarded by this.
  private long windowStart;
  private int written;
  private long leftOut;

  FailureLog(TimeSource time, int perWindow, long windowNanos) {
    this.time = time;
    this.perWindow = perWindow;
    this.windowNanos = windowNanos;
    this.windowStart = time.nanoTime();
  }

  /**
   * Writes a warning with {@code cause} (may be null) to {@code logger}, unless this window's quota
   * is used up.
   */
  void warn(System.Logger logger, Supplier<String> message, Throwable cause) {
    if (!logger.isLoggable(Level.WARNING)) {
      return;
    }
    long before;
    synchronized (this) {
      long now = time.nanoTime();
      if (now - windowStart >= windowNanos) {
        windowStart = now;
        written = 0;
      }
      if (written == perWindow) {
        leftOut++;
        return;
      }
      written++;
      before = leftOut;
      leftOut = 0;
    }
    String text = message.get();
    if (before > 0) {
      text += " (" + before + " more such warnings were left out before this one)";
    }
    if (cause == null) {
      logger.log(Level.WARNING, text);
    } else {
      logger.log(Level.WARNING, text, cause);
    }
  }
}
