package dev.herald.log;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One topic: a segmented, append-only log of {@link LogRecord}s with dense offsets from {@link
 * #startOffset()} to {@link #endOffset()}. Obtained from {@link LogDirectory#topic(String)} and
 * closed by it.
 *
 * <p>Threads: every method is safe to call from any thread. One writer thread per log owns the
 * files; {@link #append} only enqueues. Readers read committed data concurrently with the writer.
 *
 * <p>Failure: when a write or fsync fails, the futures of the records involved fail with that cause
 * and the log enters a failed state: every later append fails with {@link LogFailedException} until
 * the directory is closed and reopened (which runs recovery). A failed fsync is never treated as
 * success.
 */
public interface Log {

  /** The topic name. */
  String name();

  /**
   * Queues {@code record} for the writer thread. The future completes with the record's offset once
   * the record is as durable as the {@link FlushPolicy} promises, and it is visible to readers from
   * then on.
   *
   * <p>When the bounded append queue is full the returned future is already failed with {@link
   * java.util.concurrent.RejectedExecutionException} (back-pressure: the caller decides to retry or
   * drop). A closed log fails the future with {@link IllegalStateException}, a failed log with
   * {@link LogFailedException}.
   *
   * @throws RecordTooLargeException if the encoded record is larger than {@link
   *     LogOptions#maxRecordBytes()}; the message names the limit
   */
  CompletableFuture<Long> append(LogRecord record);

  /**
   * Queues {@code records} for the writer thread together, in order, as one entry of the append
   * queue: the writer takes them at once, so they are written together and share one fsync (under
   * {@link FlushPolicy#always()}), where appends queued one by one may be taken in several rounds.
   * Each record's future completes as {@link #append}'s would, with consecutive offsets for the
   * records accepted. A record larger than {@link LogOptions#maxRecordBytes()} fails its own future
   * with {@link RecordTooLargeException} and is left out; the others are stored. A full append
   * queue, a closed or a failed log fails every future, as for {@link #append}.
   *
   * @return one future per record, in the order of {@code records}
   */
  List<CompletableFuture<Long>> appendAll(List<LogRecord> records);

  /**
   * Completes once everything appended before this call is forced to stable storage and retention
   * has run, whatever the flush policy; fails like {@link #append} when the log is failed or
   * closed.
   */
  CompletableFuture<Void> flush();

  /**
   * Completes once everything appended before this call is as durable as the {@link FlushPolicy}
   * promises, forcing nothing by itself: the barrier a consumer waits for before it records
   * progress that depends on those appends (see {@link LogTransport}). Fails like {@link #append}
   * when the log is failed or closed.
   */
  CompletableFuture<Void> appended();

  /** The first offset still stored (older segments may have been deleted by retention). */
  long startOffset();

  /** The offset the next appended record will get; records below it are committed and readable. */
  long endOffset();

  /** Total bytes of the segment files. */
  long sizeInBytes();

  /** Number of segment files. */
  int segmentCount();

  /**
   * A reader positioned at {@code offset}; offsets below {@link #startOffset()} start at the start,
   * and offsets at or beyond {@link #endOffset()} wait for new records.
   */
  LogReader reader(long offset);

  /** A reader positioned at the oldest stored record. */
  default LogReader readerFromStart() {
    return reader(startOffset());
  }

  /** A reader positioned at the first record whose timestamp is at or after {@code epochMillis}. */
  LogReader readerFromTimestamp(long epochMillis);

  /** True once a write or fsync has failed; see {@link LogFailedException}. */
  boolean isFailed();

  /** What recovery found when this topic was opened. */
  RecoveryReport recoveryReport();
}
