package dev.herald.log;

import dev.herald.log.internal.FileOffsetStore;
import dev.herald.log.internal.LogFileScan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Read-only views of a {@link LogDirectory}'s files, for tools. Nothing here takes the directory
 * lock, runs recovery or writes a byte, so these may run beside a process that has the directory
 * open; what they see of a live directory is a snapshot whose active segment may end in a partly
 * written record.
 *
 * <p>Threads: stateless; safe from any thread. Failure: I/O errors are thrown; damaged data is
 * reported in the returned values (or as {@link LogCorruptedException} for the offsets file), never
 * repaired.
 */
public final class LogFiles {

  /**
   * One segment's {@code .log} file: records from {@code baseOffset} up to, not including, {@code
   * endOffset}.
   *
   * @param endOffset the offset after the last record read; for a damaged segment, the offset of
   *     the first record that failed its checks
   * @param damage null when none was found; else what stopped the read of a sealed segment (one
   *     that is not the last of its topic), as {@code corrupt data at byte N: reason}. The last
   *     segment's unreadable tail is not damage: it may be a record still being written, or a torn
   *     tail that opening the log truncates. Only the bytes read are checked (see {@link #topic})
   */
  public record SegmentFile(
      long baseOffset, Path file, long sizeBytes, long endOffset, String damage) {
    /** A segment without damage. */
    public SegmentFile(long baseOffset, Path file, long sizeBytes, long endOffset) {
      this(baseOffset, file, sizeBytes, endOffset, null);
    }

    /** Records in the segment (offsets are dense within a segment). */
    public long recordCount() {
      return endOffset - baseOffset;
    }
  }

  /** A topic's segments in base offset order; never empty for a topic the log has opened once. */
  public record TopicFiles(String name, List<SegmentFile> segments) {
    public TopicFiles {
      segments = List.copyOf(segments);
    }

    /** The first stored offset, 0 when there are no segments. */
    public long startOffset() {
      return segments.isEmpty() ? 0 : segments.get(0).baseOffset();
    }

    /** The offset the next record would get. */
    public long endOffset() {
      return segments.isEmpty() ? 0 : segments.get(segments.size() - 1).endOffset();
    }

    public long sizeBytes() {
      return segments.stream().mapToLong(SegmentFile::sizeBytes).sum();
    }
  }

  /** Something a {@link #verify} found wrong: the file, the byte position and why. */
  public record Problem(Path file, long position, String reason) {
    @Override
    public String toString() {
      return file + " at byte " + position + ": " + reason;
    }
  }

  /** What {@link #verify} checked and found. */
  public record Verification(
      int topics,
      int segments,
      long records,
      long indexEntries,
      long bytes,
      List<Problem> problems) {
    public Verification {
      problems = List.copyOf(problems);
    }

    public boolean isClean() {
      return problems.isEmpty();
    }
  }

  /** Told how far a {@link #verify} has got; called on the verifying thread. */
  @FunctionalInterface
  public interface VerifyProgress {
    void scanned(long bytesScanned, long totalBytes);
  }

  private LogFiles() {}

  /** True when {@code dir} looks like a log directory: it has a {@code topics} subdirectory. */
  public static boolean isLogDirectory(Path dir, LogOptions options) {
    return options.fileLayer().isDirectory(dir.resolve(LogFileScan.TOPICS));
  }

  /** Names of the topics in {@code dir}, sorted. */
  public static List<String> topics(Path dir, LogOptions options) throws IOException {
    return new LogFileScan(dir, options).topics();
  }

  /**
   * The segments of {@code topic}. A segment's end offset comes from its last offset index entry
   * and a scan of the records after it, so this reads at most about {@link
   * LogOptions#indexIntervalBytes()} per segment; the scan stops at the first record that fails its
   * checks. Such a record in a sealed segment is reported as its {@link SegmentFile#damage()};
   * damage before the last index entry is not read, so not found: {@link #verify} reads every byte.
   */
  public static TopicFiles topic(Path dir, String topic, LogOptions options) throws IOException {
    return new LogFileScan(dir, options).topic(topic);
  }

  /**
   * Committed consumer offsets, group to topic to offset, both sorted; empty when nothing was
   * committed.
   *
   * @throws LogCorruptedException when the offsets file fails its checks
   */
  public static Map<String, Map<String, Long>> committedOffsets(Path dir, LogOptions options)
      throws IOException {
    return FileOffsetStore.read(options.fileLayer(), dir);
  }

  /**
   * Opens {@code topic} read-only, without the directory's lock, beside a process that may be
   * writing it; see {@link ReadOnlyLog} for what its readers see. Nothing is written, truncated or
   * repaired.
   *
   * @param pollInterval the longest a waiting reader goes without looking at the files again,
   *     whatever the directory watch reports (see {@link ReadOnlyLog})
   * @param onSkip told when a reader loses records to retention
   * @throws java.nio.file.NoSuchFileException when the topic does not exist
   */
  public static ReadOnlyLog openReadOnly(
      Path dir,
      String topic,
      LogOptions options,
      java.time.Duration pollInterval,
      ReadOnlyLog.SkipListener onSkip)
      throws IOException {
    return dev.herald.log.internal.ReadOnlyTopic.open(dir, topic, options, pollInterval, onSkip);
  }

  /**
   * True when a process (this JVM included) has {@code dir} open through {@link LogDirectory#open},
   * so that what the files show may change as it writes. On the real file system this probes the
   * lock file with a shared lock held for an instant, during which that process could not open the
   * directory; see {@link FileLayer#isLocked}.
   */
  public static boolean isInUse(Path dir, LogOptions options) throws IOException {
    return options.fileLayer().isLocked(dir);
  }

  /**
   * Reads every byte of every segment of every topic: each record's CRC and structure, dense
   * offsets, segments that overlap or leave offsets missing between them, and every {@code .index}
   * and {@code .timeindex} entry (CRC, order, and that it points at the record it names); and every
   * other file the log owns: each topic's {@code recovery-point} (present, intact, not past the
   * end) and {@code dropped-offsets}, and the {@code consumer-offsets} (present, intact, no group
   * past its topic's end). A bad record ends the scan of its segment; its problem says what opening
   * the log does about it, as recovery decides (a torn tail is truncated; damage fails the open).
   * {@code progress} is told the bytes scanned so far at least after each segment.
   */
  public static Verification verify(Path dir, LogOptions options, VerifyProgress progress)
      throws IOException {
    return new LogFileScan(dir, options).verify(progress);
  }
}
