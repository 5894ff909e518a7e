package dev.herald.log.internal;

import static dev.herald.log.internal.IndexDescriptor.*;

import dev.herald.log.FileLayer;
import dev.herald.log.FileLayer.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One segment: a {@code .log} file of records starting at {@link #baseOffset}, with its sparse
 * {@code .index} and {@code .timeindex}, named as {@link SegmentFileName} says.
 *
 * <p>Threads: the log's writer thread (or the opening thread during recovery) owns every mutating
 * method. Readers on any thread may call {@link #committedSize()}, {@link #lookupPosition}, {@link
 * #lookupTimestamp} and read {@link #log()}: indexes are published through volatile counts after
 * their entries are written.
 */
final class Segment {
  final long baseOffset;
  final Path logFile;
  final Path indexFile;
  final Path timeIndexFile;
  private final FileHandle log;
  private final FileHandle index;
  private final FileHandle timeIndex;
  private final int indexIntervalBytes;

  // Writer-owned.
  private long appendedSize;
  private long nextOffset;
  private long bytesSinceIndexEntry;
  private long offsetOfMaxTimestamp = -1;
  private long lastTimeIndexed = -1;
  private long rollReferenceMillis = -1;
  private int offsetEntriesOnDisk;
  private int timeEntriesOnDisk;

  /**
   * The index files hold entries {@link #resetIndexes()} discarded; the next write empties them.
   */
  private boolean indexFilesStale;

  private ByteBuffer pendingOffsetEntries = ByteBuffer.allocate(OFFSET_ENTRY_SIZE * 64);
  private ByteBuffer pendingTimeEntries = ByteBuffer.allocate(TIME_ENTRY_SIZE * 64);

  // Written by the writer, read by readers: array first, then the volatile count that publishes it.
  private volatile long[] offsetEntries = new long[16];
  private volatile int offsetEntryCount;
  private volatile long[] timeEntries = new long[32];
  private volatile int timeEntryCount;
  private volatile long maxTimestamp = -1;
  private volatile long committedSize;
  private volatile long committedNextOffset;
  private volatile boolean deleted;

  private Segment(
      long baseOffset, Path dir, FileLayer files, boolean create, int indexIntervalBytes)
      throws IOException {
    this.baseOffset = baseOffset;
    this.logFile = dir.resolve(SegmentFileName.of(baseOffset, SegmentFileName.LOG));
    this.indexFile = dir.resolve(SegmentFileName.of(baseOffset, SegmentFileName.INDEX));
    this.timeIndexFile = dir.resolve(SegmentFileName.of(baseOffset, SegmentFileName.TIME_INDEX));
    this.indexIntervalBytes = indexIntervalBytes;
    this.log = files.open(logFile, create);
    this.index = files.open(indexFile, true);
    this.timeIndex = files.open(timeIndexFile, true);
    this.nextOffset = baseOffset;
    this.committedNextOffset = baseOffset;
  }

  /** Creates the files of a new, empty segment; the caller fsyncs the directory. */
  static Segment create(FileLayer files, Path dir, long baseOffset, int indexIntervalBytes)
      throws IOException {
    return new Segment(baseOffset, dir, files, true, indexIntervalBytes);
  }

  /**
   * Opens an existing segment; its state is set by recovery. Missing index files are created empty.
   */
  static Segment open(FileLayer files, Path dir, long baseOffset, int indexIntervalBytes)
      throws IOException {
    return new Segment(baseOffset, dir, files, false, indexIntervalBytes);
  }

  FileHandle log() {
    return log;
  }

  FileHandle index() {
    return index;
  }

  FileHandle timeIndex() {
    return timeIndex;
  }

  long appendedSize() {
    return appendedSize;
  }

  long nextOffset() {
    return nextOffset;
  }

  long committedSize() {
    return committedSize;
  }

  long committedNextOffset() {
    return committedNextOffset;
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  boolean isDeleted() {
    return deleted;
  }

  /** True when a record of {@code recordSize} must go to a new segment. Writer thread. */
  boolean needsRoll(int recordSize, long nowMillis, int segmentBytes, long segmentAgeMillis) {
    if (appendedSize == 0) {
      return false; // an empty segment takes any record that fits the size limit
    }
    return appendedSize + recordSize > segmentBytes
        || (segmentAgeMillis != Long.MAX_VALUE
            && nowMillis - rollReferenceMillis >= segmentAgeMillis);
  }

  /**
   * Accounts for a record just encoded at {@code position}, adding sparse index entries as needed;
   * the entries reach the files at {@link #writePendingIndexEntries()}. The first record's {@code
   * nowMillis} is the reference for age-based rolling (recovery passes the record's timestamp).
   * Writer thread.
   */
  void noteRecord(long offset, long position, int size, long timestamp, long nowMillis) {
    if (rollReferenceMillis < 0) {
      rollReferenceMillis = nowMillis;
    }
    if (timestamp > maxTimestamp) {
      maxTimestamp = timestamp;
      offsetOfMaxTimestamp = offset;
    }
    if (bytesSinceIndexEntry >= indexIntervalBytes) {
      addOffsetEntry((int) (offset - baseOffset), (int) position);
      if (maxTimestamp > lastTimeIndexed) {
        addTimeEntry(maxTimestamp, (int) (offsetOfMaxTimestamp - baseOffset));
      }
      bytesSinceIndexEntry = 0;
    }
    bytesSinceIndexEntry += size;
    appendedSize = position + size;
    nextOffset = offset + 1;
  }

  /**
   * Sets the state of a recovered segment whose tail was scanned but not indexed. Recovery only.
   */
  void recoveredEnd(long size, long next, long maxTs, long offsetOfMaxTs, long firstTimestamp) {
    appendedSize = size;
    nextOffset = next;
    if (maxTs > maxTimestamp) {
      maxTimestamp = maxTs;
      offsetOfMaxTimestamp = offsetOfMaxTs;
    }
    rollReferenceMillis = firstTimestamp;
    commit(size, next);
  }

  /**
   * Makes bytes up to {@code size} and offsets below {@code next} visible to readers. Writer
   * thread.
   */
  void commit(long size, long next) {
    committedSize = size;
    committedNextOffset = next;
  }

  void writePendingIndexEntries() throws IOException {
    if (indexFilesStale) {
      // The rebuilt entries replace the files' old ones only now: a validation that fails before
      // this leaves the files as it found them.
      index.truncate(0);
      timeIndex.truncate(0);
      indexFilesStale = false;
    }
    if (pendingOffsetEntries.position() > 0) {
      pendingOffsetEntries.flip();
      int n = pendingOffsetEntries.remaining() / OFFSET_ENTRY_SIZE;
      FileIo.writeFully(
          index, pendingOffsetEntries, (long) offsetEntriesOnDisk * OFFSET_ENTRY_SIZE);
      offsetEntriesOnDisk += n;
      pendingOffsetEntries.clear();
    }
    if (pendingTimeEntries.position() > 0) {
      pendingTimeEntries.flip();
      int n = pendingTimeEntries.remaining() / TIME_ENTRY_SIZE;
      FileIo.writeFully(timeIndex, pendingTimeEntries, (long) timeEntriesOnDisk * TIME_ENTRY_SIZE);
      timeEntriesOnDisk += n;
      pendingTimeEntries.clear();
    }
  }

  /**
   * Truncates the log file to the committed size and forces it, dropping records written but never
   * acknowledged. After a failure only: the in-memory state (next offset, index entries past the
   * end) is left as it was, and the log refuses writes until reopened. Writer thread.
   */
  void discardUncommitted() throws IOException {
    long keep = committedSize;
    if (log.size() > keep) {
      log.truncate(keep);
      log.force();
    }
  }

  /** Adds the final time index entry and forces all three files: the segment becomes immutable. */
  void seal() throws IOException {
    finishIndexes();
    forceAll();
  }

  /** Adds the final time index entry and writes the pending index entries; forces nothing. */
  void finishIndexes() throws IOException {
    if (maxTimestamp > lastTimeIndexed && offsetOfMaxTimestamp >= baseOffset) {
      addTimeEntry(maxTimestamp, (int) (offsetOfMaxTimestamp - baseOffset));
    }
    writePendingIndexEntries();
  }

  /** Forces all three files. */
  void forceAll() throws IOException {
    log.force();
    index.force();
    timeIndex.force();
  }

  /** Forces the log file only; indexes are rebuilt by recovery if lost. */
  void forceLog() throws IOException {
    log.force();
  }

  // ---- index loading and rebuilding (recovery) ----

  /**
   * Empties both indexes in memory, ready for a rebuild by scanning. The files are emptied at the
   * next {@link #writePendingIndexEntries()}, which writes the rebuilt entries: until then they
   * keep their old entries, so a recovery that fails on the way changes nothing on disk.
   */
  void resetIndexes() {
    indexFilesStale = true;
    offsetEntryCount = 0;
    timeEntryCount = 0;
    offsetEntriesOnDisk = 0;
    timeEntriesOnDisk = 0;
    pendingOffsetEntries.clear();
    pendingTimeEntries.clear();
    bytesSinceIndexEntry = 0;
    lastTimeIndexed = -1;
    maxTimestamp = -1;
    offsetOfMaxTimestamp = -1;
    appendedSize = 0;
    nextOffset = baseOffset;
    rollReferenceMillis = -1;
  }

  /**
   * Loads both index files, checking every entry's CRC, ordering and bounds against {@code
   * logSize}. Returns false, with nothing loaded, when either is damaged.
   */
  boolean loadIndexes(long logSize) throws IOException {
    long indexSize = index.size();
    long timeSize = timeIndex.size();
    if (indexSize % OFFSET_ENTRY_SIZE != 0
        || timeSize % TIME_ENTRY_SIZE != 0
        || indexSize > Integer.MAX_VALUE
        || timeSize > Integer.MAX_VALUE) {
      return false;
    }
    ByteBuffer ib = ByteBuffer.allocate((int) indexSize);
    ByteBuffer tb = ByteBuffer.allocate((int) timeSize);
    if (!FileIo.readFully(index, ib, 0) || !FileIo.readFully(timeIndex, tb, 0)) {
      return false;
    }
    long lastRel = -1;
    long lastPos = -1;
    int offsetCount = (int) (indexSize / OFFSET_ENTRY_SIZE);
    long[] offsets = new long[Math.max(16, offsetCount)];
    for (int i = 0; i < offsetCount; i++) {
      int at = i * OFFSET_ENTRY_SIZE;
      int rel = ib.getInt(at + OFFSET_ENTRY_RELATIVE_OFFSET);
      int pos = ib.getInt(at + OFFSET_ENTRY_POSITION);
      if (ib.getInt(at + OFFSET_ENTRY_CRC) != RecordCodec.crc(ib, at, at + OFFSET_ENTRY_CRC)
          || rel <= lastRel
          || pos <= lastPos
          || pos >= logSize) {
        return false;
      }
      offsets[i] = pack(rel, pos);
      lastRel = rel;
      lastPos = pos;
    }
    long lastTs = -1;
    long lastTimeRel = -1;
    int timeCount = (int) (timeSize / TIME_ENTRY_SIZE);
    long[] times = new long[Math.max(32, timeCount * 2)];
    for (int i = 0; i < timeCount; i++) {
      int at = i * TIME_ENTRY_SIZE;
      long ts = tb.getLong(at + TIME_ENTRY_TIMESTAMP);
      int rel = tb.getInt(at + TIME_ENTRY_RELATIVE_OFFSET);
      if (tb.getInt(at + TIME_ENTRY_CRC) != RecordCodec.crc(tb, at, at + TIME_ENTRY_CRC)
          || ts <= lastTs
          || rel < lastTimeRel
          || rel < 0) {
        return false;
      }
      times[2 * i] = ts;
      times[2 * i + 1] = rel;
      lastTs = ts;
      lastTimeRel = rel;
    }
    offsetEntries = offsets;
    offsetEntryCount = offsetCount;
    offsetEntriesOnDisk = offsetCount;
    timeEntries = times;
    timeEntryCount = timeCount;
    timeEntriesOnDisk = timeCount;
    lastTimeIndexed = lastTs;
    if (lastTs >= 0) {
      maxTimestamp = lastTs;
      offsetOfMaxTimestamp = baseOffset + lastTimeRel;
    }
    return true;
  }

  /** The offset and position of the last offset index entry, or the segment start. */
  long[] lastIndexedPosition() {
    int c = offsetEntryCount;
    if (c == 0) {
      return new long[] {baseOffset, 0};
    }
    long e = offsetEntries[c - 1];
    return new long[] {baseOffset + relative(e), position(e)};
  }

  // ---- lookups (any thread) ----

  /**
   * File position from which a forward scan reaches {@code offset}: the floor index entry, or 0.
   */
  long lookupPosition(long offset) {
    int c = offsetEntryCount; // volatile read first: entries below c are then visible in the array
    long[] a = offsetEntries;
    long rel = offset - baseOffset;
    int lo = 0;
    int hi = c - 1;
    long best = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (relative(a[mid]) <= rel) {
        best = position(a[mid]);
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best;
  }

  /**
   * An offset from which a forward scan finds the first record with timestamp at or after {@code
   * ts}: just past the last time index entry whose running maximum is still below {@code ts}.
   */
  long lookupTimestamp(long ts) {
    int c = timeEntryCount;
    long[] a = timeEntries;
    int lo = 0;
    int hi = c - 1;
    long from = baseOffset;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (a[2 * mid] < ts) {
        from = baseOffset + a[2 * mid + 1] + 1;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return from;
  }

  // ---- lifecycle ----

  /** Marks the segment deleted (readers re-seek), closes and deletes its files. Writer thread. */
  void delete(FileLayer files) throws IOException {
    deleted = true;
    close();
    files.deleteIfExists(logFile);
    files.deleteIfExists(indexFile);
    files.deleteIfExists(timeIndexFile);
  }

  void close() throws IOException {
    IOException failure = null;
    for (FileHandle h : new FileHandle[] {log, index, timeIndex}) {
      try {
        h.close();
      } catch (IOException e) {
        failure = e; // keep closing the others
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void addOffsetEntry(int rel, int pos) {
    long[] a = offsetEntries;
    int c = offsetEntryCount;
    if (c == a.length) {
      a = Arrays.copyOf(a, c * 2);
      offsetEntries = a; // publish the larger array before the count that makes its entries visible
    }
    a[c] = pack(rel, pos);
    offsetEntryCount = c + 1;
    pendingOffsetEntries = ensure(pendingOffsetEntries, OFFSET_ENTRY_SIZE);
    int at = pendingOffsetEntries.position();
    pendingOffsetEntries.putInt(rel).putInt(pos);
    pendingOffsetEntries.putInt(RecordCodec.crc(pendingOffsetEntries, at, at + OFFSET_ENTRY_CRC));
  }

  private void addTimeEntry(long ts, int rel) {
    long[] a = timeEntries;
    int c = timeEntryCount;
    if (2 * c + 2 > a.length) {
      a = Arrays.copyOf(a, a.length * 2);
      timeEntries = a; // as above: array before count
    }
    a[2 * c] = ts;
    a[2 * c + 1] = rel;
    timeEntryCount = c + 1;
    lastTimeIndexed = ts;
    pendingTimeEntries = ensure(pendingTimeEntries, TIME_ENTRY_SIZE);
    int at = pendingTimeEntries.position();
    pendingTimeEntries.putLong(ts).putInt(rel);
    pendingTimeEntries.putInt(RecordCodec.crc(pendingTimeEntries, at, at + TIME_ENTRY_CRC));
  }

  private static ByteBuffer ensure(ByteBuffer b, int more) {
    if (b.remaining() >= more) {
      return b;
    }
    ByteBuffer bigger = ByteBuffer.allocate(b.capacity() * 2);
    b.flip();
    return bigger.put(b);
  }

  private static long pack(int rel, int pos) {
    return ((long) rel << 32) | (pos & 0xFFFFFFFFL);
  }

  private static long relative(long entry) {
    return entry >>> 32;
  }

  private static long position(long entry) {
    return entry & 0xFFFFFFFFL;
  }

  @Override
  public String toString() {
    return logFile.getFileName().toString();
  }
}
