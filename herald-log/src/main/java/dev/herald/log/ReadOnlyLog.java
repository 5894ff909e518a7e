package dev.herald.log;

import java.io.Closeable;

/**
 * One topic of a log directory opened read-only with {@link LogFiles#openReadOnly}: for tools that
 * read a log another process may be writing ({@code herald log tail}). It takes no lock and never
 * writes, truncates, repairs or rebuilds anything; recovery stays the job of whoever opens the
 * directory with {@link LogDirectory#open}.
 *
 * <p>What its readers see: the segment files as they are on disk, up to the first record that is
 * not yet whole and valid at the end of the active (newest) segment. Such a record is one the
 * writer is still writing (or a torn tail the writer's next recovery truncates), so readers stop
 * there, wait and read it again; they do not report it. A bad record anywhere else is damage: a
 * sealed segment's bad record, or a bad record in the active segment with bytes after it, throws
 * {@link LogCorruptedException} naming the file and byte position. Readers move on to new segments
 * as the writer rolls; when retention deletes segments a reader has not read yet, the reader
 * continues at the oldest remaining offset and tells the {@link SkipListener}.
 *
 * <p>Waiting: another process's commits cannot signal a reader here, so {@link LogReader#next}
 * waits for a {@link java.nio.file.WatchService} event on the topic directory (a segment created,
 * written or deleted) and, in any case, no longer than the poll interval given to {@link
 * LogFiles#openReadOnly}, then reads again. The bounded poll covers what a watch service may not
 * report: file systems without change notification (network and some container mounts), platforms
 * whose watch service itself polls slowly, and overflowed event queues.
 *
 * <p>Threads: safe from any thread; each reader is owned by one thread as {@link LogReader} says. A
 * daemon thread, {@code herald-log-tail-watch-<topic>}, takes the watch events until {@link
 * #close()}. Failure: I/O errors are thrown unchecked ({@link java.io.UncheckedIOException}).
 */
public interface ReadOnlyLog extends Closeable {

  /** Told when records a reader had not read yet are gone (retention deleted their segments). */
  @FunctionalInterface
  interface SkipListener {
    /**
     * Offsets from {@code fromOffset} up to, not including, {@code toOffset} were skipped; called
     * on the reading thread.
     */
    void skipped(long fromOffset, long toOffset);
  }

  /** The topic name. */
  String name();

  /** The first stored offset (retention may have deleted older segments), 0 when there is none. */
  long startOffset();

  /**
   * The offset after the last whole, valid record on disk now: a snapshot that a live writer moves
   * on.
   */
  long endOffset();

  /**
   * A reader positioned at {@code offset}; offsets below {@link #startOffset()} start at the start,
   * and offsets at or beyond the end wait for new records.
   */
  LogReader reader(long offset);

  /** A reader positioned at the oldest stored record. */
  default LogReader readerFromStart() {
    return reader(startOffset());
  }

  /**
   * A reader positioned at the first record whose timestamp is at or after {@code epochMillis}, or
   * at the end when there is none yet.
   */
  LogReader readerFromTimestamp(long epochMillis);

  /**
   * Stops the watch thread and closes every reader of it (a waiting {@code next} returns empty).
   */
  @Override
  void close();
}
