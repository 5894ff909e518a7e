package dev.herald.log.internal;

import dev.herald.TimeSource;
import dev.herald.log.FileLayer;
import dev.herald.log.FlushPolicy;
import dev.herald.log.LogOptions;
import dev.herald.log.LogRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The single thread that owns a topic's files. Duty cycle: take whatever requests are queued
 * (blocking only when idle), encode the appends into one buffer, write it, force per {@link
 * FlushPolicy}, publish the new end offset, complete the futures, then apply retention. Appenders
 * queued together share one write and one fsync (group commit).
 *
 * <p>Who fsyncs: this thread, for {@link FlushPolicy.Kind#ALWAYS} (before completing a batch), for
 * {@link dev.herald.log.Log#flush()}, on roll (sealing the old segment) and on close. With {@link
 * FlushPolicy.Kind#INTERVAL} the periodic fsync runs on the log's {@link IntervalFlusher} thread
 * ({@code herald-log-flush-<topic>}), so this thread keeps writing to the page cache meanwhile, and
 * so does the fsync of a segment this thread rolled away from: sealing a segment forces three
 * files, which on a busy disk stalled every append for tens of milliseconds at each roll. The
 * recovery point moves past such a segment only once it is forced ({@link #forceSealed}), so a
 * power loss before that leaves it above the recovery point, where recovery treats a torn tail as
 * it does in the last segment. Every fsync, and every change that could close a file under one
 * (roll, retention, close), holds {@link #forceLock}: a segment is never closed while it is being
 * forced, and a force on this thread that follows a failed force on the flusher sees the failure
 * instead of a success the kernel may report to the second caller.
 *
 * <p>Failure: an {@link IOException} from a write or fsync (a full disk included, whether it
 * strikes in a roll, a record write or an index write) fails the futures of every record not yet
 * acknowledged with that exception, cuts the active segment back to the acknowledged end so that no
 * record reported failed is found after reopening, and puts the log in the failed state; later
 * requests fail with {@link dev.herald.log.LogFailedException}. Every future completes: an
 * unexpected exception fails every request of its batch. Nothing is retried: after a failed fsync
 * the page cache may have dropped the data, so success can never be assumed. A failed fsync on the
 * flusher does the same: records this thread has written but not yet acknowledged fail with its
 * cause.
 *
 * <p>Future callbacks attached with non-async methods run on this thread; they must be short.
 */
final class LogWriter {
  /** A request queued for the writer. */
  sealed interface Request permits Append, Appends, Flush, Barrier, Close {}

  record Append(LogRecord record, int size, CompletableFuture<Long> future) implements Request {}

  /**
   * Appends queued together ({@link dev.herald.log.Log#appendAll}): one place in the queue, taken
   * in one round, so written together and forced once.
   */
  record Appends(List<Append> appends) implements Request {}

  record Flush(CompletableFuture<Void> future) implements Request {}

  /** Completes with the appends queued before it, as durable as they are: forces nothing itself. */
  record Barrier(CompletableFuture<Void> future) implements Request {}

  record Close(CompletableFuture<Void> future) implements Request {}

  private static final int MAX_BATCH = 4096;

  private final SegmentedLog log;
  private final LogOptions options;
  private final FileLayer files;
  private final TimeSource time;
  private final FlushPolicy policy;
  private final ArrayBlockingQueue<Request> queue;
  private final List<Request> batch = new ArrayList<>();

  /** What one round took from the queue, before {@link Appends} are spread into {@link #batch}. */
  private final List<Request> taken = new ArrayList<>();

  private final List<Append> unacked = new ArrayList<>();
  private final List<Long> unackedOffsets = new ArrayList<>();

  /**
   * Held over every fsync of the active segment and over every change that could close or replace a
   * segment a force might be using (roll, retention, close). Uncontended unless the flusher is
   * forcing.
   */
  private final ReentrantLock forceLock = new ReentrantLock();

  /** The periodic fsync of {@link FlushPolicy.Kind#INTERVAL}; null for the other policies. */
  private final IntervalFlusher flusher;

  /** A segment rolled away from under INTERVAL, not forced yet, and the recovery point after it. */
  private record Sealing(Segment segment, long recoveryOffset) {}

  /**
   * Segments rolled away from under INTERVAL whose fsync is pending, oldest first. Added by this
   * thread; forced and removed under {@link #sealLock} by the flusher, or by this thread before a
   * flush or close. Not under {@link #forceLock}: the next roll takes that lock and must not wait
   * for this fsync. A queued segment is safe from retention, which never deletes one ({@link
   * #isSealing}), and from close, which stops the flusher and forces what is left on this thread
   * before closing any file.
   */
  private final ConcurrentLinkedQueue<Sealing> sealing = new ConcurrentLinkedQueue<>();

  private final Object sealLock = new Object();
  private Thread thread;

  /**
   * True while the active segment has bytes written since the last fsync began. Set by this thread
   * after each write; cleared, under {@link #forceLock}, just before a force of the active segment
   * starts.
   */
  private volatile boolean unforced;

  /** When the last fsync of the active segment finished ({@link TimeSource#nanoTime()}). */
  private volatile long lastForceNanos;

  // Everything below is owned by the writer thread; active is only replaced under forceLock, so the
  // flusher, which reads it under forceLock, always forces a segment that is open.
  private Segment active;
  private long nextOffset;
  private ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
  private long bufferFilePosition;
  private boolean running = true;

  LogWriter(SegmentedLog log, Segment active, LogOptions options) {
    this.log = log;
    this.options = options;
    this.files = options.fileLayer();
    this.time = options.timeSource();
    this.policy = options.flushPolicy();
    this.queue = new ArrayBlockingQueue<>(options.appendQueueCapacity());
    this.active = active;
    this.nextOffset = active.nextOffset();
    this.bufferFilePosition = active.appendedSize();
    this.lastForceNanos = time.nanoTime();
    this.flusher = policy.kind() == FlushPolicy.Kind.INTERVAL ? new IntervalFlusher() : null;
  }

  /** Starts the writer thread, {@code herald-log-writer-<topic>}, and for INTERVAL the flusher. */
  void start(String topic) {
    if (flusher != null) {
      flusher.start("herald-log-flush-" + topic); // first: the writer's wake() needs its thread
    }
    thread = new Thread(this::run, "herald-log-writer-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  /** Any thread: enqueues without blocking; false when the queue is full. */
  boolean offer(Request r) {
    return queue.offer(r);
  }

  /** Any thread: enqueues the close request, waiting for room if needed. */
  void putClose(CompletableFuture<Void> done) throws InterruptedException {
    queue.put(new Close(done));
  }

  void join() throws InterruptedException {
    thread.join();
  }

  private void run() {
    while (running) {
      try {
        Request first =
            queue.take(); // INTERVAL's periodic fsync is the flusher's, not a timeout here
        taken.clear();
        taken.add(first);
        queue.drainTo(taken, MAX_BATCH - 1);
        batch.clear();
        for (Request r : taken) {
          if (r instanceof Appends many) {
            batch.addAll(many.appends());
          } else {
            batch.add(r);
          }
        }
        doWork(batch);
      } catch (InterruptedException e) {
        // Nobody interrupts this thread on purpose; keep serving until a Close arrives.
        Thread.interrupted();
      } catch (RuntimeException | Error e) {
        failAll(e);
        abandon(batch, e);
      }
    }
  }

  /** One duty cycle over {@code requests}; returns how many requests it handled. */
  int doWork(List<Request> requests) {
    boolean forceRequested = false;
    Close close = null;
    for (Request r : requests) {
      if (r instanceof Append a) {
        if (log.isFailed()) {
          a.future().completeExceptionally(log.failedException());
          continue;
        }
        try {
          encode(a);
        } catch (IOException e) {
          failAll(e);
          a.future().completeExceptionally(e); // a roll or write can fail before a is unacked
        }
      } else if (r instanceof Flush) {
        forceRequested = true;
      } else if (r instanceof Close c) {
        forceRequested = true;
        close = c;
      }
    }
    if (close != null && flusher != null) {
      flusher.stop(); // close does the final fsync itself, below
    }
    if (!log.isFailed()) {
      try {
        writeBuffer();
        if (policy.kind() == FlushPolicy.Kind.ALWAYS || forceRequested) {
          forceActive();
        }
        if (log.isFailed()) {
          failAll(log.failure()); // the flusher's fsync failed: acknowledge nothing more
        } else {
          commit();
          applyRetention();
          if (close != null) {
            sealActive();
            RecoveryPoint.write(files, log.dir(), nextOffset);
          }
        }
      } catch (IOException e) {
        failAll(e);
      }
    }
    for (Request r : requests) {
      CompletableFuture<Void> waiter =
          r instanceof Flush f ? f.future() : r instanceof Barrier b ? b.future() : null;
      if (waiter != null) {
        if (log.isFailed()) {
          waiter.completeExceptionally(log.failedException());
        } else {
          waiter.complete(null);
        }
      }
    }
    if (close != null) {
      shutDown(close);
    }
    return requests.size();
  }

  private void encode(Append a) throws IOException {
    long now = time.epochMillis();
    if (active.needsRoll(a.size(), now, options.segmentBytes(), options.segmentAgeMillis())) {
      roll();
    }
    if (buffer.remaining() < a.size()) {
      writeBuffer();
      if (buffer.capacity() < a.size()) {
        buffer = ByteBuffer.allocate(a.size());
      }
    }
    long timestamp =
        a.record().timestamp() == LogRecord.NO_TIMESTAMP ? now : a.record().timestamp();
    long position = bufferFilePosition + buffer.position();
    RecordCodec.encode(
        a.record(), a.size(), nextOffset, timestamp, buffer); // sized when it was queued
    active.noteRecord(nextOffset, position, a.size(), timestamp, now);
    unacked.add(a);
    unackedOffsets.add(nextOffset);
    nextOffset++;
  }

  private void writeBuffer() throws IOException {
    if (buffer.position() > 0) {
      buffer.flip();
      FileIo.writeFully(active.log(), buffer, bufferFilePosition);
      buffer.clear();
      bufferFilePosition = active.appendedSize();
      if (!unforced) {
        unforced = true;
        if (flusher != null) {
          flusher.wake(); // never blocks: the flusher may be in an fsync right now
        }
      }
    }
    active.writePendingIndexEntries();
  }

  /**
   * Forces the active segment's log file if anything was written since the last force began. Under
   * {@link #forceLock}, so it waits for a force in progress on the flusher, and after a failed one
   * it forces nothing and leaves the failure for the caller to see in {@link
   * SegmentedLog#isFailed()}.
   */
  private void forceActive() throws IOException {
    if (!log.isFailed()) {
      forceSealed(); // a flush covers the segments rolled away from too
    }
    forceLock.lock();
    try {
      if (unforced && !log.isFailed()) {
        unforced = false;
        active.forceLog();
        lastForceNanos = time.nanoTime();
      }
    } finally {
      forceLock.unlock();
    }
  }

  /** Seals the active segment, forcing all its files, under {@link #forceLock}. */
  private void sealActive() throws IOException {
    forceLock.lock();
    try {
      if (log.isFailed()) {
        throw new IOException(
            "log " + log.name() + " failed while sealing " + active, log.failure());
      }
      unforced = false;
      active.seal();
      lastForceNanos = time.nanoTime();
    } finally {
      forceLock.unlock();
    }
  }

  /**
   * Seals the active segment and starts a new one. The old segment is forced here, before the
   * recovery point moves past it, except under INTERVAL, where the flusher forces it and then moves
   * the recovery point ({@link #forceSealed}): appends go on meanwhile.
   */
  private void roll() throws IOException {
    writeBuffer();
    Segment old = active;
    if (flusher == null) {
      sealActive();
    } else {
      old.finishIndexes();
    }
    commit();
    Segment next = Segment.create(files, log.dir(), nextOffset, options.indexIntervalBytes());
    files.forceDirectory(log.dir());
    List<Segment> list = new ArrayList<>(log.segments());
    list.add(next);
    log.publishSegments(
        list); // after commit(): a reader that sees the new segment sees the old one final
    forceLock.lock(); // the flusher reads active under this lock
    try {
      active = next;
      unforced = false; // the new segment's; what the old one holds unforced is its seal's to force
    } finally {
      forceLock.unlock();
    }
    bufferFilePosition = 0;
    if (flusher == null) {
      RecoveryPoint.write(files, log.dir(), next.baseOffset);
    } else {
      sealing.add(new Sealing(old, next.baseOffset));
      flusher.wake();
    }
  }

  /**
   * Forces the segments rolled away from under INTERVAL, oldest first, each followed by the
   * recovery point past it: a recovery point never passes a segment that is not forced. Flusher, or
   * this thread before a flush or close; on failure the segment stays queued and the caller fails
   * the log.
   */
  private void forceSealed() throws IOException {
    synchronized (sealLock) {
      for (Sealing s = sealing.peek(); s != null && !log.isFailed(); s = sealing.peek()) {
        s.segment().forceAll();
        RecoveryPoint.write(files, log.dir(), s.recoveryOffset());
        sealing.poll(); // only now may retention delete it
      }
    }
  }

  /** Whether {@code segment}'s fsync after a roll is still pending. */
  private boolean isSealing(Segment segment) {
    for (Sealing s : sealing) {
      if (s.segment() == segment) {
        return true;
      }
    }
    return false;
  }

  /** Publishes what is written (and forced, if the policy says so) and completes its futures. */
  private void commit() {
    active.commit(active.appendedSize(), nextOffset);
    log.publishEnd(nextOffset);
    for (int i = 0; i < unacked.size(); i++) {
      unacked.get(i).future().complete(unackedOffsets.get(i));
    }
    unacked.clear();
    unackedOffsets.clear();
  }

  /** Deletes the oldest sealed segments beyond the size or age limits; never the active one. */
  private void applyRetention() throws IOException {
    if (options.retentionBytes() == Long.MAX_VALUE
        && options.retentionAgeMillis() == Long.MAX_VALUE) {
      return;
    }
    List<Segment> list = new ArrayList<>(log.segments());
    long total = 0;
    for (Segment s : list) {
      total += s.committedSize();
    }
    long now = time.epochMillis();
    boolean deleted = false;
    while (list.size() > 1) {
      Segment oldest = list.get(0);
      boolean tooBig = total > options.retentionBytes();
      boolean tooOld =
          options.retentionAgeMillis() != Long.MAX_VALUE
              && now - oldest.maxTimestamp() > options.retentionAgeMillis();
      if ((!tooBig && !tooOld) || isSealing(oldest)) {
        break; // a segment still being forced goes at a later duty cycle
      }
      list.remove(0);
      log.publishSegments(list); // readers stop finding it before its files go
      total -= oldest.committedSize();
      forceLock.lock(); // never the active segment, but no file is closed while a force runs
      try {
        oldest.delete(files);
      } finally {
        forceLock.unlock();
      }
      deleted = true;
    }
    if (deleted) {
      files.forceDirectory(log.dir());
    }
  }

  /**
   * Enters the failed state and fails every record that is not durable, after cutting the active
   * segment back to what was acknowledged: a record reported failed must not turn up after
   * reopening because its bytes reached the file before a later write or the fsync failed. Should
   * the cut itself fail, the cause says so (suppressed): only then may such records reappear.
   */
  private void failAll(Throwable cause) {
    log.fail(cause);
    forceLock.lock(); // the flusher may be forcing the active segment
    try {
      active.discardUncommitted();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(
          new IOException(
              "could not cut "
                  + active
                  + " back to its acknowledged end "
                  + active.committedSize()
                  + "; records reported failed may be present after reopening",
              e));
    } finally {
      forceLock.unlock();
    }
    for (Append a : unacked) {
      a.future().completeExceptionally(cause);
    }
    unacked.clear();
    unackedOffsets.clear();
    buffer.clear();
  }

  /**
   * After an unexpected exception escaped {@link #doWork}: completes every future of the batch that
   * is still pending, so no caller waits forever, and still shuts down when the batch held the
   * close.
   */
  private void abandon(List<Request> requests, Throwable cause) {
    Close close = null;
    for (Request r : requests) {
      if (r instanceof Append a) {
        a.future().completeExceptionally(cause);
      } else if (r instanceof Flush f) {
        f.future().completeExceptionally(cause);
      } else if (r instanceof Barrier b) {
        b.future().completeExceptionally(cause);
      } else if (r instanceof Close c) {
        close = c;
      }
    }
    if (close != null && running) {
      shutDown(close);
    }
  }

  private void shutDown(Close close) {
    running = false;
    if (flusher != null) {
      flusher.stop(); // already stopped unless a RuntimeException skipped doWork's stop
    }
    IOException closeFailure = null;
    forceLock.lock();
    try {
      for (Segment s : log.segments()) {
        try {
          s.close();
        } catch (IOException e) {
          closeFailure = e;
        }
      }
    } finally {
      forceLock.unlock();
    }
    List<Request> leftovers = new ArrayList<>();
    queue.drainTo(leftovers);
    for (Request r : leftovers) {
      IllegalStateException closed = new IllegalStateException("log " + log.name() + " is closed");
      if (r instanceof Append a) {
        a.future().completeExceptionally(closed);
      } else if (r instanceof Appends many) {
        for (Append a : many.appends()) {
          a.future().completeExceptionally(closed);
        }
      } else if (r instanceof Flush f) {
        f.future().completeExceptionally(closed);
      }
    }
    log.signalCommitted();
    if (closeFailure != null) {
      close.future().completeExceptionally(closeFailure);
    } else {
      close.future().complete(null);
    }
  }

  /**
   * The {@link FlushPolicy.Kind#INTERVAL} fsync, on a thread of its own: once the active segment
   * has unforced bytes and the interval has passed since the last fsync finished, it forces the
   * active segment under {@link #forceLock}. The writer wakes it with {@link LockSupport#unpark},
   * which never blocks, so an append never waits for this fsync. A failed fsync puts the log in the
   * failed state (the writer then acknowledges nothing more) and is never retried; the flusher
   * forces nothing after. It parks until the fsync is due by the log's {@link TimeSource} (at least
   * a millisecond at a time) and then looks again, so an injected clock that does not move with
   * real time works too.
   */
  private final class IntervalFlusher implements Runnable {
    private final long intervalNanos = TimeUnit.MILLISECONDS.toNanos(policy.intervalMillis());
    private volatile boolean stopping;
    private Thread flusherThread;

    void start(String name) {
      flusherThread = new Thread(this, name);
      flusherThread.setDaemon(true);
      flusherThread.start();
    }

    void wake() {
      LockSupport.unpark(flusherThread);
    }

    /** Stops the thread and waits for a force in progress to finish. Writer thread; idempotent. */
    void stop() {
      stopping = true;
      if (flusherThread == null) {
        return;
      }
      LockSupport.unpark(flusherThread);
      boolean interrupted = false;
      while (flusherThread.isAlive()) {
        try {
          flusherThread.join();
        } catch (InterruptedException e) {
          interrupted = true; // keep waiting: close must not run beside a force
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void run() {
      while (!stopping) {
        if (!sealing.isEmpty() && !log.isFailed()) {
          try {
            forceSealed();
            // Retention passed over the segments while they were being forced: one more duty
            // cycle lets it delete them even if no append comes. A full queue means the
            // writer is busy and gets there anyway.
            queue.offer(new Barrier(new CompletableFuture<>()));
          } catch (IOException | RuntimeException e) {
            log.fail(e);
          }
          continue;
        }
        if (!unforced || log.isFailed()) {
          LockSupport.park(this); // the writer unparks on the next write; stop() too
          continue;
        }
        long due = intervalNanos - (time.nanoTime() - lastForceNanos);
        if (due > 0) {
          LockSupport.parkNanos(this, Math.max(due, TimeUnit.MILLISECONDS.toNanos(1)));
          continue;
        }
        forceLock.lock();
        try {
          if (!stopping && unforced && !log.isFailed()) {
            unforced = false; // bytes written from here on are flagged again and forced next time
            active.forceLog();
            lastForceNanos = time.nanoTime();
          }
        } catch (IOException | RuntimeException e) {
          log.fail(e);
        } finally {
          forceLock.unlock();
        }
      }
    }
  }
}
