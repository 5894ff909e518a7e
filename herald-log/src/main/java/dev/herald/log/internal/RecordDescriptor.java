package dev.herald.log.internal;

/**
 * The layout of one record in a segment {@code .log} file, the only place that knows it. All
 * integers are big-endian; records follow each other with no padding.
 *
 * <pre>
 *   byte  0               4               8       9      10                              18
 *        +---------------+---------------+-------+------+-------------------------------+
 *        |    length     |    crc32c     | magic | attr |       timestamp (int64)       |
 *        +---------------+---------------+-------+------+-------------------------------+
 *       18                              26              30
 *        +-------------------------------+---------------+----------------------------+
 *        |         offset (int64)        |  key length   |  key bytes (0 when -1) ... |
 *        +-------------------------------+---------------+----------------------------+
 *        +---------------+--------------------------------------------------------------+
 *        | header count  | headers: count x (name length, UTF-8 name, value length, value)|
 *        +---------------+--------------------------------------------------------------+
 *        +---------------+------------------------------+
 *        | payload length|  payload bytes ...           |
 *        +---------------+------------------------------+
 *
 *   length  int32  bytes after the length field (so a record occupies 4 + length bytes)
 *   crc32c  int32  CRC32C of every byte from magic to the end of the payload
 *   magic   int8   format version, {@link #MAGIC_V1}
 *   attr    int8   attribute bits, all zero in version 1
 *   key length int32, -1 for a null key; header name/value lengths int32; payload length int32
 * </pre>
 *
 * The length field is not covered by the CRC, but a wrong length moves the CRC window and every
 * variable length must add up exactly to it, so a damaged length is detected as well.
 */
public final class RecordDescriptor {
  public static final byte MAGIC_V1 = 1;

  public static final int LENGTH_OFFSET = 0;
  public static final int CRC_OFFSET = 4;
  public static final int MAGIC_OFFSET = 8;
  public static final int ATTRIBUTES_OFFSET = 9;
  public static final int TIMESTAMP_OFFSET = 10;
  public static final int OFFSET_OFFSET = 18;
  public static final int KEY_LENGTH_OFFSET = 26;
  public static final int KEY_OFFSET = 30;

  public static final int LENGTH_FIELD_SIZE = 4;

  /** The CRC covers bytes from here to the end of the record. */
  public static final int CRC_START = MAGIC_OFFSET;

  public static final int FIXED_HEADER_SIZE = KEY_OFFSET;
  public static final int HEADER_COUNT_SIZE = 4;
  public static final int HEADER_NAME_LENGTH_SIZE = 4;
  public static final int HEADER_VALUE_LENGTH_SIZE = 4;
  public static final int PAYLOAD_LENGTH_SIZE = 4;
  public static final int NULL_KEY_LENGTH = -1;

  /** Smallest whole record: null key, no headers, empty payload. */
  public static final int MIN_RECORD_SIZE =
      FIXED_HEADER_SIZE + HEADER_COUNT_SIZE + PAYLOAD_LENGTH_SIZE;

  private RecordDescriptor() {}

  /** Value of the length field for a record occupying {@code recordSize} bytes. */
  public static int lengthFieldFor(int recordSize) {
    return recordSize - LENGTH_FIELD_SIZE;
  }

  /** Bytes a record occupies given the value of its length field. */
  public static int recordSizeFor(int lengthField) {
    return lengthField + LENGTH_FIELD_SIZE;
  }
}
