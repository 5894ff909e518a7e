package dev.herald.log.internal;

import dev.herald.log.FileLayer;
import dev.herald.log.FlushPolicy;
import dev.herald.log.LogOptions;
import dev.herald.log.LogRecord;
import dev.herald.TimeSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The single thread that owns a topic's files. Duty cycle: take whatever requests are queued (blocking
 * only when idle), encode the appends into one buffer, write it, force per {@link FlushPolicy}, publish
 * the new end offset, complete the futures, then apply retention. Appenders queued together share one
 * write and one fsync (group commit).
 *
 * <p>Failure: an {@link IOException} from a write or fsync fails the futures of every record not yet
 * durable with that exception and puts the log in the failed state; later requests fail with
 * {@link dev.herald.log.LogFailedException}. Nothing is retried: after a failed fsync the page cache may
 * have dropped the data, so success can never be assumed.
 *
 * <p>Future callbacks attached with non-async methods run on this thread; they must be short.
 */
final class LogWriter {
    /** A request queued for the writer. */
    sealed interface Request permits Append, Flush, Barrier, Close {
    }

    record Append(LogRecord record, int size, CompletableFuture<Long> future) implements Request {
    }

    record Flush(CompletableFuture<Void> future) implements Request {
    }

    /** Completes with the appends queued before it, as durable as they are: forces nothing itself. */
    record Barrier(CompletableFuture<Void> future) implements Request {
    }

    record Close(CompletableFuture<Void> future) implements Request {
    }

    private static final int MAX_BATCH = 4096;

    private final SegmentedLog log;
    private final LogOptions options;
    private final FileLayer files;
    private final TimeSource time;
    private final FlushPolicy policy;
    private final ArrayBlockingQueue<Request> queue;
    private final List<Request> batch = new ArrayList<>();
    private final List<Append> unacked = new ArrayList<>();
    private final List<Long> unackedOffsets = new ArrayList<>();
    private Thread thread;

    // Everything below is owned by the writer thread.
    private Segment active;
    private long nextOffset;
    private ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
    private long bufferFilePosition;
    private boolean unforced;
    private long lastForceNanos;
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
    }

    void start(String threadName) {
        thread = new Thread(this::run, threadName);
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
                Request first = policy.kind() == FlushPolicy.Kind.INTERVAL && unforced
                        ? queue.poll(nanosUntilIntervalFlush(), TimeUnit.NANOSECONDS)
                        : queue.take();
                batch.clear();
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                }
                doWork(batch);
            } catch (InterruptedException e) {
                // Nobody interrupts this thread on purpose; keep serving until a Close arrives.
                Thread.interrupted();
            } catch (RuntimeException | Error e) {
                failAll(e);
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
                }
            } else if (r instanceof Flush) {
                forceRequested = true;
            } else if (r instanceof Close c) {
                forceRequested = true;
                close = c;
            }
        }
        if (!log.isFailed()) {
            try {
                writeBuffer();
                boolean force = policy.kind() == FlushPolicy.Kind.ALWAYS || forceRequested
                        || (policy.kind() == FlushPolicy.Kind.INTERVAL && intervalElapsed());
                if (force && unforced) {
                    active.forceLog();
                    unforced = false;
                    lastForceNanos = time.nanoTime();
                }
                commit();
                applyRetention();
                if (close != null) {
                    active.seal();
                    RecoveryPoint.write(files, log.dir(), nextOffset);
                }
            } catch (IOException e) {
                failAll(e);
            }
        }
        for (Request r : requests) {
            CompletableFuture<Void> waiter = r instanceof Flush f ? f.future()
                    : r instanceof Barrier b ? b.future() : null;
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
        long timestamp = a.record().timestamp() == LogRecord.NO_TIMESTAMP ? now : a.record().timestamp();
        long position = bufferFilePosition + buffer.position();
        RecordCodec.encode(a.record(), nextOffset, timestamp, buffer);
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
            unforced = true;
        }
        active.writePendingIndexEntries();
    }

    /** Seals the active segment (forcing it, which makes its records durable) and starts a new one. */
    private void roll() throws IOException {
        writeBuffer();
        active.seal();
        unforced = false;
        lastForceNanos = time.nanoTime();
        commit();
        Segment next = Segment.create(files, log.dir(), nextOffset, options.indexIntervalBytes());
        files.forceDirectory(log.dir());
        List<Segment> list = new ArrayList<>(log.segments());
        list.add(next);
        log.publishSegments(list); // after commit(): a reader that sees the new segment sees the old one final
        active = next;
        bufferFilePosition = 0;
        RecoveryPoint.write(files, log.dir(), next.baseOffset);
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
        if (options.retentionBytes() == Long.MAX_VALUE && options.retentionAgeMillis() == Long.MAX_VALUE) {
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
            boolean tooOld = options.retentionAgeMillis() != Long.MAX_VALUE
                    && now - oldest.maxTimestamp() > options.retentionAgeMillis();
            if (!tooBig && !tooOld) {
                break;
            }
            list.remove(0);
            log.publishSegments(list); // readers stop finding it before its files go
            total -= oldest.committedSize();
            oldest.delete(files);
            deleted = true;
        }
        if (deleted) {
            files.forceDirectory(log.dir());
        }
    }

    private boolean intervalElapsed() {
        return time.nanoTime() - lastForceNanos >= TimeUnit.MILLISECONDS.toNanos(policy.intervalMillis());
    }

    private long nanosUntilIntervalFlush() {
        long remaining = TimeUnit.MILLISECONDS.toNanos(policy.intervalMillis()) - (time.nanoTime() - lastForceNanos);
        return Math.max(remaining, TimeUnit.MILLISECONDS.toNanos(1));
    }

    /** Enters the failed state and fails every record that is not durable. */
    private void failAll(Throwable cause) {
        log.fail(cause);
        for (Append a : unacked) {
            a.future().completeExceptionally(cause);
        }
        unacked.clear();
        unackedOffsets.clear();
        buffer.clear();
    }

    private void shutDown(Close close) {
        running = false;
        IOException closeFailure = null;
        for (Segment s : log.segments()) {
            try {
                s.close();
            } catch (IOException e) {
                closeFailure = e;
            }
        }
        List<Request> leftovers = new ArrayList<>();
        queue.drainTo(leftovers);
        for (Request r : leftovers) {
            IllegalStateException closed = new IllegalStateException("log " + log.name() + " is closed");
            if (r instanceof Append a) {
                a.future().completeExceptionally(closed);
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
}
