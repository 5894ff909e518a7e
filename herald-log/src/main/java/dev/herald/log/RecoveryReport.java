package dev.herald.log;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What recovery did when a log directory was opened: bytes truncated from a torn tail, indexes
 * rebuilt; and what a repair did: damaged bytes quarantined, offset ranges found missing or
 * dropped, small files rebuilt. Immutable value.
 */
public final class RecoveryReport {

  /** Bytes removed from the end of a segment file. */
  public record Truncation(Path file, long position, long bytes, String reason) {}

  /** Bytes moved out of a segment into {@code quarantineFile} by a repair. */
  public record Quarantine(
      Path file, long position, long bytes, Path quarantineFile, String reason) {}

  /**
   * Offsets {@code [fromOffset, toOffset)} that a repair found missing from the log (a deleted
   * segment, a recovery point past the recovered end) or moved out of it with damaged bytes; {@code
   * file} is the segment or checkpoint file where that showed.
   */
  public record Dropped(Path file, long fromOffset, long toOffset, String reason) {
    /** Records dropped: offsets are dense, so one per offset. */
    public long records() {
      return toOffset - fromOffset;
    }
  }

  /**
   * A file other than a segment or index that a repair rebuilt, and what was lost with the old one.
   */
  public record RebuiltFile(Path file, String lost) {}

  /**
   * A consumer group's committed offset that pointed past the end of its topic, moved back to the
   * end.
   */
  public record ClampedOffset(String group, String topic, long from, long to) {}

  private static final RecoveryReport CLEAN =
      new RecoveryReport(List.of(), List.of(), List.of(), false);

  private final List<Truncation> truncations;
  private final List<Path> rebuiltIndexes;
  private final List<Quarantine> quarantines;
  private final List<Dropped> dropped;
  private final List<RebuiltFile> rebuiltFiles;
  private final List<ClampedOffset> clampedOffsets;
  private final boolean checkpointMissing;

  public RecoveryReport(
      List<Truncation> truncations,
      List<Path> rebuiltIndexes,
      List<Quarantine> quarantines,
      boolean checkpointMissing) {
    this(truncations, rebuiltIndexes, quarantines, List.of(), List.of(), checkpointMissing);
  }

  public RecoveryReport(
      List<Truncation> truncations,
      List<Path> rebuiltIndexes,
      List<Quarantine> quarantines,
      List<Dropped> dropped,
      List<RebuiltFile> rebuiltFiles,
      boolean checkpointMissing) {
    this(
        truncations,
        rebuiltIndexes,
        quarantines,
        dropped,
        rebuiltFiles,
        List.of(),
        checkpointMissing);
  }

  public RecoveryReport(
      List<Truncation> truncations,
      List<Path> rebuiltIndexes,
      List<Quarantine> quarantines,
      List<Dropped> dropped,
      List<RebuiltFile> rebuiltFiles,
      List<ClampedOffset> clampedOffsets,
      boolean checkpointMissing) {
    this.clampedOffsets = List.copyOf(clampedOffsets);
    this.truncations = List.copyOf(truncations);
    this.rebuiltIndexes = List.copyOf(rebuiltIndexes);
    this.quarantines = List.copyOf(quarantines);
    this.dropped = List.copyOf(dropped);
    this.rebuiltFiles = List.copyOf(rebuiltFiles);
    this.checkpointMissing = checkpointMissing;
  }

  public static RecoveryReport clean() {
    return CLEAN;
  }

  public List<Truncation> truncations() {
    return truncations;
  }

  public List<Path> rebuiltIndexes() {
    return rebuiltIndexes;
  }

  public List<Quarantine> quarantines() {
    return quarantines;
  }

  /** Offset ranges a repair found missing or dropped, each with its record count. */
  public List<Dropped> dropped() {
    return dropped;
  }

  /** Small files (consumer offsets, recovery point) a repair rebuilt, and what each lost. */
  public List<RebuiltFile> rebuiltFiles() {
    return rebuiltFiles;
  }

  /** Group offsets a repair moved back to the end of their topic. */
  public List<ClampedOffset> clampedOffsets() {
    return clampedOffsets;
  }

  /** True when no valid recovery point was found, so every segment was validated. */
  public boolean checkpointMissing() {
    return checkpointMissing;
  }

  /** Total bytes truncated. */
  public long truncatedBytes() {
    return truncations.stream().mapToLong(Truncation::bytes).sum();
  }

  /** True when nothing was truncated, rebuilt, quarantined or dropped. */
  public boolean isClean() {
    return truncations.isEmpty()
        && rebuiltIndexes.isEmpty()
        && quarantines.isEmpty()
        && dropped.isEmpty()
        && rebuiltFiles.isEmpty()
        && clampedOffsets.isEmpty();
  }

  /** This report followed by {@code other}. */
  public RecoveryReport merge(RecoveryReport other) {
    List<Truncation> t = new ArrayList<>(truncations);
    t.addAll(other.truncations);
    List<Path> r = new ArrayList<>(rebuiltIndexes);
    r.addAll(other.rebuiltIndexes);
    List<Quarantine> q = new ArrayList<>(quarantines);
    q.addAll(other.quarantines);
    List<Dropped> d = new ArrayList<>(dropped);
    d.addAll(other.dropped);
    List<RebuiltFile> f = new ArrayList<>(rebuiltFiles);
    f.addAll(other.rebuiltFiles);
    List<ClampedOffset> c = new ArrayList<>(clampedOffsets);
    c.addAll(other.clampedOffsets);
    return new RecoveryReport(t, r, q, d, f, c, checkpointMissing || other.checkpointMissing);
  }

  @Override
  public String toString() {
    return "RecoveryReport{truncations="
        + truncations
        + ", rebuiltIndexes="
        + rebuiltIndexes
        + ", quarantines="
        + quarantines
        + ", dropped="
        + dropped
        + ", rebuiltFiles="
        + rebuiltFiles
        + ", clampedOffsets="
        + clampedOffsets
        + ", checkpointMissing="
        + checkpointMissing
        + "}";
  }
}
