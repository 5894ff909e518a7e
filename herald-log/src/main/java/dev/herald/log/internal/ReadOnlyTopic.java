package dev.herald.log.internal;

import static dev.herald.log.internal.IndexDescriptor.*;
import static dev.herald.log.internal.RecordDescriptor.LENGTH_FIELD_SIZE;
import static dev.herald.log.internal.RecordDescriptor.MIN_RECORD_SIZE;

import dev.herald.log.FileLayer;
import dev.herald.log.FileLayer.FileHandle;
import dev.herald.log.LogCorruptedException;
import dev.herald.log.LogOptions;
import dev.herald.log.LogReader;
import dev.herald.log.LogRecord;
import dev.herald.log.ReadOnlyLog;
import dev.herald.log.internal.RecordCodec.BadRecordException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link ReadOnlyLog} over a topic's files: lists the segment files, opens them with {@link
 * FileLayer#openReadOnly}, and reads records with the same checks as the log's own readers. Keeps
 * no state on disk. A {@link WatchService} on the topic directory, drained by one daemon thread,
 * bumps a change counter that waiting readers wait on, with the poll interval as the longest wait.
 */
public final class ReadOnlyTopic implements ReadOnlyLog {
  private final String name;
  private final Path topicDir;
  private final LogFileScan scan;
  private final FileLayer files;
  private final int maxRecordBytes;
  private final long pollNanos;
  private final SkipListener onSkip;

  private final ReentrantLock changeLock = new ReentrantLock();
  private final Condition changed = changeLock.newCondition();

  /** Bumped on every watch event; guarded by changeLock for writes. */
  private volatile long generation;

  private volatile boolean closed;
  private final WatchService watch;
  private final Thread watcher;

  /** Readers not closed yet; {@link #close()} closes them. */
  private final Set<Reader> readers = ConcurrentHashMap.newKeySet();

  private ReadOnlyTopic(
      Path dir, String name, LogOptions options, Duration pollInterval, SkipListener onSkip) {
    this.name = name;
    this.topicDir = dir.resolve(LogFileScan.TOPICS).resolve(name);
    this.scan = new LogFileScan(dir, options);
    this.files = options.fileLayer();
    this.maxRecordBytes = options.maxRecordBytes();
    this.pollNanos = Math.max(1, pollInterval.toNanos());
    this.onSkip = onSkip;
    this.watch = startWatching(topicDir);
    if (watch != null) {
      watcher = new Thread(this::drainWatch, "herald-log-tail-watch-" + name);
      watcher.setDaemon(true);
      watcher.start();
    } else {
      watcher = null;
    }
  }

