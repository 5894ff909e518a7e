package dev.herald.log;

import java.time.Duration;
import java.util.Optional;

/**
 * Reads committed records of one {@link Log} (or {@link ReadOnlyLog}) in offset order. A reader is
 * owned by one thread at a time (not safe for concurrent {@code poll}/{@code next}); {@link
 * #wakeup()} and {@link #close()} may be called from any thread to stop a waiting {@link #next}.
 *
 * <p>Every record read is checked against its CRC; a mismatch throws {@link LogCorruptedException}
 * naming the file and byte position rather than skipping it.
 */
public interface LogReader extends AutoCloseable {

  /** The offset of the next record this reader returns. */
  long position();

  /** The next committed record, or empty at once when there is none yet. */
  Optional<LogRecord> poll();

  /**
   * The next committed record, waiting up to {@code timeout} for the writer to commit one. A {@link
   * Log}'s writer signals its waiting readers after each commit, and nothing polls; a {@link
   * ReadOnlyLog}'s readers, in another process than the writer, wait for a directory watch event or
   * at most its poll interval. Returns empty on timeout, after {@link #wakeup()}, or when the
   * reader or its log is closed.
   */
  Optional<LogRecord> next(Duration timeout) throws InterruptedException;

  /** Makes a current or the next waiting {@link #next} return empty at once. */
  void wakeup();

  @Override
  void close();
}
