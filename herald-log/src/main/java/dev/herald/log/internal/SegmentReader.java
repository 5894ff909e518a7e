package dev.herald.log.internal;

import dev.herald.log.LogCorruptedException;
import dev.herald.log.LogReader;
import dev.herald.log.LogRecord;
import dev.herald.log.internal.RecordCodec.BadRecordException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link LogReader} over a {@link SegmentedLog}: walks segments by position, reading only committed
 * bytes, and waits on the log's commit condition when it has caught up. Owned by one thread; {@link
 * #wakeup()} and {@link #close()} from any thread.
 */
final class SegmentReader implements LogReader {
  private final SegmentedLog log;
  private final RecordScanner scanner;
  private Segment segment;
  private long position;
  private long nextOffset;
  private volatile boolean wakeup;
  private volatile boolean closed;

  SegmentReader(SegmentedLog log, long offset) {
    this.log = log;
    this.scanner = new RecordScanner(log.options().maxRecordBytes());
    seek(offset);
  }

  private void seek(long offset) {
    long target = Math.max(offset, log.startOffset());
    segment = log.segmentFor(target);
    position = segment.lookupPosition(target);
    nextOffset = target;
    scanner.invalidate();
  }

  @Override
  public long position() {
    return nextOffset;
  }

  @Override
  public Optional<LogRecord> poll() {
    while (!closed) {
      if (segment.isDeleted()) {
        seek(nextOffset); // retention removed it under us; continue from what is left
        continue;
      }
      long limit = segment.committedSize();
      if (position < limit) {
        LogRecord r = readAt(limit);
        if (r == null) {
          continue;
        }
        position += scanner.lastSize();
        if (r.offset() < nextOffset) {
          continue; // scanning forward from an index entry to the requested offset
        }
        nextOffset = r.offset() + 1;
        return Optional.of(r);
      }
      Segment next = log.segmentAfter(segment);
      if (next == null) {
        return Optional.empty();
      }
      if (position < segment.committedSize()) {
        continue; // the final commit of a sealed segment happens before the next is published
      }
      segment = next;
      position = 0;
      scanner.invalidate();
    }
    return Optional.empty();
  }

  private LogRecord readAt(long limit) {
    try {
      return scanner.read(segment.log(), position, limit);
    } catch (BadRecordException e) {
      throw new LogCorruptedException(segment.logFile, position, e.getMessage());
    } catch (IOException e) {
      if (segment.isDeleted()) {
        return null;
      }
      throw new UncheckedIOException("reading " + segment.logFile + " at " + position, e);
    }
  }

  @Override
  public Optional<LogRecord> next(Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    ReentrantLock lock = log.commitLock();
    while (true) {
      Optional<LogRecord> r = poll();
      if (r.isPresent() || consumeStop()) {
        return r;
      }
      lock.lock(); // the writer signals under this lock, so a commit cannot slip between check and
      // wait
      try {
        while (log.endOffset() <= nextOffset && !wakeup && !closed && !log.isClosed()) {
          if (remaining <= 0) {
            return Optional.empty();
          }
          remaining = log.committedCondition().awaitNanos(remaining);
        }
      } finally {
        lock.unlock();
      }
      if (consumeStop()) {
        return Optional.empty();
      }
    }
  }

  private boolean consumeStop() {
    if (closed || log.isClosed()) {
      return true;
    }
    if (wakeup) {
      wakeup = false;
      return true;
    }
    return false;
  }

  @Override
  public void wakeup() {
    wakeup = true;
    log.signalCommitted();
  }

  @Override
  public void close() {
    closed = true;
    log.signalCommitted();
  }
}
