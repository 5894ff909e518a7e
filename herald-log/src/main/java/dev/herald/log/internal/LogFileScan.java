package dev.herald.log.internal;

import static dev.herald.log.internal.IndexDescriptor.*;

import dev.herald.log.FileLayer;
import dev.herald.log.FileLayer.FileHandle;
import dev.herald.log.LogCorruptedException;
import dev.herald.log.LogFiles.Problem;
import dev.herald.log.LogFiles.SegmentFile;
import dev.herald.log.LogFiles.TopicFiles;
import dev.herald.log.LogFiles.Verification;
import dev.herald.log.LogFiles.VerifyProgress;
import dev.herald.log.LogOptions;
import dev.herald.log.LogRecord;
import dev.herald.log.internal.RecordCodec.BadRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The read-only scans behind {@link dev.herald.log.LogFiles}: lists topics and segments and checks
 * records and indexes as {@link RecordDescriptor} and {@link IndexDescriptor} lay them out. Opens
 * files without creating them and never writes, truncates or locks. Owned by one thread.
 */
public final class LogFileScan {
  public static final String TOPICS = "topics";
  private static final long PROGRESS_STEP_BYTES = 1 << 20;

  private final Path dir;
  private final FileLayer files;
  private final RecordScanner scanner;
  // Where and why the last scanEnd stopped before the end of its file: -1 and null if it did not.
  private long stoppedAt = -1;
  private String stopReason;

  public LogFileScan(Path dir, LogOptions options) {
    this.dir = dir;
    this.files = options.fileLayer();
    this.scanner = new RecordScanner(options.maxRecordBytes());
  }

