package dev.herald.log.internal;

import dev.herald.log.FileLayer;
import dev.herald.log.Log;
import dev.herald.log.LogCorruptedException;
import dev.herald.log.LogFailedException;
import dev.herald.log.LogOptions;
import dev.herald.log.LogReader;
import dev.herald.log.LogRecord;
import dev.herald.log.RecordTooLargeException;
import dev.herald.log.RecoveryReport;
import dev.herald.log.internal.RecordCodec.BadRecordException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A topic's segmented log: the {@link Log} implementation. Holds the published segment list and the
 * committed end offset that readers see; the {@link LogWriter} thread owns every file mutation
 * (with {@link dev.herald.log.FlushPolicy.Kind#INTERVAL}, its flusher thread runs the periodic
 * fsync).
 *
 * <p>Threads: public methods are safe from any thread. Methods documented "writer thread" are
 * called only by the writer (or by {@link #open} before the writer starts).
 */
public final class SegmentedLog implements Log {
  private final String name;
  private final Path dir;
  private final LogOptions options;
  private final FileLayer files;
  private final RecoveryReport recoveryReport;
  private final LogWriter writer;

  /** Copy-on-write, ordered by base offset; replaced by the writer on roll and retention. */
  private volatile List<Segment> segments;

  private volatile long endOffset;
  private volatile Throwable failure;
  private volatile boolean closed;

  /** Lets {@link #close} wait out appends that already passed the closed check (they read-lock). */
  private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();

  /** Guards the condition tail readers wait on; held only to wait and to signal, never over I/O. */
  private final ReentrantLock commitLock = new ReentrantLock();

  private final Condition committed = commitLock.newCondition();

  private SegmentedLog(
      String name, Path dir, LogOptions options, List<Segment> segments, RecoveryReport report) {
    this.name = name;
    this.dir = dir;
    this.options = options;
    this.files = options.fileLayer();
    this.segments = List.copyOf(segments);
    this.recoveryReport = report;
    Segment last = segments.get(segments.size() - 1);
    this.endOffset = last.nextOffset();
    this.writer = new LogWriter(this, last, options);
  }

  /**
   * Opens (creating if needed) the topic in {@code dir}, runs recovery on the calling thread, and
   * starts the writer thread. With {@code repair}, damaged records are quarantined (the intact ones
   * after them kept in a segment of their own) and missing offsets recorded in {@code
   * dropped-offsets}, instead of failing the open; each dropped range is reported with its record
   * count.
   *
   * @throws LogCorruptedException when {@code repair} is false and a record is damaged (not a torn
   *     tail), offsets are missing between segments, or the recovery point is past the recovered
   *     end
   */
  public static SegmentedLog open(String name, Path dir, LogOptions options, boolean repair)
      throws IOException {
    FileLayer files = options.fileLayer();
    files.createDirectories(dir);
    List<Long> bases = new ArrayList<>();
    for (Path p : files.list(dir)) {
      String f = p.getFileName().toString();
      if (f.endsWith(".tmp")) {
        files.deleteIfExists(p); // an interrupted atomic replace; the target is intact
      } else if (SegmentFileName.isLog(f)) {
        bases.add(parseBase(p, f));
      }
    }
    bases.sort(Comparator.naturalOrder());
    long recoveryPoint = RecoveryPoint.read(files, dir);
    boolean checkpointMissing = recoveryPoint < 0 && !bases.isEmpty();
    List<Segment> segments = new ArrayList<>();
    SegmentRecovery recovery = new SegmentRecovery(files, dir, options.maxRecordBytes(), repair);
    List<DroppedOffsets.Range> known = readDropped(files, dir, repair, recovery);
    recovery.useKnown(known);
    if (repair && checkpointMissing) {
      recovery.rebuilt(
          dir.resolve(RecoveryPoint.FILE_NAME),
          "nothing: it was "
              + (recoveryPoint == RecoveryPoint.DAMAGED ? "damaged" : "missing")
              + ", so every segment was"
              + " validated whole instead; the repair's close writes a new one");
    }
    int knownBefore = known.size();
    try {
      if (bases.isEmpty() && recoveryPoint > 0) {
        // Every segment file is gone, yet records up to the recovery point were durable.
        Path rp = dir.resolve(RecoveryPoint.FILE_NAME);
        missing(
            rp,
            0,
            recoveryPoint,
            "lost: recovery point " + recoveryPoint + " but no segment" + " file",
            repair,
            known,
            recovery);
        segments.add(Segment.create(files, dir, recoveryPoint, options.indexIntervalBytes()));
        files.forceDirectory(dir);
      } else if (bases.isEmpty()) {
        segments.add(Segment.create(files, dir, 0, options.indexIntervalBytes()));
        files.forceDirectory(dir);
        // From the start, so that a missing recovery point always means a lost file: under
        // INTERVAL the first one past a segment comes only once the flusher forced it.
        RecoveryPoint.write(files, dir, 0);
      } else {
        int validateFrom = 0;
        for (int i = 0; i < bases.size(); i++) {
          if (recoveryPoint >= 0 && bases.get(i) <= recoveryPoint) {
            validateFrom = i;
          }
        }
        for (int i = 0; i < bases.size(); i++) {
          long base = bases.get(i);
          boolean indexesExisted =
              files.exists(dir.resolve(SegmentFileName.of(base, SegmentFileName.INDEX)))
                  && files.exists(
                      dir.resolve(SegmentFileName.of(base, SegmentFileName.TIME_INDEX)));
          Segment s = Segment.open(files, dir, base, options.indexIntervalBytes());
          segments.add(s);
          boolean last = i == bases.size() - 1;
          // At or past the recovery point, a segment may have been rolled away from and not
          // forced yet (INTERVAL forces it on the flusher): its tail may be torn, as the last's.
          boolean unforced = last || (recoveryPoint >= 0 && base >= recoveryPoint);
          // A repair rescans every segment whole: damage may sit anywhere, not only after
          // the last index entry that a normal open trusts.
          long salvaged = -1;
          if (i < validateFrom && !repair) {
            recovery.loadSealed(s, indexesExisted, options.indexIntervalBytes());
          } else {
            salvaged = recovery.validate(s, unforced, recoveryPoint);
            if (salvaged >= 0) {
              bases.add(i + 1, salvaged); // a repair moved the records after damage there
            }
          }
          if (i > 0 && segments.get(i - 1).nextOffset() > base) {
            throw new LogCorruptedException(
                s.logFile,
                0,
                "base offset "
                    + base
                    + " overlaps the previous segment, which ends at "
                    + segments.get(i - 1).nextOffset());
          }
          if (i > 0 && segments.get(i - 1).nextOffset() < base) {
            long from = segments.get(i - 1).nextOffset();
            String quarantined = recovery.quarantinedReason(from);
            String why =
                quarantined != null
                    ? quarantined
                    : "missing before this segment: the segment file holding them was deleted or lost";
            missing(s.logFile, from, base, why, repair, known, recovery);
          }
          if (!last && unforced && salvaged < 0 && s.nextOffset() < bases.get(i + 1)) {
            // Its tail was torn: nothing after it can have been durable. Drop the rest.
            List<Segment> following = new ArrayList<>();
            for (int j = i + 1; j < bases.size(); j++) {
              following.add(Segment.open(files, dir, bases.get(j), options.indexIntervalBytes()));
            }
            recovery.dropFollowing(s, following);
            break;
          }
        }
        long end = segments.get(segments.size() - 1).nextOffset();
        if (recoveryPoint > end) {
          // A recovery point is written only once every record below it is durable.
          missing(
              dir.resolve(RecoveryPoint.FILE_NAME),
              end,
              recoveryPoint,
              "lost: recovery point "
                  + recoveryPoint
                  + " is past the recovered end "
                  + end
                  + ", so the last segment file was"
                  + " deleted or lost",
              repair,
              known,
              recovery);
          Segment s = Segment.create(files, dir, recoveryPoint, options.indexIntervalBytes());
          segments.add(s); // the next append gets the recovery point, reusing no offset below it
        }
        files.forceDirectory(dir); // makes index and segment files created by this open durable
      }
      if (known.size() != knownBefore) {
        DroppedOffsets.write(files, dir, known);
      }
    } catch (IOException | RuntimeException e) {
      for (Segment s : segments) {
        try {
          s.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    SegmentedLog log =
        new SegmentedLog(name, dir, options, segments, recovery.report(checkpointMissing));
    log.writer.start(name);
    return log;
  }

  /**
   * Offsets {@code [from, to)} are not in the log. Known to {@code dropped-offsets} from an earlier
   * repair: fine. Else a repair records and reports them; an open fails.
   */
  private static void missing(
      Path file,
      long from,
      long to,
      String why,
      boolean repair,
      List<DroppedOffsets.Range> known,
      SegmentRecovery recovery) {
    if (DroppedOffsets.covers(known, from, to)) {
      return;
    }
    String reason =
        "offsets " + from + " to " + (to - 1) + " (" + (to - from) + " records): " + why;
    if (!repair) {
      throw new LogCorruptedException(file, 0, reason + "; 'herald log repair' records the loss");
    }
    known.add(new DroppedOffsets.Range(from, to));
    recovery.dropped(file, from, to, reason);
  }

  /**
   * The ranges of {@code dropped-offsets}; a repair replaces a damaged file (rewritten at the end).
   */
  private static List<DroppedOffsets.Range> readDropped(
      FileLayer files, Path dir, boolean repair, SegmentRecovery recovery) throws IOException {
    try {
      return DroppedOffsets.read(files, dir);
    } catch (LogCorruptedException e) {
      if (!repair) {
        throw e;
      }
      Path file = dir.resolve(DroppedOffsets.FILE_NAME);
      files.deleteIfExists(file);
      recovery.rebuilt(
          file,
          "the record of earlier repairs' gaps ("
              + e.getMessage()
              + "); this repair records again every gap it finds");
      return new ArrayList<>();
    }
  }

  private static long parseBase(Path p, String f) {
    long base = SegmentFileName.baseOffset(f);
    if (base == SegmentFileName.NOT_A_SEGMENT) {
      throw new LogCorruptedException(p, 0, "not a segment file name");
    }
    return base;
  }

  // ---- Log ----

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<Long> append(LogRecord record) {
    int size = RecordCodec.encodedSize(record);
    if (size > options.maxRecordBytes()) {
      throw tooLarge(size);
    }
    CompletableFuture<Long> future = new CompletableFuture<>();
    Throwable refused = queue(new LogWriter.Append(record, size, future));
    if (refused != null) {
      future.completeExceptionally(refused);
    }
    return future;
  }

  @Override
  public List<CompletableFuture<Long>> appendAll(List<LogRecord> records) {
    List<CompletableFuture<Long>> futures = new ArrayList<>(records.size());
    List<LogWriter.Append> appends = new ArrayList<>(records.size());
    for (LogRecord record : records) {
      CompletableFuture<Long> future = new CompletableFuture<>();
      futures.add(future);
      int size = RecordCodec.encodedSize(record);
      if (size > options.maxRecordBytes()) {
        future.completeExceptionally(tooLarge(size));
      } else {
        appends.add(new LogWriter.Append(record, size, future));
      }
    }
    Throwable refused = appends.isEmpty() ? null : queue(new LogWriter.Appends(appends));
    if (refused != null) {
      for (LogWriter.Append a : appends) {
        a.future().completeExceptionally(refused);
      }
    }
    return futures;
  }

  private RecordTooLargeException tooLarge(int size) {
    return new RecordTooLargeException(size, options.maxRecordBytes());
  }

  @Override
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> future = new CompletableFuture<>();
    return enqueue(new LogWriter.Flush(future), future);
  }

  @Override
  public CompletableFuture<Void> appended() {
    CompletableFuture<Void> future = new CompletableFuture<>();
    return enqueue(new LogWriter.Barrier(future), future);
  }

  private CompletableFuture<Void> enqueue(
      LogWriter.Request request, CompletableFuture<Void> future) {
    Throwable refused = queue(request);
    if (refused != null) {
      future.completeExceptionally(refused);
    }
    return future;
  }

  /**
   * Offers {@code request} to the writer; returns why it was refused (the log is closed or failed,
   * or the append queue is full), or null once it is queued.
   */
  private Throwable queue(LogWriter.Request request) {
    closeLock.readLock().lock(); // many appenders at once; excludes only close()
    try {
      if (closed) {
        return new IllegalStateException("log " + name + " is closed");
      }
      if (failure != null) {
        return failedException();
      }
      if (!writer.offer(request)) {
        return new RejectedExecutionException(
            "append queue of log "
                + name
                + " is full (capacity "
                + options.appendQueueCapacity()
                + ")");
      }
      return null;
    } finally {
      closeLock.readLock().unlock();
    }
  }

  @Override
  public long startOffset() {
    return segments.get(0).baseOffset;
  }

  @Override
  public long endOffset() {
    return endOffset;
  }

  @Override
  public long sizeInBytes() {
    long total = 0;
    for (Segment s : segments) {
      total += s.committedSize();
    }
    return total;
  }

  @Override
  public int segmentCount() {
    return segments.size();
  }

  @Override
  public LogReader reader(long offset) {
    return new SegmentReader(this, offset);
  }

  @Override
  public LogReader readerFromTimestamp(long epochMillis) {
    return reader(offsetForTimestamp(epochMillis));
  }

  @Override
  public boolean isFailed() {
    return failure != null;
  }

  @Override
  public RecoveryReport recoveryReport() {
    return recoveryReport;
  }

  /**
   * Stops accepting appends, lets the writer finish everything queued, force all files and write
   * the recovery point (unless the log failed), then closes the files. Waits for the writer thread.
   */
  public void close() throws IOException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    closeLock.writeLock().lock(); // no append is between its closed check and its enqueue now
    try {
      if (closed) {
        return;
      }
      closed = true;
      writer.putClose(done);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while closing log " + name, e);
    } finally {
      closeLock.writeLock().unlock();
    }
    signalCommitted();
    try {
      done.get(1, TimeUnit.MINUTES);
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while closing log " + name, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("closing log " + name + " failed", e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("writer of log " + name + " did not stop", e);
    }
  }

  // ---- shared with the writer and readers ----

  Path dir() {
    return dir;
  }

  LogOptions options() {
    return options;
  }

  List<Segment> segments() {
    return segments;
  }

  boolean isClosed() {
    return closed;
  }

  /** Writer thread: publishes a new segment list. */
  void publishSegments(List<Segment> newSegments) {
    segments = List.copyOf(newSegments);
  }

  /** Writer thread: records below {@code next} are committed; wakes waiting readers. */
  void publishEnd(long next) {
    endOffset = next;
    signalCommitted();
  }

  /** Writer or flusher thread: enters the failed state; the first failure wins. */
  synchronized void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
  }

  /** The first failure, or null. */
  Throwable failure() {
    return failure;
  }

  LogFailedException failedException() {
    return new LogFailedException(
        "log " + name + " refuses writes after an I/O failure; reopen it to recover", failure);
  }

  void signalCommitted() {
    commitLock.lock(); // signalAll requires the lock; nothing else happens under it
    try {
      committed.signalAll();
    } finally {
      commitLock.unlock();
    }
  }

  ReentrantLock commitLock() {
    return commitLock;
  }

  Condition committedCondition() {
    return committed;
  }

  /** The segment following {@code segment} in the current list, or null. */
  Segment segmentAfter(Segment segment) {
    for (Segment s : segments) {
      if (s.baseOffset > segment.baseOffset) {
        return s;
      }
    }
    return null;
  }

  /** The segment holding {@code offset}: the last with base at or below it, else the first. */
  Segment segmentFor(long offset) {
    List<Segment> list = segments;
    Segment found = list.get(0);
    for (Segment s : list) {
      if (s.baseOffset <= offset) {
        found = s;
      } else {
        break;
      }
    }
    return found;
  }

  /** First offset whose record has a timestamp at or after {@code ts}, or the end offset. */
  long offsetForTimestamp(long ts) {
    RecordScanner scanner = new RecordScanner(options.maxRecordBytes());
    for (Segment s : segments) {
      if (s.maxTimestamp() < ts) {
        continue;
      }
      long from = s.lookupTimestamp(ts);
      long position = s.lookupPosition(from);
      long limit = s.committedSize();
      try {
        while (position < limit) {
          LogRecord r = scanner.read(s.log(), position, limit);
          position += scanner.lastSize();
          if (r.offset() >= from && r.timestamp() >= ts) {
            return r.offset();
          }
        }
      } catch (BadRecordException e) {
        throw new LogCorruptedException(s.logFile, position, e.getMessage());
      } catch (IOException e) {
        if (!s.isDeleted()) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return endOffset;
  }
}
