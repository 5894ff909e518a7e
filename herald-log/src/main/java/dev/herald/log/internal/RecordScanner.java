package dev.herald.log.internal;

import static dev.herald.log.internal.RecordDescriptor.*;

import dev.herald.log.FileLayer.FileHandle;
import dev.herald.log.LogRecord;
import dev.herald.log.internal.RecordCodec.BadRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads and validates records from a segment file through a read-ahead window. A length field is
 * checked against the maximum record size and the bytes available before anything is allocated, so
 * a damaged length never causes a huge allocation. Owned by one thread.
 */
final class RecordScanner {
  private static final int READ_AHEAD = 64 * 1024;

  private final int maxRecordBytes;
  private ByteBuffer window = ByteBuffer.allocate(READ_AHEAD);
  private FileHandle windowFile;
  private long windowStart = -1;
  private int windowLength;
  private int lastSize;

  RecordScanner(int maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Size in bytes of the record last returned by {@link #read}. */
  int lastSize() {
    return lastSize;
  }

  /**
   * The record at {@code position}, using only bytes below {@code limit}.
   *
   * @throws BadRecordException when the bytes there are not a whole, valid record
   */
  LogRecord read(FileHandle file, long position, long limit)
      throws IOException, BadRecordException {
    if (limit - position < LENGTH_FIELD_SIZE) {
      throw new BadRecordException(
          "incomplete length field: " + (limit - position) + " bytes left");
    }
    int at = ensure(file, position, LENGTH_FIELD_SIZE, limit);
    long size = recordSizeFor(window.getInt(at + LENGTH_OFFSET));
    if (size < MIN_RECORD_SIZE || size > maxRecordBytes) {
      throw new BadRecordException(
          "record size " + size + " outside [" + MIN_RECORD_SIZE + ", " + maxRecordBytes + "]");
    }
    if (size > limit - position) {
      throw new BadRecordException(
          "incomplete record: " + size + " bytes declared, " + (limit - position) + " present");
    }
    at = ensure(file, position, (int) size, limit);
    LogRecord record = RecordCodec.decode(window, at, (int) size);
    lastSize = (int) size;
    return record;
  }

  /**
   * The position of the first whole, valid record after {@code from} (exclusive) and below {@code
   * limit} whose offset is at least {@code minOffset} and no further past it than the bytes skipped
   * allow, or -1. Tries every byte position: after a bad record its length field cannot be trusted.
   * What a crash leaves is a torn tail, never an intact record after a bad one, so a hit means
   * damage. After it, {@link #lastSize()} is the size of the record found.
   */
  long nextIntactRecord(FileHandle file, long from, long limit, long minOffset) throws IOException {
    for (long q = from + 1; q + MIN_RECORD_SIZE <= limit; q++) {
      try {
        LogRecord r = read(file, q, limit);
        if (r.offset() >= minOffset && r.offset() <= minOffset + (q - from) / MIN_RECORD_SIZE) {
          return q;
        }
      } catch (BadRecordException e) {
        // not a record boundary; try the next byte
      }
    }
    return -1;
  }

  /**
   * Makes bytes [position, position + n) available in the window; returns the index of position.
   */
  private int ensure(FileHandle file, long position, int n, long limit)
      throws IOException, BadRecordException {
    if (file == windowFile
        && position >= windowStart
        && position + n <= windowStart + windowLength) {
      return (int) (position - windowStart);
    }
    int want = (int) Math.min(Math.max(n, READ_AHEAD), limit - position);
    if (window.capacity() < want) {
      window = ByteBuffer.allocate(want); // want <= max(maxRecordBytes, READ_AHEAD): bounded
    }
    window.clear().limit(want);
    windowFile = file;
    windowStart = position;
    boolean complete = FileIo.readFully(file, window, position);
    windowLength = window.position();
    if (!complete && windowLength < n) {
      throw new BadRecordException("file ends " + windowLength + " bytes after position");
    }
    return 0;
  }

  /** Forgets the window, e.g. after the file was truncated. */
  void invalidate() {
    windowFile = null;
    windowStart = -1;
    windowLength = 0;
  }
}