  /**
   * Opens {@code topic} of the log directory {@code dir} read-only.
   *
   * @throws NoSuchFileException when the topic directory does not exist
   */
  public static ReadOnlyTopic open(
      Path dir, String topic, LogOptions options, Duration pollInterval, SkipListener onSkip)
      throws IOException {
    Objects.requireNonNull(onSkip, "onSkip");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("poll interval must be > 0: " + pollInterval);
    }
    Path topicDir = dir.resolve(LogFileScan.TOPICS).resolve(topic);
    if (!options.fileLayer().isDirectory(topicDir)) {
      throw new NoSuchFileException(topicDir.toString(), null, "no such topic directory");
    }
    return new ReadOnlyTopic(dir, topic, options, pollInterval, onSkip);
  }

  /** A watch on {@code dir}, or null where there is none (another file system, or none offered). */
  private static WatchService startWatching(Path dir) {
    WatchService ws = null;
    try {
      ws = dir.getFileSystem().newWatchService();
      dir.register(
          ws,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      return ws;
    } catch (IOException | UnsupportedOperationException e) {
      if (ws != null) {
        try {
          ws.close();
        } catch (IOException ignored) {
          // nothing was registered
        }
      }
      return null; // the poll interval alone paces the readers
    }
  }

  private void drainWatch() {
    while (true) {
      WatchKey key;
      try {
        key = watch.take();
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return;
      }
      key.pollEvents(); // which file changed does not matter (an OVERFLOW neither): readers look
      // again
      boolean valid = key.reset();
      signalChange();
      if (!valid) {
        return; // the directory went away; the poll interval still paces the readers
      }
    }
  }

  private void signalChange() {
    changeLock.lock();
    try {
      generation++;
      changed.signalAll();
    } finally {
      changeLock.unlock();
    }
  }

  /**
   * Waits up to {@code nanos} for a change after {@code seen}, a wakeup of {@code reader} or a
   * close.
   */
  private void awaitChange(long seen, long nanos, Reader reader) throws InterruptedException {
    changeLock.lockInterruptibly();
    try {
      long remaining = nanos;
      while (generation == seen && !reader.wakeup && !reader.closed && !closed) {
        if (remaining <= 0) {
          return;
        }
        remaining = changed.awaitNanos(remaining);
      }
    } finally {
      changeLock.unlock();
    }
  }

  // ---- ReadOnlyLog ----

  @Override
  public String name() {
    return name;
  }

  @Override
  public long startOffset() {
    List<Long> bases = bases();
    return bases.isEmpty() ? 0 : bases.get(0);
  }

  @Override
  public long endOffset() {
    try {
      return scan.topic(name).endOffset();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public LogReader reader(long offset) {
    Reader r = new Reader(offset);
    readers.add(r);
    if (closed) {
      r.close();
    }
    return r;
  }

  @Override
  public LogReader readerFromTimestamp(long epochMillis) {
    try {
      return reader(offsetForTimestamp(epochMillis));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Reader r : readers) {
      r.close();
    }
    if (watch != null) {
      try {
        watch.close(); // the watcher's take() ends
      } catch (IOException ignored) {
        // closing releases the inotify descriptor; nothing to do if that fails
      }
      boolean interrupted = false;
      while (watcher.isAlive()) {
        try {
          watcher.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    signalChange();
  }

  // ---- files ----

  /** Base offsets of the segment files now present, sorted. */
  private List<Long> bases() {
    List<Long> bases = new ArrayList<>();
    try {
      for (Path p : files.list(topicDir)) {
        long base = SegmentFileName.baseOffset(p.getFileName().toString());
        if (base != SegmentFileName.NOT_A_SEGMENT) {
          bases.add(base);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + topicDir, e);
    }
    bases.sort(null);
    return bases;
  }

  /** The smallest base above {@code base}, or -1 when {@code base} is the newest segment. */
  private long baseAfter(long base) {
    for (long b : bases()) {
      if (b > base) {
        return b;
      }
    }
    return -1;
  }

  private Path file(long base, String suffix) {
    return topicDir.resolve(SegmentFileName.of(base, suffix));
  }

  /**
   * The intact entries of an index file as pairs, (relative offset, position) or (timestamp,
   * relative offset); stops at the first entry failing its CRC. Empty when the file is missing.
   */
  private long[] indexEntries(long base, boolean timeIndex) throws IOException {
    int entrySize = timeIndex ? TIME_ENTRY_SIZE : OFFSET_ENTRY_SIZE;
    ByteBuffer b;
    try (FileHandle h =
        files.openReadOnly(
            file(base, timeIndex ? SegmentFileName.TIME_INDEX : SegmentFileName.INDEX))) {
      long size = Math.min(h.size(), (long) entrySize * (Integer.MAX_VALUE / entrySize / 2));
      b = ByteBuffer.allocate((int) (size - size % entrySize));
      FileIo.readFully(h, b, 0);
      b.flip();
    } catch (NoSuchFileException e) {
      return new long[0];
    }
    int count = b.remaining() / entrySize;
    long[] pairs = new long[2 * count];
    for (int i = 0; i < count; i++) {
      int at = i * entrySize;
      int crcAt = at + (timeIndex ? TIME_ENTRY_CRC : OFFSET_ENTRY_CRC);
      if (b.getInt(crcAt) != RecordCodec.crc(b, at, crcAt)) {
        return java.util.Arrays.copyOf(pairs, 2 * i);
      }
      if (timeIndex) {
        pairs[2 * i] = b.getLong(at + TIME_ENTRY_TIMESTAMP);
        pairs[2 * i + 1] = Integer.toUnsignedLong(b.getInt(at + TIME_ENTRY_RELATIVE_OFFSET));
      } else {
        pairs[2 * i] = Integer.toUnsignedLong(b.getInt(at + OFFSET_ENTRY_RELATIVE_OFFSET));
        pairs[2 * i + 1] = Integer.toUnsignedLong(b.getInt(at + OFFSET_ENTRY_POSITION));
      }
    }
    return pairs;
  }

  /**
   * (offset, position) from which a forward scan of the segment reaches {@code target}: the floor
   * offset index entry, if the record it points at is there and carries its offset, else the
   * segment start.
   */
  private long[] seekPosition(
      long base, FileHandle log, long size, long target, RecordScanner scanner) throws IOException {
    long[] e = indexEntries(base, false);
    for (int i = e.length - 2; i >= 0; i -= 2) {
      if (base + e[i] <= target && e[i + 1] < size) {
        try {
          if (scanner.read(log, e[i + 1], size).offset() == base + e[i]) {
            return new long[] {base + e[i], e[i + 1]};
          }
        } catch (BadRecordException ignored) {
          // an index is only a hint
        }
        break;
      }
    }
    return new long[] {base, 0};
  }

  /** The first offset whose record is stamped at or after {@code ts}, or the end offset. */
  private long offsetForTimestamp(long ts) throws IOException {
    RecordScanner scanner = new RecordScanner(maxRecordBytes);
    List<Long> bases = bases();
    long end = bases.isEmpty() ? 0 : bases.get(0);
    for (int i = 0; i < bases.size(); i++) {
      long base = bases.get(i);
      boolean sealed = i < bases.size() - 1;
      long[] times = indexEntries(base, true);
      // A sealed segment's last time entry is its maximum timestamp (added when it was sealed).
      if (sealed && times.length > 0 && times[times.length - 2] < ts) {
        end = bases.get(i + 1);
        continue;
      }
      long from = base;
      for (int t = 0; t < times.length && times[t] < ts; t += 2) {
        from = base + times[t + 1] + 1; // every record up to that entry's offset is older than ts
      }
      try (FileHandle log = files.openReadOnly(file(base, SegmentFileName.LOG))) {
        long size = log.size();
        scanner.invalidate();
        long[] start = seekPosition(base, log, size, from, scanner);
        long expected = start[0];
        long position = start[1];
        while (position < size) {
          LogRecord r;
          try {
            r = scanner.read(log, position, size);
            if (r.offset() != expected) {
              throw new BadRecordException(
                  "offset " + r.offset() + " where " + expected + " was expected");
            }
          } catch (BadRecordException e) {
            if (sealed) {
              throw new LogCorruptedException(
                  file(base, SegmentFileName.LOG), position, e.getMessage() + " (sealed segment)");
            }
            break; // the end of what is written so far
          }
          if (r.offset() >= from && r.timestamp() >= ts) {
            return r.offset();
          }
          position += scanner.lastSize();
          expected++;
        }
        end = expected;
      } catch (NoSuchFileException e) {
        end = sealed ? bases.get(i + 1) : end; // deleted by retention meanwhile
      }
    }
    return end;
  }

  /**
   * A reader over the files; owned by one thread, {@link #wakeup()} and {@link #close()} from any.
   */
  private final class Reader implements LogReader {
    private final RecordScanner scanner = new RecordScanner(maxRecordBytes);

    /** The offset of the next record to return. */
    private long nextOffset;

    /** The segment being read, -1 before one is chosen or after it vanished. */
    private long base = -1;

    private FileHandle handle;

    /** Byte position and offset of the next record in the segment. */
    private long position;

    private long expected;

    /** Once reading has begun, a jump forward is retention's doing and is reported. */
    private boolean started;

    private volatile boolean wakeup;
    private volatile boolean closed;

    Reader(long offset) {
      this.nextOffset = Math.max(0, offset);
    }

    @Override
    public long position() {
      return nextOffset;
    }

    @Override
    public Optional<LogRecord> poll() {
      try {
        return Optional.ofNullable(readNext());
      } catch (ClosedByInterruptException e) {
        // The channel closed because this thread was interrupted: drop it (the next poll reopens
        // the
        // segment) and leave the interrupt status set for the caller.
        handle = null;
        return Optional.empty();
      } catch (IOException e) {
        if (closed || ReadOnlyTopic.this.closed) {
          return Optional.empty(); // closed from another thread under a read
        }
        throw new UncheckedIOException(
            "reading " + file(base, SegmentFileName.LOG) + " at " + position, e);
      }
    }

    private LogRecord readNext() throws IOException {
      while (!closed) {
        if (handle == null && !openSegment()) {
          return null;
        }
        long size = handle.size();
        if (position < size) {
          LogRecord r = readRecord(size);
          if (r == null) {
            return null; // not yet whole at the end of the active segment: wait and read again
          }
          position += scanner.lastSize();
          expected = r.offset() + 1;
          if (r.offset() < nextOffset) {
            continue; // scanning forward from an index entry to the requested offset
          }
          nextOffset = expected;
          return r;
        }
        long following = baseAfter(base);
        if (following < 0) {
          return null; // caught up with the active segment
        }
        if (handle.size() > position) {
          continue; // written before the roll, after the size above was read
        }
        moveTo(following);
      }
      return null;
    }

    /**
     * The record at {@code position}, or null when it is not yet whole and valid at the very end of
     * the active segment.
     *
     * @throws LogCorruptedException for a bad record in a sealed segment, or in the active one with
     *     bytes after it
     */
    private LogRecord readRecord(long size) throws IOException {
      try {
        return checked(scanner.read(handle, position, size));
      } catch (BadRecordException first) {
        // List first, then read again: once a later segment exists, this one is completely written.
        boolean sealed = baseAfter(base) >= 0;
        scanner.invalidate();
        long freshSize = handle.size();
        try {
          return checked(scanner.read(handle, position, freshSize));
        } catch (BadRecordException again) {
          scanner.invalidate(); // the next attempt rereads the file, not this window
          Path file = file(base, SegmentFileName.LOG);
          if (sealed) {
            throw new LogCorruptedException(
                file, position, again.getMessage() + " (sealed segment)");
          }
          long declaredEnd = declaredEnd(freshSize);
          if (declaredEnd >= 0 && declaredEnd < freshSize) {
            throw new LogCorruptedException(
                file,
                position,
                again.getMessage()
                    + " (active segment, "
                    + (freshSize - declaredEnd)
                    + " bytes follow the record)");
          }
          return null;
        }
      }
    }

    private LogRecord checked(LogRecord r) throws BadRecordException {
      if (r.offset() != expected) {
        throw new BadRecordException(
            "offset " + r.offset() + " where " + expected + " was expected");
      }
      return r;
    }

    /**
     * Where the record at {@code position} ends by its length field, or -1 when that is not
     * plausible.
     */
    private long declaredEnd(long size) throws IOException {
      if (size - position < LENGTH_FIELD_SIZE) {
        return -1;
      }
      ByteBuffer b = ByteBuffer.allocate(LENGTH_FIELD_SIZE);
      if (!FileIo.readFully(handle, b, position)) {
        return -1;
      }
      long recordSize = RecordDescriptor.recordSizeFor(b.getInt(0));
      return recordSize < MIN_RECORD_SIZE || recordSize > maxRecordBytes
          ? -1
          : position + recordSize;
    }

    /**
     * Opens the segment to read: the current one again after an interrupt closed its channel, else
     * the one holding {@link #nextOffset} (the oldest when retention deleted it). False when there
     * is none yet.
     */
    private boolean openSegment() throws IOException {
      if (base >= 0) {
        try {
          handle = files.openReadOnly(file(base, SegmentFileName.LOG));
          scanner.invalidate();
          return true;
        } catch (NoSuchFileException e) {
          base = -1; // deleted since: find where to go on
        }
      }
      while (!closed) {
        List<Long> bases = bases();
        if (bases.isEmpty()) {
          return false;
        }
        long first = bases.get(0);
        if (nextOffset < first) {
          if (started) {
            onSkip.skipped(nextOffset, first);
          }
          nextOffset = first;
        }
        long chosen = first;
        for (long b : bases) {
          if (b <= nextOffset) {
            chosen = b;
          }
        }
        FileHandle h;
        try {
          h = files.openReadOnly(file(chosen, SegmentFileName.LOG));
        } catch (NoSuchFileException e) {
          continue; // deleted between listing and opening: list again
        }
        scanner.invalidate();
        long[] start = seekPosition(chosen, h, h.size(), nextOffset, scanner);
        scanner.invalidate();
        handle = h;
        base = chosen;
        expected = start[0];
        position = start[1];
        started = true;
        return true;
      }
      return false;
    }

    /**
     * Leaves the finished segment for {@code following}, reporting offsets retention took in
     * between.
     */
    private void moveTo(long following) throws IOException {
      closeHandle();
      if (following > nextOffset) {
        onSkip.skipped(nextOffset, following);
        nextOffset = following;
      }
      base = -1; // openSegment finds following, or what retention left after it
    }

    private void closeHandle() throws IOException {
      FileHandle h = handle;
      handle = null;
      if (h != null) {
        h.close();
      }
    }

    @Override
    public Optional<LogRecord> next(Duration timeout) throws InterruptedException {
      long timeoutNanos = saturatedNanos(timeout);
      long startNanos = System.nanoTime();
      while (true) {
        long seen = generation; // before reading: a change during the read is not missed
        Optional<LogRecord> r = poll();
        if (r.isPresent() || consumeStop()) {
          return r;
        }
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        long remaining = timeoutNanos - (System.nanoTime() - startNanos);
        if (remaining <= 0) {
          return Optional.empty();
        }
        awaitChange(seen, Math.min(remaining, pollNanos), this);
        if (consumeStop()) {
          return Optional.empty();
        }
      }
    }

    private boolean consumeStop() {
      if (closed || ReadOnlyTopic.this.closed) {
        return true;
      }
      if (wakeup) {
        wakeup = false;
        return true;
      }
      return false;
    }

    @Override
    public void wakeup() {
      wakeup = true;
      signalChange();
    }

    @Override
    public void close() {
      closed = true;
      readers.remove(this);
      signalChange();
      try {
        closeHandle();
      } catch (IOException ignored) {
        // a read-only channel has nothing to lose on close
      }
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return Math.max(0, d.toNanos());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
