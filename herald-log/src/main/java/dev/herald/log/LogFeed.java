package dev.herald.log;

import dev.herald.Event;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * One durable subscription's feed: owns the thread {@code herald-log-feed-<group>}, which reads the
 * topic from the group's committed offset, decodes each record, and hands what the filter accepts to
 * the sink (which may block: that is backpressure). Acknowledgements arrive on any thread and only
 * advance the {@link AckedPrefix}: the group's offset is committed by the thread
 * {@code herald-log-commit-<group>}, once {@code commitEvery} acknowledgements have accumulated, at
 * least every {@code idleWait} while the prefix moves, and when the feed closes. An acknowledgement
 * never waits for the disk (a commit is an atomic file replace with two fsyncs, and the acknowledging
 * thread is the one delivering the next events). Commits that fail are retried by the next one;
 * delivery stays at least once.
 */
final class LogFeed implements Transport.Feed {
    private final String group;
    private final Log log;
    private final OffsetStore offsets;
    private final EventRecordDescriptor descriptor;
    private final Predicate<Event<?>> filter;
    private final Transport.FeedSink sink;
    private final int commitEvery;
    private final Duration idleWait;
    private final AckedPrefix acked;
    private final Thread thread;
    private final Thread committer;
    // Written by whichever thread commits; an approximate gate for the every-N rule, not a guarantee.
    private volatile long lastCommitted;
    private volatile boolean stopped;
    private volatile LogReader reader;

    LogFeed(String group, Log log, OffsetStore offsets, EventRecordDescriptor descriptor,
            Predicate<Event<?>> filter, Transport.FeedSink sink, int commitEvery, Duration idleWait) {
        this.group = group;
        this.log = log;
        this.offsets = offsets;
        this.descriptor = descriptor;
        this.filter = filter;
        this.sink = sink;
        this.commitEvery = commitEvery;
        this.idleWait = idleWait;
        long start = Math.max(offsets.committed(group, log.name()).orElse(0L), log.startOffset());
        this.acked = new AckedPrefix(start);
        this.lastCommitted = start;
        this.thread = new Thread(this::run, "herald-log-feed-" + group);
        thread.setDaemon(true);
        this.committer = new Thread(this::runCommitter, "herald-log-commit-" + group);
        committer.setDaemon(true);
    }

    void start() {
        thread.start();
        committer.start();
    }

    private void run() {
        long expected = acked.next();
        try (LogReader r = log.reader(expected)) {
            reader = r;
            while (!stopped) {
                Optional<LogRecord> next = r.next(idleWait);
                if (next.isEmpty()) {
                    continue;
                }
                LogRecord record = next.get();
                long offset = record.offset();
                if (offset > expected) {
                    acked.ack(expected, offset); // retention removed these before this group read them
                }
                expected = offset + 1;
                Event<?> event = decode(record);
                if (filter.test(event)) {
                    sink.accept(event, () -> ack(offset));
                } else {
                    ack(offset);
                }
            }
        } catch (InterruptedException e) {
            // Closing: what is not acknowledged is fed again to the next feed of this group.
        }
    }

    private Event<?> decode(LogRecord record) {
        try {
            return descriptor.toEvent(record);
        } catch (RuntimeException e) {
            UndecodableRecord u = new UndecodableRecord(log.name(), record.offset(),
                    e.getClass().getSimpleName() + ": " + e.getMessage());
            return Event.builder(UndecodableRecord.TYPE)
                    .id("undecodable-" + log.name() + "-" + record.offset())
                    .source("/herald/log")
                    .time(Instant.ofEpochMilli(Math.max(0, record.timestamp())))
                    .data(u)
                    .build();
        }
    }

    private void ack(long offset) {
        long prefix = acked.ack(offset, offset + 1);
        if (prefix - lastCommitted >= commitEvery) {
            LockSupport.unpark(committer); // the committer writes it; this thread goes on delivering
        }
    }

    /** The committer's duty cycle: commit when {@link #ack} wakes it, or after {@code idleWait}. */
    private void runCommitter() {
        long idleNanos = idleWait.toNanos();
        while (!stopped) {
            LockSupport.parkNanos(this, idleNanos);
            if (!stopped) {
                commit();
            }
        }
    }

    /** Commits the acknowledged prefix if it moved; safe from any thread (the store ignores stale ones). */
    void commit() {
        long prefix = acked.next();
        if (prefix <= lastCommitted) {
            return;
        }
        try {
            offsets.commit(group, log.name(), prefix);
            lastCommitted = prefix;
        } catch (RuntimeException e) {
            // Not durable yet (I/O error, interrupted, directory closed): the next commit covers it, and
            // until then a restart redelivers, which at-least-once allows.
        }
    }

    /**
     * Stops the feed thread (waking or interrupting it) and the committer, joins both, and commits the
     * acknowledged prefix.
     */
    @Override
    public void close() {
        stopped = true;
        LogReader r = reader;
        if (r != null) {
            r.wakeup();
        }
        thread.interrupt(); // the sink may be blocked waiting for room
        LockSupport.unpark(committer); // never interrupted: that would close the offsets file mid-commit
        try {
            thread.join(10_000);
            committer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commit();
    }
}
