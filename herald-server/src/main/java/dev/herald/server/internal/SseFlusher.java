package dev.herald.server.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Gathers the streams that have frames to write and hands them to the writer pool in rounds, one
 * task per writer thread per round: so that a stream's frames queued while the previous round went
 * on go out in one write, and a thousand streams cost a few tasks per round rather than one per
 * stream per event (syscalls, not bytes, are what a fan-out runs out of).
 *
 * <p>Smart batching: a round starts as soon as a stream has something to write and the previous
 * round has ended (rounds never overlap), and takes every stream queued until it starts. No clock
 * paces the rounds; the batching comes from how long the last one took. One rest bounds the
 * writers' share of the CPU: after a round, the next one starts no sooner than half as long as that
 * round took ({@link #REST_DIVISOR}; at most {@link #MAX_REST_MILLIS}), so while rounds are short
 * they are two thirds of the time at most, and the tail reader and the clients keep the rest of the
 * cores. (Against a rest as long as the round, at most 10 ms, at 1,000 clients, in eight runs
 * paired with it: p50 lower in all, p99 in seven, for 10 to 15% more CPU; a quarter, at most 3 ms,
 * cost 30% more CPU and was no better: docs/server.md.) With a hundred streams a round takes a
 * fraction of a millisecond and each event goes out at once; with a thousand a round takes
 * milliseconds, and each stream's frames of that time go out in one write.
 *
 * <p>Wake-ups are per round, not per event: only the offer that finds no round claimed starts one
 * (a stream is in the queue at most once, which it tracks itself); the tail reader holds rounds
 * back while it offers a batch to every stream ({@link #hold}, {@link #release}), so that one round
 * starts with all of them rather than with the first few. Once rounds take {@link
 * #SHORT_ROUND_MILLIS} or more, the tail waits for a round being written to end before it queues
 * more ({@link #awaitRoundEnd}; not for a rest): when the writers fall behind, events wait in the
 * store rather than in the streams' buffers, and go out in larger batches; while rounds are shorter
 * it does not wait, so an event is not held back a round for nothing. (Letting the tail queue one
 * batch during every round, long or short, was measured too: at 1,000 clients the streams then fell
 * behind in the warm-up and did not catch up.)
 *
 * <p>Threads: {@link #add}, {@link #hold}, {@link #release}, {@link #tick} from any thread; a round
 * runs on the writer pool. The queue is bounded by the open streams.
 */
final class SseFlusher {
  /**
   * How often the gateway's timer {@link #tick}s: a safety net only, rounds start on an offer or
   * when the previous ends.
   */
  static final long LINGER_MILLIS = 3;

  /** The writers rest their last round's time divided by this before the next. */
  static final int REST_DIVISOR = 2;

  /** The longest rest between two rounds, however long the last took. */
  static final long MAX_REST_MILLIS = 5;

  /**
   * The tail waits for a round in progress only if the last round took at least this long: short
   * rounds mean the writers keep up, and what the tail queues meanwhile goes out in this round or
   * the next.
   */
  static final long SHORT_ROUND_MILLIS = 5;

  private static final long SHORT_ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(SHORT_ROUND_MILLIS);
  private static final long MAX_REST_NANOS = TimeUnit.MILLISECONDS.toNanos(MAX_REST_MILLIS);
  private final ConcurrentLinkedQueue<SseConnection> dirty = new ConcurrentLinkedQueue<>();
  private final Executor writers;
  private final int threads;
  // A round is claimed from its dispatch, through its rest, to its end, by one task at a time.
  private final AtomicBoolean claimed = new AtomicBoolean();
  private final AtomicInteger holds = new AtomicInteger();
  private final AtomicInteger sharesLeft = new AtomicInteger();
  private final Object roundEnded = new Object();
  private volatile boolean writing;
  private volatile long roundStart;
  private volatile long lastRoundNanos;
  private volatile long nextRound = System.nanoTime();

  SseFlusher(Executor writers, int threads) {
    this.writers = writers;
    this.threads = threads;
  }

  /** Queues a stream that has frames to write; starts a round if none is claimed. */
  void add(SseConnection c) {
    dirty.add(c);
    if (holds.get() == 0) {
      startIfIdle();
    }
  }

  /** Holds rounds back while the caller queues a batch to many streams; {@link #release} after. */
  void hold() {
    holds.incrementAndGet();
  }

  void release() {
    if (holds.decrementAndGet() == 0) {
      startIfIdle();
    }
  }

  /**
   * Waits until the writers' round in progress (if any) ended, at most {@code timeoutNanos}, unless
   * the last round took less than {@link #SHORT_ROUND_MILLIS}: the tail's backpressure, so that it
   * does not queue frames faster than the writers take them.
   */
  void awaitRoundEnd(long timeoutNanos) throws InterruptedException {
    if (!writing || lastRoundNanos < SHORT_ROUND_NANOS) {
      return;
    }
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (roundEnded) {
      long left;
      while (writing && (left = deadline - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(roundEnded, left);
      }
    }
  }

  /** Starts a round if streams wait and none is claimed: a safety net, on the gateway's timer. */
  void tick() {
    startIfIdle();
  }

  private void startIfIdle() {
    if (dirty.isEmpty() || claimed.get() || !claimed.compareAndSet(false, true)) {
      return;
    }
    try {
      writers.execute(this::round);
    } catch (RejectedExecutionException e) {
      claimed.set(false); // the gateway is closing: its streams end without more writes
    }
  }

  /** On a writer thread, with the round claimed: rests if due, then writes every queued stream. */
  private void round() {
    long rest = nextRound - System.nanoTime();
    if (rest > 0) {
      LockSupport.parkNanos(rest); // an unpark only ends the rest early
    }
    List<List<SseConnection>> shares = new ArrayList<>(threads);
    for (int i = 0; i < threads; i++) {
      shares.add(new ArrayList<>());
    }
    int n = 0;
    SseConnection c;
    while ((c = dirty.poll()) != null) {
      shares.get(n++ % threads).add(c);
    }
    int k = Math.min(n, threads);
    if (k == 0) {
      endRound(false);
      return;
    }
    roundStart = System.nanoTime();
    sharesLeft.set(k);
    writing = true;
    for (int i = 1; i < k; i++) {
      List<SseConnection> share = shares.get(i);
      try {
        writers.execute(() -> write(share));
      } catch (RejectedExecutionException e) {
        write(share); // the gateway is closing: this thread writes it
      }
    }
    write(shares.get(0));
  }

  private void write(List<SseConnection> share) {
    try {
      for (SseConnection s : share) {
        s.writeAvailable();
      }
    } finally {
      if (sharesLeft.decrementAndGet() == 0) {
        endRound(true);
      }
    }
  }

  private void endRound(boolean wrote) {
    if (wrote) {
      long end = System.nanoTime();
      long took = end - roundStart;
      lastRoundNanos = took;
      nextRound = end + Math.min(took / REST_DIVISOR, MAX_REST_NANOS);
      synchronized (roundEnded) {
        writing = false;
        roundEnded.notifyAll();
      }
    }
    claimed.set(false);
    if (holds.get() == 0) {
      startIfIdle(); // what was queued during the round: its offers found the round claimed
    }
  }
}
