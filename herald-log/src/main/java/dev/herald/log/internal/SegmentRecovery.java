package dev.herald.log.internal;

import dev.herald.log.FileLayer;
import dev.herald.log.FileLayer.FileHandle;
import dev.herald.log.LogCorruptedException;
import dev.herald.log.LogRecord;
import dev.herald.log.RecoveryReport;
import dev.herald.log.internal.RecordCodec.BadRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings the segments of one topic to a consistent state on open, on the opening thread, before the
 * writer starts. A bad record in the last segment with nothing intact after it is a torn tail: the
 * file is truncated there and the truncation reported. One followed by an intact record is damage,
 * as is any bad record in a sealed segment: it throws {@link LogCorruptedException} naming the file
 * and position, unless this is a repair, which moves the bad tail to a {@code .quarantine} file and
 * reports it. Nothing is skipped silently.
 */
final class SegmentRecovery {
  private final FileLayer files;
  private final Path dir;
  private final boolean repair;
  private final RecordScanner scanner;
  private final List<RecoveryReport.Truncation> truncations = new ArrayList<>();
  private final List<Path> rebuiltIndexes = new ArrayList<>();
  private final List<RecoveryReport.Quarantine> quarantines = new ArrayList<>();
  private final List<RecoveryReport.Dropped> dropped = new ArrayList<>();
  private final List<RecoveryReport.RebuiltFile> rebuiltFiles = new ArrayList<>();
  private List<DroppedOffsets.Range> known = new ArrayList<>();
  private long quarantinedFrom = -1;
  private String quarantinedReason;

  SegmentRecovery(FileLayer files, Path dir, int maxRecordBytes, boolean repair) {
    this.files = files;
    this.dir = dir;
    this.repair = repair;
    this.scanner = new RecordScanner(maxRecordBytes);
  }

  RecoveryReport report(boolean checkpointMissing) {
    return new RecoveryReport(
        truncations, rebuiltIndexes, quarantines, dropped, rebuiltFiles, checkpointMissing);
  }

  /** A repair: reports offsets {@code [from, to)} as no longer in the log. */
  void dropped(Path file, long from, long to, String reason) {
    dropped.add(new RecoveryReport.Dropped(file, from, to, reason));
  }

  /** A repair: reports a small file rebuilt and what was lost with it. */
  void rebuilt(Path file, String lost) {
    rebuiltFiles.add(new RecoveryReport.RebuiltFile(file, lost));
  }

  /** The ranges known dropped (from {@code dropped-offsets}); a repair's salvage adds to it. */
  void useKnown(List<DroppedOffsets.Range> ranges) {
    known = ranges;
  }

  /** Why offsets from {@code from} are missing if a repair quarantined them, else null. */
  String quarantinedReason(long from) {
    return quarantinedFrom == from ? quarantinedReason : null;
  }

  /** Scans and checks every record of {@code segment}, rebuilding its indexes on the way. */
  void validate(Segment segment, boolean last) throws IOException {
    validate(segment, last, -1);
  }

  /**
   * Scans a segment whole. A bad record in a segment that may not have been forced yet ({@code
   * unforced}: the last one, or one at or past the recovery point) is a torn tail and is truncated,
   * unless its offset is below {@code checkpointed}: records below the recovery point were durable
   * at a clean checkpoint, so damage there is corruption and fails loudly (or is quarantined by a
   * repair). Returns the base offset of the segment a repair salvaged the intact records after the
   * damage into, for the caller to validate next, or -1.
   */
  long validate(Segment segment, boolean unforced, long checkpointed) throws IOException {
    long salvaged = -1;
    segment.resetIndexes();
    scanner.invalidate();
    long size = segment.log().size();
    long position = 0;
    long expected = segment.baseOffset;
    while (position < size) {
      try {
        LogRecord r = readExpecting(segment, position, size, expected);
        segment.noteRecord(expected, position, scanner.lastSize(), r.timestamp(), r.timestamp());
        position += scanner.lastSize();
        expected++;
      } catch (BadRecordException e) {
        boolean torn = unforced && expected >= checkpointed;
        String reason = e.getMessage();
        long intact = -1;
        if (torn || repair) {
          intact = scanner.nextIntactRecord(segment.log(), position, size, expected);
          if (intact >= 0) {
            torn = false; // a crash tears only the tail: this record was whole and got damaged
            reason +=
                "; intact records follow from byte "
                    + intact
                    + ", so this is damage, not a torn"
                    + " tail";
          }
          scanner.invalidate();
        }
        if (torn || !repair) {
          dropTail(segment, position, size, reason, torn);
        } else {
          salvaged = salvage(segment, position, size, intact, expected, reason);
        }
        break;
      }
    }
    segment.writePendingIndexEntries();
    segment.index().force();
    segment.timeIndex().force();
    segment.commit(position, expected);
    return salvaged;
  }

