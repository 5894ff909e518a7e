package dev.herald.server.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gathers the streams that have frames to write and hands them to the writer pool in rounds, one
 * task per writer thread per round: so that a stream's frames of the same few milliseconds go out
 * in one write, and a thousand streams cost a few tasks per round rather than one per stream per
 * event (Kafka's {@code linger.ms}, for the same reason: syscalls, not bytes, are what a fan-out
 * runs out of).
 *
 * <p>Rounds are self-clocked: a round starts at a tick (every {@link #LINGER_MILLIS}) once the
 * previous round has ended and the writers have rested {@link #REST_FACTOR} times as long as that
 * round took, at most {@link #MAX_REST_MILLIS}. With a few streams a round takes microseconds and
 * the frames wait at most one tick; with a thousand a round takes milliseconds, so each stream's
 * frames gather for longer and go out in fewer, larger writes. While rounds take less than {@link
 * #MAX_REST_MILLIS}, the writers are thus busy at most half the time whatever the number of
 * streams, and the rest of the cores is left to the tail reader and the clients. (Rounds every tick
 * regardless, as before, kept both cores writing at 1,000 streams: the tail reader and the clients
 * then starved, and latency grew to seconds.)
 *
 * <p>The tail ({@link StreamBroadcaster}) waits for a round to end before it queues more ({@link
 * #awaitRoundEnd}): when the writers fall behind, events wait in the store rather than in the
 * streams' buffers, and go out in larger batches.
 *
 * <p>Threads: {@link #add} from any thread; {@link #tick} on the gateway's timer thread. Each
 * stream is in the queue at most once (it tracks that itself), so the queue is bounded by the open
 * streams.
 */
final class SseFlusher {
  static final long LINGER_MILLIS = 3;

  /** The writers rest this many times as long as their last round took before the next. */
  static final int REST_FACTOR = 1;

  /** The longest rest between two rounds, however long the last took. */
  static final long MAX_REST_MILLIS = 10;

  private static final long MAX_REST_NANOS = MAX_REST_MILLIS * 1_000_000;
  private final ConcurrentLinkedQueue<SseConnection> dirty = new ConcurrentLinkedQueue<>();
  private final Executor writers;
  private final int threads;
  // The round in progress: its shares not yet written; and when the next may start.
  private final AtomicInteger sharesLeft = new AtomicInteger();
  private volatile boolean inRound;
  private final Object roundEnded = new Object();
  private volatile long roundStart;
  private volatile long nextRound = System.nanoTime();

  SseFlusher(Executor writers, int threads) {
    this.writers = writers;
    this.threads = threads;
  }

  void add(SseConnection c) {
    dirty.add(c);
  }

  /**
   * Waits until the writers' round in progress (if any) ended, at most {@code timeoutNanos}: the
   * tail's backpressure, so that it does not queue frames faster than the writers take them.
   */
  void awaitRoundEnd(long timeoutNanos) throws InterruptedException {
    if (!inRound) {
      return;
    }
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (roundEnded) {
      long left;
      while (inRound && (left = deadline - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(roundEnded, left);
      }
    }
  }

  /** Hands the streams gathered since the last round to the writers, if it is time. */
  void tick() {
    long now = System.nanoTime();
    if (inRound || dirty.isEmpty() || now - nextRound < 0) {
      return;
    }
    List<List<SseConnection>> shares = new ArrayList<>(threads);
    for (int i = 0; i < threads; i++) {
      shares.add(new ArrayList<>());
    }
    int i = 0;
    SseConnection c;
    while ((c = dirty.poll()) != null) {
      shares.get(i++ % threads).add(c);
    }
    int n = Math.min(i, threads);
    roundStart = now;
    sharesLeft.set(n);
    inRound = true;
    for (int k = 0; k < n; k++) {
      List<SseConnection> share = shares.get(k);
      writers.execute(
          () -> {
            try {
              for (SseConnection s : share) {
                s.writeAvailable();
              }
            } finally {
              if (sharesLeft.decrementAndGet() == 0) {
                long end = System.nanoTime();
                long rest = Math.min(REST_FACTOR * (end - roundStart), MAX_REST_NANOS);
                nextRound = end + rest;
                synchronized (roundEnded) {
                  inRound = false;
                  roundEnded.notifyAll();
                }
              }
            }
          });
    }
  }
}
