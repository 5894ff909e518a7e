package dev.herald.log;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One record of a {@link Log}: a timestamp, an optional key, ordered headers and a payload, all
 * bytes. Immutable value. Byte arrays are not copied: a caller must not modify them after {@link
 * Log#append}.
 *
 * <p>A record built by a caller has {@link #offset()} {@link #NO_OFFSET}; records returned by a
 * reader carry the offset the log assigned. A record built with {@link #NO_TIMESTAMP} is stamped by
 * the log's {@link dev.herald.TimeSource} when the writer thread writes it.
 */
public final class LogRecord {
  /** Offset of a record that has not been appended yet. */
  public static final long NO_OFFSET = -1L;

  /** Asks the log to stamp the record with its own clock. */
  public static final long NO_TIMESTAMP = -1L;

  private final long offset;
  private final long timestamp;
  private final byte[] key;
  private final List<Header> headers;
  private final byte[] payload;

  private LogRecord(long offset, long timestamp, byte[] key, List<Header> headers, byte[] payload) {
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.headers = List.copyOf(headers);
    this.payload = Objects.requireNonNull(payload, "payload");
  }

  /** A record with no key and no headers, stamped by the log's clock. */
  public static LogRecord of(byte[] payload) {
    return new LogRecord(NO_OFFSET, NO_TIMESTAMP, null, List.of(), payload);
  }

  /** A record with every field given; {@code key} may be null. */
  public static LogRecord of(long timestamp, byte[] key, List<Header> headers, byte[] payload) {
    if (timestamp < 0 && timestamp != NO_TIMESTAMP) {
      throw new IllegalArgumentException("timestamp must be >= 0 or NO_TIMESTAMP: " + timestamp);
    }
    return new LogRecord(NO_OFFSET, timestamp, key, headers, payload);
  }

  /** This record carrying {@code offset}; used by readers. */
  public LogRecord withOffset(long offset) {
    return new LogRecord(offset, timestamp, key, headers, payload);
  }

  /** This record carrying {@code timestamp}. */
  public LogRecord withTimestamp(long timestamp) {
    return new LogRecord(offset, timestamp, key, headers, payload);
  }

  public long offset() {
    return offset;
  }

  public long timestamp() {
    return timestamp;
  }

  /** The key, or null when the record has none. */
  public byte[] key() {
    return key;
  }

  public List<Header> headers() {
    return headers;
  }

  public byte[] payload() {
    return payload;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogRecord r
        && offset == r.offset
        && timestamp == r.timestamp
        && Arrays.equals(key, r.key)
        && headers.equals(r.headers)
        && Arrays.equals(payload, r.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(offset, timestamp, Arrays.hashCode(key), headers, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "LogRecord{offset="
        + offset
        + ", timestamp="
        + timestamp
        + ", key="
        + (key == null ? "null" : key.length + "B")
        + ", headers="
        + headers
        + ", payload="
        + payload.length
        + "B}";
  }
}