  /**
   * A repair: moves the damaged bytes from {@code position} up to the next intact record ({@code
   * intact}, or the end when there is none) to a {@code .quarantine} file, and the intact records
   * after them to a new segment named by the first one's offset; truncates the segment at the
   * damage. Returns the new segment's base offset, or -1.
   */
  private long salvage(
      Segment segment, long position, long size, long intact, long expected, String reason)
      throws IOException {
    long end = intact >= 0 ? intact : size;
    Path quarantine = quarantineFileFor(segment.logFile);
    copyRange(segment.log(), position, end, quarantine);
    long salvagedBase = -1;
    if (intact >= 0) {
      try {
        salvagedBase = scanner.read(segment.log(), intact, size).offset();
      } catch (BadRecordException e) {
        throw new IllegalStateException("the intact record at " + intact + " no longer reads", e);
      }
      scanner.invalidate();
      Path target = dir.resolve(SegmentFileName.of(salvagedBase, SegmentFileName.LOG));
      if (files.exists(target)) {
        throw new LogCorruptedException(
            segment.logFile,
            intact,
            "the intact records from offset "
                + salvagedBase
                + " cannot be salvaged: "
                + target.getFileName()
                + " exists");
      }
      copyRange(segment.log(), intact, size, target);
      known.add(new DroppedOffsets.Range(expected, salvagedBase));
      dropped.add(
          new RecoveryReport.Dropped(
              segment.logFile,
              expected,
              salvagedBase,
              "damaged record(s) at"
                  + " bytes "
                  + position
                  + " to "
                  + intact
                  + " moved to "
                  + quarantine.getFileName()
                  + ": "
                  + reason
                  + "; the intact records after them kept in "
                  + target.getFileName()));
    } else {
      quarantinedFrom = expected;
      quarantinedReason =
          "quarantined with the damaged tail of "
              + segment.logFile.getFileName()
              + " (from byte "
              + position
              + ", moved to "
              + quarantine.getFileName()
              + "): "
              + reason;
    }
    files.forceDirectory(dir);
    segment.log().truncate(position);
    segment.log().force();
    quarantines.add(
        new RecoveryReport.Quarantine(
            segment.logFile, position, end - position, quarantine, reason));
    scanner.invalidate();
    return salvagedBase;
  }

  /**
   * Loads a sealed segment below the recovery point: its indexes are checked entry by entry
   * (rebuilt when damaged or missing) and only the records after the last index entry are scanned.
   */
  void loadSealed(Segment segment, boolean indexFilesExisted, int indexIntervalBytes)
      throws IOException {
    long size = segment.log().size();
    boolean loaded = indexFilesExisted && segment.loadIndexes(size);
    if (loaded && size > 2L * indexIntervalBytes && segment.lastIndexedPosition()[1] == 0) {
      loaded = false; // an empty index over a large segment was lost, not sparse
    }
    if (!loaded) {
      rebuiltIndexes.add(segment.indexFile);
      validate(segment, false);
      return;
    }
    scanner.invalidate();
    long[] start = segment.lastIndexedPosition();
    long expected = start[0];
    long position = start[1];
    long maxTs = -1;
    long offsetOfMaxTs = -1;
    while (position < size) {
      try {
        LogRecord r = readExpecting(segment, position, size, expected);
        if (r.timestamp() > maxTs) {
          maxTs = r.timestamp();
          offsetOfMaxTs = expected;
        }
        position += scanner.lastSize();
        expected++;
      } catch (BadRecordException e) {
        if (!repair) {
          throw new LogCorruptedException(segment.logFile, position, e.getMessage());
        }
        validate(segment, false); // quarantines the tail and rebuilds the indexes to match
        return;
      }
    }
    segment.recoveredEnd(position, expected, maxTs, offsetOfMaxTs, -1);
  }

  private LogRecord readExpecting(Segment segment, long position, long size, long expected)
      throws IOException, BadRecordException {
    LogRecord r = scanner.read(segment.log(), position, size);
    if (r.offset() != expected) {
      throw new BadRecordException("offset " + r.offset() + " where " + expected + " was expected");
    }
    return r;
  }

  /**
   * Deletes {@code following}, the segments after {@code torn}, whose tail recovery truncated
   * although it was not the last: the writer wrote them after the lost bytes, and under INTERVAL
   * the flusher forces a segment rolled away from before any later one, so none of their records
   * was durable either. Reported as truncations of their whole length.
   */
  void dropFollowing(Segment torn, List<Segment> following) throws IOException {
    for (Segment s : following) {
      long size = s.log().size();
      s.delete(files);
      truncations.add(
          new RecoveryReport.Truncation(
              s.logFile,
              0,
              size,
              "follows the torn tail of "
                  + torn.logFile.getFileName()
                  + ", which was not yet durable"));
    }
    files.forceDirectory(dir);
  }

  /** Truncates a torn tail ({@code last}), or fails naming the damage. */
  private void dropTail(Segment segment, long position, long size, String reason, boolean last)
      throws IOException {
    if (!last) {
      throw new LogCorruptedException(segment.logFile, position, reason);
    }
    segment.log().truncate(position);
    segment.log().force();
    truncations.add(
        new RecoveryReport.Truncation(segment.logFile, position, size - position, reason));
    scanner.invalidate();
  }

  private Path quarantineFileFor(Path logFile) {
    Path candidate = logFile.resolveSibling(logFile.getFileName() + ".quarantine");
    for (int i = 1; files.exists(candidate); i++) {
      candidate = logFile.resolveSibling(logFile.getFileName() + ".quarantine." + i);
    }
    return candidate;
  }

  private void copyRange(FileHandle from, long start, long end, Path to) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    try (FileHandle out = files.open(to, true)) {
      out.truncate(0);
      long p = start;
      while (p < end) {
        buf.clear().limit((int) Math.min(buf.capacity(), end - p));
        FileIo.readFully(from, buf, p);
        buf.flip();
        int n = buf.remaining();
        if (n == 0) {
          break;
        }
        FileIo.writeFully(out, buf, p - start);
        p += n;
      }
      out.force();
    }
  }
}
