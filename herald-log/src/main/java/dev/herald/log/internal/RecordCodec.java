package dev.herald.log.internal;

import static dev.herald.log.internal.RecordDescriptor.*;

import dev.herald.internal.transport.TextCache;
import dev.herald.log.Header;
import dev.herald.log.LogRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes records laid out as {@link RecordDescriptor} says. Any thread; its only state
 * is the cache of header names, which repeat in every record: decoding them to the same strings
 * saves a byte array and a string per header per record.
 */
public final class RecordCodec {
  private static final TextCache HEADER_NAMES = new TextCache(64);

  /** A record failed validation; {@link #getMessage()} says why. Cheap: no stack trace. */
  public static final class BadRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    BadRecordException(String reason) {
      super(reason, null, false, false);
    }
  }

  private RecordCodec() {}

  /** Bytes {@code record} occupies once encoded. */
  public static int encodedSize(LogRecord record) {
    long size =
        FIXED_HEADER_SIZE + (record.key() == null ? 0 : record.key().length) + HEADER_COUNT_SIZE;
    for (Header h : record.headers()) {
      size +=
          HEADER_NAME_LENGTH_SIZE
              + utf8Length(h.name())
              + HEADER_VALUE_LENGTH_SIZE
              + h.value().length;
    }
    size += PAYLOAD_LENGTH_SIZE + record.payload().length;
    return size > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) size;
  }

  /**
   * Writes {@code record} with {@code offset} and {@code timestamp} at {@code dst}'s position,
   * advancing it.
   */
  public static void encode(LogRecord record, long offset, long timestamp, ByteBuffer dst) {
    encode(record, encodedSize(record), offset, timestamp, dst);
  }

  /**
   * {@link #encode(LogRecord, long, long, ByteBuffer)} for a caller that knows {@link
   * #encodedSize}.
   */
  static void encode(LogRecord record, int size, long offset, long timestamp, ByteBuffer dst) {
    int start = dst.position();
    dst.putInt(start + LENGTH_OFFSET, lengthFieldFor(size));
    dst.put(start + MAGIC_OFFSET, MAGIC_V1);
    dst.put(start + ATTRIBUTES_OFFSET, (byte) 0);
    dst.putLong(start + TIMESTAMP_OFFSET, timestamp);
    dst.putLong(start + OFFSET_OFFSET, offset);
    byte[] key = record.key();
    dst.putInt(start + KEY_LENGTH_OFFSET, key == null ? NULL_KEY_LENGTH : key.length);
    dst.position(start + KEY_OFFSET);
    if (key != null) {
      dst.put(key);
    }
    dst.putInt(record.headers().size());
    for (Header h : record.headers()) {
      putName(h.name(), dst);
      dst.putInt(h.value().length).put(h.value());
    }
    dst.putInt(record.payload().length).put(record.payload());
    dst.putInt(start + CRC_OFFSET, crc(dst, start + CRC_START, start + size));
  }

  /**
   * Decodes the whole record held in {@code src} from {@code start} to {@code start + size},
   * checking its CRC, magic, attributes and that every length adds up to {@code size}.
   */
  public static LogRecord decode(ByteBuffer src, int start, int size) throws BadRecordException {
    int end = start + size;
    if (size < MIN_RECORD_SIZE) {
      throw new BadRecordException("record size " + size + " below minimum " + MIN_RECORD_SIZE);
    }
    if (recordSizeFor(src.getInt(start + LENGTH_OFFSET)) != size) {
      throw new BadRecordException("length field disagrees with record size");
    }
    int stored = src.getInt(start + CRC_OFFSET);
    int actual = crc(src, start + CRC_START, end);
    if (stored != actual) {
      throw new BadRecordException(
          "crc32c mismatch: stored "
              + Integer.toHexString(stored)
              + ", computed "
              + Integer.toHexString(actual));
    }
    if (src.get(start + MAGIC_OFFSET) != MAGIC_V1) {
      throw new BadRecordException("unknown magic " + src.get(start + MAGIC_OFFSET));
    }
    if (src.get(start + ATTRIBUTES_OFFSET) != 0) {
      throw new BadRecordException("unknown attributes " + src.get(start + ATTRIBUTES_OFFSET));
    }
    long timestamp = src.getLong(start + TIMESTAMP_OFFSET);
    long offset = src.getLong(start + OFFSET_OFFSET);
    int keyLength = src.getInt(start + KEY_LENGTH_OFFSET);
    int p = start + KEY_OFFSET;
    byte[] key = null;
    if (keyLength != NULL_KEY_LENGTH) {
      key = bytes(src, p, keyLength, end, "key");
      p += keyLength;
    }
    int headerCount = intAt(src, p, end, "header count");
    p += HEADER_COUNT_SIZE;
    if (headerCount < 0
        || headerCount > (end - p) / (HEADER_NAME_LENGTH_SIZE + HEADER_VALUE_LENGTH_SIZE)) {
      throw new BadRecordException("bad header count " + headerCount);
    }
    List<Header> headers = new ArrayList<>(headerCount);
    for (int i = 0; i < headerCount; i++) {
      int nameLength = intAt(src, p, end, "header name length");
      p += HEADER_NAME_LENGTH_SIZE;
      checkLength(p, nameLength, end, "header name");
      String name = HEADER_NAMES.text(src, p, nameLength);
      p += nameLength;
      int valueLength = intAt(src, p, end, "header value length");
      p += HEADER_VALUE_LENGTH_SIZE;
      headers.add(Header.of(name, bytes(src, p, valueLength, end, "header value")));
      p += valueLength;
    }
    int payloadLength = intAt(src, p, end, "payload length");
    p += PAYLOAD_LENGTH_SIZE;
    byte[] payload = bytes(src, p, payloadLength, end, "payload");
    if (p + payloadLength != end) {
      throw new BadRecordException(
          "fields end at " + (p + payloadLength - start) + " of " + size + " bytes");
    }
    return LogRecord.of(timestamp, key, headers, payload).withOffset(offset);
  }

  private static int intAt(ByteBuffer src, int p, int end, String field) throws BadRecordException {
    if (p + 4 > end) {
      throw new BadRecordException(field + " runs past the end of the record");
    }
    return src.getInt(p);
  }

  private static byte[] bytes(ByteBuffer src, int p, int length, int end, String field)
      throws BadRecordException {
    checkLength(p, length, end, field);
    byte[] out = new byte[length];
    src.get(p, out);
    return out;
  }

  private static void checkLength(int p, int length, int end, String field)
      throws BadRecordException {
    if (length < 0 || length > end - p) {
      throw new BadRecordException("bad " + field + " length " + length);
    }
  }

  static int crc(ByteBuffer buf, int from, int to) {
    CRC32C crc = new CRC32C();
    if (buf.hasArray()) {
      crc.update(buf.array(), buf.arrayOffset() + from, to - from);
    } else {
      crc.update(buf.duplicate().limit(to).position(from));
    }
    return (int) crc.getValue();
  }

  /** The length of {@code name} in UTF-8 and the name itself, at {@code dst}'s position. */
  private static void putName(String name, ByteBuffer dst) {
    if (isAscii(name)) {
      // Header names are ASCII in practice: written as they are, no byte array per header.
      int n = name.length();
      dst.putInt(n);
      for (int i = 0; i < n; i++) {
        dst.put((byte) name.charAt(i));
      }
    } else {
      byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
      dst.putInt(bytes.length).put(bytes);
    }
  }

  private static int utf8Length(String s) {
    return isAscii(s) ? s.length() : s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