  public List<String> topics() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path p : files.list(dir.resolve(TOPICS))) {
      String name = p.getFileName().toString();
      if (files.isDirectory(p) && !name.startsWith(".")) {
        names.add(name);
      }
    }
    names.sort(null);
    return names;
  }

  public TopicFiles topic(String topic) throws IOException {
    List<SegmentFile> segments = new ArrayList<>();
    List<Long> bases = bases(topic, new ArrayList<>());
    for (int i = 0; i < bases.size(); i++) {
      long base = bases.get(i);
      Path file = logFile(topic, base);
      try (FileHandle log = files.openReadOnly(file)) {
        long size = log.size();
        long[] from = lastIndexEntry(topic, base, size);
        long end = scanEnd(log, size, from[0], from[1]);
        if (end < 0) {
          end = scanEnd(log, size, base, 0); // the index entry did not lead to its record
        }
        // A sealed segment is whole: what stopped its scan is damage. The last one's unreadable
        // tail may be a record being written, or a torn tail that opening the log truncates.
        boolean sealed = i < bases.size() - 1;
        String damage =
            sealed && stoppedAt >= 0
                ? "corrupt data at byte " + stoppedAt + ": " + stopReason
                : null;
        segments.add(new SegmentFile(base, file, size, Math.max(end, base), damage));
      } catch (NoSuchFileException e) {
        // retention of a live log deleted it after the listing: it is no longer part of the topic
      }
    }
    return new TopicFiles(topic, segments);
  }

  public Verification verify(VerifyProgress progress) throws IOException {
    List<Problem> problems = new ArrayList<>();
    List<String> topics = topics();
    List<List<Long>> bases = new ArrayList<>();
    List<Long> recoveryPoints = new ArrayList<>();
    long total = 0;
    for (String t : topics) {
      // Before the listing: a live log creates a segment before the recovery point that names it.
      recoveryPoints.add(RecoveryPoint.read(files, topicDir(t)));
      List<Long> b = bases(t, problems);
      bases.add(b);
      for (long base : b) {
        try (FileHandle h = files.openReadOnly(logFile(t, base))) {
          total += h.size();
        } catch (NoSuchFileException e) {
          // deleted by a live log's retention since the listing; verifySegment skips it too
        }
      }
    }
    // Before the segments are scanned: a live log's end only grows, its groups' offsets stay below
    // it.
    Map<String, Map<String, Long>> groups = checkOffsetsFile(problems);
    Totals totals = new Totals(total, progress);
    for (int i = 0; i < topics.size(); i++) {
      String t = topics.get(i);
      long previousEnd = -1;
      boolean previousDamaged = false;
      List<Long> b = bases.get(i);
      long recoveryPoint = recoveryPoints.get(i);
      Path recoveryFile = topicDir(t).resolve(RecoveryPoint.FILE_NAME);
      if (recoveryPoint < 0 && !b.isEmpty()) {
        problems.add(
            new Problem(
                recoveryFile,
                0,
                (recoveryPoint == RecoveryPoint.DAMAGED ? "fails its checks" : "missing")
                    + " (opening the log validates every segment whole, as"
                    + " after a crash, and its clean close or a 'herald log repair' writes a new one; a"
                    + " deleted last segment goes unnoticed without it)"));
      }
      List<DroppedOffsets.Range> dropped = List.of();
      try {
        dropped = DroppedOffsets.read(files, topicDir(t));
      } catch (LogCorruptedException e) {
        problems.add(
            new Problem(
                e.file(),
                e.position(),
                e.getMessage()
                    + " (opening the log fails;"
                    + " 'herald log repair' replaces it and records again every gap it finds)"));
      }
      for (int s = 0; s < b.size(); s++) {
        long base = b.get(s);
        if (base < previousEnd) {
          problems.add(
              new Problem(
                  logFile(t, base),
                  0,
                  "base offset "
                      + base
                      + " overlaps the previous segment, which ends at "
                      + previousEnd));
        } else if (previousEnd >= 0
            && base > previousEnd
            && !previousDamaged
            && !DroppedOffsets.covers(dropped, previousEnd, base)) {
          problems.add(
              new Problem(
                  logFile(t, base),
                  0,
                  missing(previousEnd, base)
                      + " missing before this segment: the segment file holding them was deleted or lost"
                      + " (opening the log fails; 'herald log repair' records the loss)"));
        }
        List<Problem> found = new ArrayList<>();
        long end;
        try {
          // As recovery sees it: at or past the recovery point a segment may not have been
          // forced yet (INTERVAL forces a segment after rolling away from it).
          boolean unforced = s == b.size() - 1 || (recoveryPoint >= 0 && base >= recoveryPoint);
          end = verifySegment(t, base, unforced, recoveryPoint, totals, found);
        } catch (NoSuchFileException e) {
          if (files.exists(logFile(t, base))) {
            throw e;
          }
          continue;
        }
        if (!files.exists(logFile(t, base))) {
          continue; // a live log's retention deleted it while it was read: whatever it showed is
          // moot
        }
        problems.addAll(found);
        previousEnd = end;
        Path segmentFile = logFile(t, base);
        previousDamaged = found.stream().anyMatch(p -> p.file().equals(segmentFile));
        totals.segments++;
      }
      long end = Math.max(previousEnd, 0);
      for (Map.Entry<String, Map<String, Long>> g : groups.entrySet()) {
        Long offset = g.getValue().get(t);
        if (offset != null && offset > end) {
          problems.add(
              new Problem(
                  dir.resolve(FileOffsetStore.FILE_NAME),
                  0,
                  "group "
                      + g.getKey()
                      + "'s offset "
                      + offset
                      + " for topic "
                      + t
                      + " is past its end "
                      + end
                      + ": the group"
                      + " would wait there for records that were lost ('herald log repair' moves it back"
                      + " to the end)"));
        }
      }
      if (recoveryPoint > end
          && !previousDamaged
          && !DroppedOffsets.covers(dropped, end, recoveryPoint)) {
        problems.add(
            new Problem(
                recoveryFile,
                0,
                "recovery point "
                    + recoveryPoint
                    + " is past the end "
                    + end
                    + " of the segments: "
                    + missing(end, recoveryPoint)
                    + " lost with a deleted"
                    + " segment file (opening the log fails; 'herald log repair' records the loss and"
                    + " continues at the recovery point)"));
      }
    }
    progress.scanned(totals.scanned, total);
    return new Verification(
        topics.size(),
        totals.segments,
        totals.records,
        totals.indexEntries,
        totals.scanned,
        problems);
  }

  /** The directory's {@code consumer-offsets}: present (every directory gets one) and intact. */
  private Map<String, Map<String, Long>> checkOffsetsFile(List<Problem> problems)
      throws IOException {
    Path file = dir.resolve(FileOffsetStore.FILE_NAME);
    if (!files.exists(file)) {
      problems.add(new Problem(file, 0, FileOffsetStore.MISSING));
      return Map.of();
    }
    try {
      return FileOffsetStore.read(files, dir);
    } catch (LogCorruptedException e) {
      problems.add(
          new Problem(
              file,
              e.position(),
              e.getMessage()
                  + " (opening the log fails; 'herald log"
                  + " repair' moves it aside and writes an empty one, reporting the groups lost)"));
      return Map.of();
    }
  }

  /** Counters of one verify run; reports progress every {@link #PROGRESS_STEP_BYTES}. */
  private static final class Totals {
    final long total;
    final VerifyProgress progress;
    long scanned;
    long reported;
    long records;
    long indexEntries;
    int segments;

    Totals(long total, VerifyProgress progress) {
      this.total = total;
      this.progress = progress;
    }

    void advance(long bytes) {
      scanned += bytes;
      if (scanned - reported >= PROGRESS_STEP_BYTES) {
        reported = scanned;
        progress.scanned(scanned, Math.max(total, scanned));
      }
    }
  }

  /** Checks one segment and its indexes; returns its end offset. */
  private long verifySegment(
      String topic,
      long base,
      boolean unforced,
      long recoveryPoint,
      Totals totals,
      List<Problem> problems)
      throws IOException {
    Path file = logFile(topic, base);
    Path indexFile = sibling(topic, base, SegmentFileName.INDEX);
    Path timeFile = sibling(topic, base, SegmentFileName.TIME_INDEX);
    try (FileHandle log = files.openReadOnly(file)) {
      long size = log.size();
      long[] offsetEntries = readEntries(indexFile, OFFSET_ENTRY_SIZE, problems);
      long[] timeEntries = readEntries(timeFile, TIME_ENTRY_SIZE, problems);
      totals.indexEntries += offsetEntries.length / 2 + timeEntries.length / 2;
      checkOffsetEntryOrder(indexFile, offsetEntries, size, problems);
      checkTimeEntryOrder(timeFile, timeEntries, problems);
      scanner.invalidate();
      long position = 0;
      long expected = base;
      long maxTimestamp = -1;
      int nextOffsetEntry = 0;
      int nextTimeEntry = 0;
      boolean intact = true;
      while (position < size) {
        LogRecord r;
        try {
          r = scanner.read(log, position, size);
          if (r.offset() != expected) {
            throw new BadRecordException(
                "offset " + r.offset() + " where " + expected + " was expected");
          }
        } catch (BadRecordException e) {
          problems.add(
              new Problem(
                  file,
                  position,
                  e.getMessage()
                      + " ("
                      + whatOpeningDoes(log, position, size, expected, unforced, recoveryPoint)
                      + ")"));
          totals.advance(size - position);
          intact =
              false; // entries past a bad record cannot be checked; the bad record is the finding
          break;
        }
        long relative = expected - base;
        for (;
            nextOffsetEntry < offsetEntries.length
                && offsetEntries[nextOffsetEntry + 1] <= position;
            nextOffsetEntry += 2) {
          if (offsetEntries[nextOffsetEntry + 1] < position
              || offsetEntries[nextOffsetEntry] != relative) {
            problems.add(
                new Problem(
                    indexFile,
                    nextOffsetEntry / 2L * OFFSET_ENTRY_SIZE,
                    "entry (offset "
                        + (base + offsetEntries[nextOffsetEntry])
                        + ", position "
                        + offsetEntries[nextOffsetEntry + 1]
                        + ") does not point at that record"));
          }
        }
        maxTimestamp = Math.max(maxTimestamp, r.timestamp());
        for (;
            nextTimeEntry < timeEntries.length && timeEntries[nextTimeEntry + 1] <= relative;
            nextTimeEntry += 2) {
          if (timeEntries[nextTimeEntry + 1] < relative
              || timeEntries[nextTimeEntry] != r.timestamp()
              || r.timestamp() != maxTimestamp) {
            problems.add(
                new Problem(
                    timeFile,
                    nextTimeEntry / 2L * TIME_ENTRY_SIZE,
                    "entry (timestamp "
                        + timeEntries[nextTimeEntry]
                        + ", offset "
                        + (base + timeEntries[nextTimeEntry + 1])
                        + ") disagrees with the records' running maximum timestamp"));
          }
        }
        position += scanner.lastSize();
        totals.advance(scanner.lastSize());
        totals.records++;
        expected++;
      }
      if (intact && nextOffsetEntry < offsetEntries.length) {
        problems.add(
            new Problem(
                indexFile,
                nextOffsetEntry / 2L * OFFSET_ENTRY_SIZE,
                "entry points past the last valid record"));
      }
      if (intact && nextTimeEntry < timeEntries.length) {
        problems.add(
            new Problem(
                timeFile,
                nextTimeEntry / 2L * TIME_ENTRY_SIZE,
                "entry names an offset past the last valid record"));
      }
      return expected;
    }
  }

  /**
   * What opening the log does about a bad record at {@code position}, decided as recovery decides
   * it ({@link SegmentRecovery}): only a bad record that may not have been forced, is not below the
   * recovery point and has nothing intact after it is a torn tail that opening truncates.
   */
  private String whatOpeningDoes(
      FileHandle log, long position, long size, long expected, boolean unforced, long recoveryPoint)
      throws IOException {
    String repair = "'herald log repair' moves the damaged bytes to a .quarantine file";
    if (!unforced) {
      return "sealed segment: opening the log, or reading it there, fails; " + repair;
    }
    if (expected < recoveryPoint) {
      return "offset "
          + expected
          + " is below the recovery point "
          + recoveryPoint
          + " (forced before a clean close or roll): opening the log fails; "
          + repair;
    }
    long intact = scanner.nextIntactRecord(log, position, size, expected);
    scanner.invalidate();
    if (intact >= 0) {
      return "intact records follow from byte "
          + intact
          + ", so this is damage, not a torn tail: opening"
          + " the log fails; "
          + repair;
    }
    return "tail not yet forced when the log stopped: opening the log truncates it here and drops any later"
        + " segment";
  }

  /**
   * The entries of an index file as pairs: (relative offset, position) for {@code .index},
   * (timestamp, relative offset) for {@code .timeindex}. Stops at the first entry failing its CRC.
   */
  private long[] readEntries(Path file, int entrySize, List<Problem> problems) throws IOException {
    if (!files.exists(file)) {
      problems.add(new Problem(file, 0, "index file missing (opening the log rebuilds it)"));
      return new long[0];
    }
    byte[] bytes = FileIo.readAll(files, file);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length % entrySize != 0) {
      problems.add(
          new Problem(
              file,
              bytes.length - bytes.length % entrySize,
              "size " + bytes.length + " is not a whole number of " + entrySize + "-byte entries"));
    }
    int count = bytes.length / entrySize;
    long[] pairs = new long[2 * count];
    for (int i = 0; i < count; i++) {
      int at = i * entrySize;
      boolean offsetIndex = entrySize == OFFSET_ENTRY_SIZE;
      int crcAt = at + (offsetIndex ? OFFSET_ENTRY_CRC : TIME_ENTRY_CRC);
      if (b.getInt(crcAt) != RecordCodec.crc(b, at, crcAt)) {
        problems.add(new Problem(file, at, "entry fails its crc32c"));
        return java.util.Arrays.copyOf(pairs, 2 * i);
      }
      if (offsetIndex) {
        pairs[2 * i] = Integer.toUnsignedLong(b.getInt(at + OFFSET_ENTRY_RELATIVE_OFFSET));
        pairs[2 * i + 1] = Integer.toUnsignedLong(b.getInt(at + OFFSET_ENTRY_POSITION));
      } else {
        pairs[2 * i] = b.getLong(at + TIME_ENTRY_TIMESTAMP);
        pairs[2 * i + 1] = Integer.toUnsignedLong(b.getInt(at + TIME_ENTRY_RELATIVE_OFFSET));
      }
    }
    return pairs;
  }

  private static void checkOffsetEntryOrder(
      Path file, long[] e, long logSize, List<Problem> problems) {
    for (int i = 0; i < e.length; i += 2) {
      if (i > 0 && (e[i] <= e[i - 2] || e[i + 1] <= e[i - 1]) || e[i + 1] >= logSize) {
        problems.add(
            new Problem(
                file,
                i / 2L * OFFSET_ENTRY_SIZE,
                "entry out of order or past the end of the log file"));
      }
    }
  }

  private static void checkTimeEntryOrder(Path file, long[] e, List<Problem> problems) {
    for (int i = 2; i < e.length; i += 2) {
      if (e[i] <= e[i - 2] || e[i + 1] < e[i - 1]) {
        problems.add(new Problem(file, i / 2L * TIME_ENTRY_SIZE, "entry out of order"));
      }
    }
  }

  /**
   * (offset, position) of the last intact offset index entry below {@code logSize}, or the segment
   * start.
   */
  private long[] lastIndexEntry(String topic, long base, long logSize) throws IOException {
    long[] e =
        readEntries(
            sibling(topic, base, SegmentFileName.INDEX), OFFSET_ENTRY_SIZE, new ArrayList<>());
    for (int i = e.length - 2; i >= 0; i -= 2) {
      if (e[i + 1] < logSize) {
        return new long[] {base + e[i], e[i + 1]};
      }
    }
    return new long[] {base, 0};
  }

  /**
   * Scans from a known record; the offset after the last good record, or -1 if the first is not
   * {@code offset}.
   */
  private long scanEnd(FileHandle log, long size, long offset, long position) throws IOException {
    scanner.invalidate();
    stoppedAt = -1;
    stopReason = null;
    long expected = offset;
    long p = position;
    while (p < size) {
      try {
        long found = scanner.read(log, p, size).offset();
        if (found != expected) {
          stop(p, "offset " + found + " where " + expected + " was expected");
          break;
        }
      } catch (BadRecordException e) {
        stop(p, e.getMessage());
        break;
      }
      p += scanner.lastSize();
      expected++;
    }
    return p == position && position > 0 ? -1 : expected;
  }

  private void stop(long position, String reason) {
    stoppedAt = position;
    stopReason = reason;
  }

  /**
   * Base offsets of the topic's segment files, sorted; badly named {@code .log} files become
   * problems.
   */
  private List<Long> bases(String topic, List<Problem> problems) throws IOException {
    List<Long> bases = new ArrayList<>();
    for (Path p : files.list(dir.resolve(TOPICS).resolve(topic))) {
      String f = p.getFileName().toString();
      if (!SegmentFileName.isLog(f)) {
        continue;
      }
      long base = SegmentFileName.baseOffset(f);
      if (base != SegmentFileName.NOT_A_SEGMENT) {
        bases.add(base);
      } else {
        problems.add(new Problem(p, 0, "not a segment file name"));
      }
    }
    bases.sort(null);
    return bases;
  }

  private static String missing(long from, long to) {
    return "offsets " + from + " to " + (to - 1) + " (" + (to - from) + " records)";
  }

  private Path topicDir(String topic) {
    return dir.resolve(TOPICS).resolve(topic);
  }

  private Path logFile(String topic, long base) {
    return sibling(topic, base, SegmentFileName.LOG);
  }

  private Path sibling(String topic, long base, String suffix) {
    return dir.resolve(TOPICS).resolve(topic).resolve(SegmentFileName.of(base, suffix));
  }
}
