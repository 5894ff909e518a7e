package dev.herald.server;

import dev.herald.log.Log;
import dev.herald.log.LogReader;
import dev.herald.log.LogRecord;
import dev.herald.log.LogTransport;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link GatewayStore.Cursor} over a log's events topic. A position is the decimal offset of an
 * event's record; the cursor opened at {@code "41"} yields the record at offset 42 first. Records
 * are decoded as the transport's feeds decode them ({@link LogTransport#event}): one that cannot be
 * decoded comes as its placeholder event and never stops the cursor.
 *
 * <p>Retention: the log's reader moves past segments deleted under it; this cursor notices when the
 * record it gets is not the one it expected and the expected one is below the log's start, and
 * throws {@link PositionGoneException} rather than skip silently. A gap that a repair recorded
 * ({@code dropped-offsets}) lies above the start and is passed over.
 *
 * <p>Threads: owned by one thread at a time; {@link #wakeup} and {@link #close} from any.
 */
final class LogCursor implements GatewayStore.Cursor {
  static final String EARLIEST = "earliest";
  static final String LATEST = "latest";
  private static final int MAX_POSITION_CHARS = 19;

  private final LogTransport transport;
  private final Log log;
  private final LogReader reader;
  private long next; // the offset this cursor expects to read next
  private String position;
  private final long openedAfter; // the offset before the first this cursor reads
  private final long endAtOpen; // the log's end offset when this cursor opened

  private LogCursor(LogTransport transport, long start, String position) {
    this.transport = transport;
    this.log = transport.log();
    this.endAtOpen = log.endOffset();
    this.reader = log.reader(start);
    this.next = start;
    this.position = position;
    this.openedAfter = start - 1;
  }

  /**
   * Opens a cursor at {@code from}: {@code "earliest"}, {@code "latest"} or a position.
   *
   * @throws PositionGoneException if retention deleted the event after {@code from}
   * @throws IllegalArgumentException if {@code from} is malformed or beyond the end of the log
   */
  static LogCursor open(LogTransport transport, String from) {
    Log log = transport.log();
    if (EARLIEST.equals(from)) {
      long start = log.startOffset();
      return new LogCursor(transport, start, positionBefore(start));
    }
    if (LATEST.equals(from)) {
      long end = log.endOffset();
      return new LogCursor(transport, end, positionBefore(end));
    }
    long offset = parse(from);
    long end = log.endOffset();
    if (offset >= end) {
      throw new IllegalArgumentException(
          "position "
              + from
              + " is beyond the end of the log (the last event is at "
              + (end - 1)
              + ")");
    }
    if (offset + 1 < log.startOffset()) {
      throw new PositionGoneException(from, Long.toString(log.startOffset()));
    }
    return new LogCursor(transport, offset + 1, Long.toString(offset));
  }

  /** The position a cursor about to read {@code offset} stands at: the one before it. */
  private static String positionBefore(long offset) {
    return offset == 0 ? EARLIEST : Long.toString(offset - 1);
  }

  private static long parse(String from) {
    if (from == null || from.isEmpty() || from.length() > MAX_POSITION_CHARS) {
      throw new IllegalArgumentException(
          "position: expected earliest, latest or a decimal offset, was " + describe(from));
    }
    for (int i = 0; i < from.length(); i++) {
      char c = from.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException(
            "position: expected earliest, latest or a decimal offset, was " + describe(from));
      }
    }
    return Long.parseLong(from);
  }

  private static String describe(String s) {
    if (s == null) {
      return "nothing";
    }
    return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
  }

  @Override
  public Optional<GatewayStore.StoredEvent> next(Duration wait) throws InterruptedException {
    Optional<LogRecord> read = reader.next(wait);
    if (read.isEmpty()) {
      return Optional.empty();
    }
    LogRecord record = read.get();
    long offset = record.offset();
    if (offset > next && next < log.startOffset()) {
      throw new PositionGoneException(position, Long.toString(log.startOffset()));
    }
    next = offset + 1;
    position = Long.toString(offset);
    return Optional.of(new GatewayStore.StoredEvent(position, transport.event(record)));
  }

  @Override
  public String position() {
    return position;
  }

  /**
   * {@inheritDoc} On the log, the bound is an offset: {@code "latest"} is the last record stored
   * when this cursor opened, a position is that record's offset.
   */
  @Override
  public GatewayStore.Bound bound(String to) {
    long last;
    if (LATEST.equals(to)) {
      last = endAtOpen - 1;
    } else {
      last = EARLIEST.equals(to) ? -1 : parse(to);
      if (last >= endAtOpen) {
        throw new IllegalArgumentException(
            "position "
                + to
                + " is beyond the end of the log (the last event is at "
                + (endAtOpen - 1)
                + ")");
      }
    }
    long from = openedAfter;
    long size = Math.max(0, last - from);
    return new GatewayStore.Bound() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public boolean includesLast() {
        return offsetOf(position) <= last;
      }

      @Override
      public long read() {
        return Math.max(0, Math.min(size, offsetOf(position) - from));
      }
    };
  }

  /** A position as this cursor gives it: an offset, or earliest (before offset 0). */
  private static long offsetOf(String position) {
    return EARLIEST.equals(position) ? -1 : parse(position);
  }

  @Override
  public void wakeup() {
    reader.wakeup();
  }

  @Override
  public void close() {
    reader.close();
  }
}
