package dev.herald.log.internal;

/**
 * The layout of the small checkpoint files: a topic's {@code recovery-point} and {@code
 * dropped-offsets} and the directory's {@code consumer-offsets}. Each is replaced whole (temp file,
 * fsync, rename, directory fsync), big-endian.
 *
 * <pre>
 *   recovery-point (20 bytes)
 *        0           4                                 12          16          20
 *        +-----------+---------------------------------+-----------+-----------+
 *        |  magic    |  recovery offset (int64)        |  version  |  crc32c   |
 *        +-----------+---------------------------------+-----------+-----------+
 *        crc32c covers bytes 0..16. Every segment with a base offset below the segment holding the
 *        recovery offset was fsynced and sealed; recovery validates records from that segment on.
 *        Written when a topic is created (offset 0), after each rolled segment is forced (offset: the
 *        next segment's base; under INTERVAL by the flusher, so it may lag a roll: segments at or
 *        past it may have torn tails, truncated with what follows them) and at a clean close.
 *
 *   consumer-offsets
 *        0           4           8           12          16
 *        +-----------+-----------+-----------+-----------+------------------------------------+
 *        |  magic    |  version  | body len  |  crc32c   | body: entry count (int32), entries |
 *        +-----------+-----------+-----------+-----------+------------------------------------+
 *        entry: group length (int16), group UTF-8, topic length (int16), topic UTF-8, offset (int64)
 *        crc32c covers the body.
 *
 *   dropped-offsets (a topic's; written only by a repair)
 *        0           4           8           12          16
 *        +-----------+-----------+-----------+-----------+------------------------------------+
 *        |  magic    |  version  | body len  |  crc32c   | body: range count (int32), ranges  |
 *        +-----------+-----------+-----------+-----------+------------------------------------+
 *        range: from offset (int64), to offset (int64, exclusive). Offsets a repair found missing
 *        (a deleted segment, a recovery point past the recovered end) or moved out of the log with
 *        damaged bytes. A gap between segments, or a recovery point past the end, that no range
 *        covers is damage: the open fails and verify reports it. crc32c covers the body.
 * </pre>
 */
public final class CheckpointDescriptor {
  public static final int RECOVERY_MAGIC = 0x48524350; // "HRCP"
  public static final int RECOVERY_MAGIC_OFFSET = 0;
  public static final int RECOVERY_OFFSET_OFFSET = 4;
  public static final int RECOVERY_VERSION_OFFSET = 12;
  public static final int RECOVERY_CRC_OFFSET = 16;
  public static final int RECOVERY_SIZE = 20;
  public static final int RECOVERY_VERSION = 1;

  public static final int OFFSETS_MAGIC = 0x484f4646; // "HOFF"
  public static final int OFFSETS_MAGIC_OFFSET = 0;
  public static final int OFFSETS_VERSION_OFFSET = 4;
  public static final int OFFSETS_BODY_LENGTH_OFFSET = 8;
  public static final int OFFSETS_CRC_OFFSET = 12;
  public static final int OFFSETS_BODY_OFFSET = 16;
  public static final int OFFSETS_VERSION = 1;

  public static final int DROPPED_MAGIC = 0x48445250; // "HDRP"
  public static final int DROPPED_MAGIC_OFFSET = 0;
  public static final int DROPPED_VERSION_OFFSET = 4;
  public static final int DROPPED_BODY_LENGTH_OFFSET = 8;
  public static final int DROPPED_CRC_OFFSET = 12;
  public static final int DROPPED_BODY_OFFSET = 16;
  public static final int DROPPED_RANGE_SIZE = 16;
  public static final int DROPPED_VERSION = 1;

  private CheckpointDescriptor() {}
}
