package dev.herald.log.internal;

import static dev.herald.log.internal.CheckpointDescriptor.*;

import dev.herald.log.FileLayer;
import dev.herald.log.LogCorruptedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A topic's {@code dropped-offsets} file (layout in {@link CheckpointDescriptor}): the offset
 * ranges a repair found missing or moved out of the log. Gaps these ranges cover are known and
 * reported once, by the repair that made them; any other gap is damage.
 */
final class DroppedOffsets {
  static final String FILE_NAME = "dropped-offsets";

  /** Offsets {@code [from, to)}. */
  record Range(long from, long to) {}

  private DroppedOffsets() {}

  /**
   * The ranges stored in {@code topicDir}, empty when the file does not exist.
   *
   * @throws LogCorruptedException when the file fails its checks
   */
  static List<Range> read(FileLayer files, Path topicDir) throws IOException {
    Path file = topicDir.resolve(FILE_NAME);
    List<Range> ranges = new ArrayList<>();
    if (!files.exists(file)) {
      return ranges;
    }
    ByteBuffer b = ByteBuffer.wrap(FileIo.readAll(files, file));
    if (b.capacity() < DROPPED_BODY_OFFSET + 4
        || b.getInt(DROPPED_MAGIC_OFFSET) != DROPPED_MAGIC
        || b.getInt(DROPPED_VERSION_OFFSET) != DROPPED_VERSION) {
      throw new LogCorruptedException(file, 0, "bad size, magic or version");
    }
    int count = b.getInt(DROPPED_BODY_OFFSET);
    if (b.getInt(DROPPED_BODY_LENGTH_OFFSET) != b.capacity() - DROPPED_BODY_OFFSET
        || count < 0
        || b.capacity() != DROPPED_BODY_OFFSET + 4 + (long) count * DROPPED_RANGE_SIZE) {
      throw new LogCorruptedException(
          file, DROPPED_BODY_LENGTH_OFFSET, "body length disagrees with size");
    }
    if (b.getInt(DROPPED_CRC_OFFSET) != RecordCodec.crc(b, DROPPED_BODY_OFFSET, b.capacity())) {
      throw new LogCorruptedException(file, DROPPED_CRC_OFFSET, "crc32c mismatch");
    }
    for (int i = 0; i < count; i++) {
      int at = DROPPED_BODY_OFFSET + 4 + i * DROPPED_RANGE_SIZE;
      ranges.add(new Range(b.getLong(at), b.getLong(at + 8)));
    }
    return ranges;
  }

  static void write(FileLayer files, Path topicDir, List<Range> ranges) throws IOException {
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingLong(Range::from));
    ByteBuffer b =
        ByteBuffer.allocate(DROPPED_BODY_OFFSET + 4 + sorted.size() * DROPPED_RANGE_SIZE);
    b.putInt(DROPPED_MAGIC_OFFSET, DROPPED_MAGIC);
    b.putInt(DROPPED_VERSION_OFFSET, DROPPED_VERSION);
    b.putInt(DROPPED_BODY_LENGTH_OFFSET, b.capacity() - DROPPED_BODY_OFFSET);
    b.putInt(DROPPED_BODY_OFFSET, sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      int at = DROPPED_BODY_OFFSET + 4 + i * DROPPED_RANGE_SIZE;
      b.putLong(at, sorted.get(i).from()).putLong(at + 8, sorted.get(i).to());
    }
    b.putInt(DROPPED_CRC_OFFSET, RecordCodec.crc(b, DROPPED_BODY_OFFSET, b.capacity()));
    FileIo.replaceAtomically(files, topicDir.resolve(FILE_NAME), b);
  }

  /** True when {@code ranges} together cover every offset in {@code [from, to)}. */
  static boolean covers(List<Range> ranges, long from, long to) {
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingLong(Range::from));
    long next = from;
    for (Range r : sorted) {
      if (r.from() <= next && r.to() > next) {
        next = r.to();
      }
    }
    return next >= to;
  }
}
