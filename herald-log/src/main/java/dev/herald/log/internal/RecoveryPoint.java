package dev.herald.log.internal;

import static dev.herald.log.internal.CheckpointDescriptor.*;

import dev.herald.log.FileLayer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Reads and writes a topic's {@code recovery-point} file (layout in {@link CheckpointDescriptor}).
 */
final class RecoveryPoint {
  static final String FILE_NAME = "recovery-point";
  static final long MISSING = -1;
  static final long DAMAGED = -2;

  private RecoveryPoint() {}

  /** The stored recovery offset, {@link #MISSING} or {@link #DAMAGED}. */
  static long read(FileLayer files, Path topicDir) throws IOException {
    Path file = topicDir.resolve(FILE_NAME);
    if (!files.exists(file)) {
      return MISSING;
    }
    ByteBuffer b = ByteBuffer.wrap(FileIo.readAll(files, file));
    if (b.capacity() != RECOVERY_SIZE
        || b.getInt(RECOVERY_MAGIC_OFFSET) != RECOVERY_MAGIC
        || b.getInt(RECOVERY_VERSION_OFFSET) != RECOVERY_VERSION
        || b.getInt(RECOVERY_CRC_OFFSET) != RecordCodec.crc(b, 0, RECOVERY_CRC_OFFSET)
        || b.getLong(RECOVERY_OFFSET_OFFSET) < 0) {
      return DAMAGED;
    }
    return b.getLong(RECOVERY_OFFSET_OFFSET);
  }

  static void write(FileLayer files, Path topicDir, long offset) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(RECOVERY_SIZE);
    b.putInt(RECOVERY_MAGIC_OFFSET, RECOVERY_MAGIC);
    b.putLong(RECOVERY_OFFSET_OFFSET, offset);
    b.putInt(RECOVERY_VERSION_OFFSET, RECOVERY_VERSION);
    b.putInt(RECOVERY_CRC_OFFSET, RecordCodec.crc(b, 0, RECOVERY_CRC_OFFSET));
    FileIo.replaceAtomically(files, topicDir.resolve(FILE_NAME), b);
  }
}
