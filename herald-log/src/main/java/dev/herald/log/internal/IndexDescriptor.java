package dev.herald.log.internal;

/**
 * The layout of the sparse {@code .index} (offset to file position) and {@code .timeindex}
 * (timestamp to offset) files of a segment. Both are arrays of fixed-size entries, big-endian, each
 * carrying its own CRC32C so any damaged entry is detected and the index rebuilt from the log.
 *
 * <pre>
 *   .index entry (12 bytes)
 *        0                 4                 8                 12
 *        +-----------------+-----------------+-----------------+
 *        | relative offset |  file position  | crc32c of 0..8  |
 *        +-----------------+-----------------+-----------------+
 *
 *   .timeindex entry (16 bytes)
 *        0                                   8                 12                16
 *        +-----------------------------------+-----------------+-----------------+
 *        | max timestamp so far (int64)      | relative offset | crc32c of 0..12 |
 *        +-----------------------------------+-----------------+-----------------+
 * </pre>
 *
 * Relative offsets are from the segment's base offset. Entries increase strictly in offset and
 * position (offset index) and in timestamp (time index). An index is only a hint: a reader scans
 * forward from the position it gives and checks each record's offset.
 */
public final class IndexDescriptor {
  public static final int OFFSET_ENTRY_RELATIVE_OFFSET = 0;
  public static final int OFFSET_ENTRY_POSITION = 4;
  public static final int OFFSET_ENTRY_CRC = 8;
  public static final int OFFSET_ENTRY_SIZE = 12;

  public static final int TIME_ENTRY_TIMESTAMP = 0;
  public static final int TIME_ENTRY_RELATIVE_OFFSET = 8;
  public static final int TIME_ENTRY_CRC = 12;
  public static final int TIME_ENTRY_SIZE = 16;

  private IndexDescriptor() {}
}
