package dev.herald.internal;

import dev.herald.Event;
import dev.herald.TimeSource;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fields of a {@link Lane}, split by who writes them, with a cache line of padding around each
 * group.
 *
 * <p>Publishers read the first group on every offer (the mailbox, the state word); the draining
 * thread writes the second group on every delivery (its counters, its sampling state). Side by side
 * in one object they would share a cache line, and every delivery would take that line away from
 * the publishing core, costing each offer a miss. HotSpot lays out a superclass's fields before its
 * subclass's and may reorder fields within one class, so the groups are separated by inheritance,
 * as the Disruptor's Sequence and JCTools' queues do, not by field order.
 */
final class LaneFields {
  private LaneFields() {}

  /** Padding before the publisher-read fields, away from whatever the heap put before the lane. */
  abstract static class PadBefore {
    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07;
  }

  /** Read by publishers on every offer; written rarely (state changes, blocked publishers). */
  abstract static class PublisherSide extends PadBefore {
    final SubscriptionImpl sub;
    final Mailbox queue;
    final Executor executor;

    /** IDLE, SCHEDULED, RETRY_WAIT or HELD; through Lane's VarHandle. */
    volatile int state;

    /** The event a HELD lane holds; written by the drainer before it stores HELD. */
    volatile Event<?> heldEvent;

    /**
     * Publishers waiting on {@link #room} for a full mailbox to have room and not yet woken.
     * Written under the monitor; read by the drainer without it.
     */
    volatile int waiters;

    /** Bumped by each wake-up that uncounted the waiters. Under {@link #room}'s monitor. */
    int wakeRound;

    /** The monitor blocked publishers wait on; the drainer signals it. */
    final Object room = new Object();

    // Written by publishers, on rare paths only.
    final AtomicLong droppedOnArrival = new AtomicLong();
    final AtomicLong evicted = new AtomicLong();

    PublisherSide(SubscriptionImpl sub, Mailbox queue, Executor executor) {
      this.sub = sub;
      this.queue = queue;
      this.executor = executor;
    }
  }

  abstract static class PadMiddle extends PublisherSide {
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16, p17;

    PadMiddle(SubscriptionImpl sub, Mailbox queue, Executor executor) {
      super(sub, queue, executor);
    }
  }

  /** Written by the draining thread only, on every delivery; others read the counters. */
  abstract static class DrainerSide extends PadMiddle {
    // Counters published with release stores (delivered) or read as approximate (the rest).
    long delivered;
    long deadLettered;
    long failed;
    long retried;
    long droppedClosed;
    // Calls left until the next timed one, one timed call in how many (by how quick the last timed
    // one was), and whether the last timed one was slow enough to time every call. The first call
    // of a lane is always timed.
    int untimedLeft;
    int sampleEvery = 16;
    boolean timeEveryCall;
    // Whether the lane, found empty, went behind the other queued lanes once already (Lane.drain).
    boolean lingered;
    // The time slice (see Lane.TIME_SLICE_NANOS): deliveries between two reads of the clock and
    // how many are left until the next read, both carried over from turn to turn; whether this
    // turn has read the clock yet, when its slice started and when it last read the clock.
    int checkEvery = Lane.MAX_CHECK_EVERY;
    int checkLeft = Lane.MAX_CHECK_EVERY;
    boolean sliceStarted;
    long sliceStart;
    long lastCheck;
    // Whether the thread in run() still owns the lane: false once it has handed the lane on (went
    // idle, waits for a retry, yielded), so that an error escaping the loop reschedules it only
    // while it is still this thread's to reschedule.
    boolean owned;
    // The event awaiting a retry, and its attempts so far.
    Object retryItem;
    int retryAttempts;
    // Whether retryItem is an event taken while its publisher was still routing it (not a failed
    // one).
    boolean heldForRouting;
    // While a stored event is being handled (or dead-lettered): the store futures of what it
    // publishes on this thread, which must complete before it is acknowledged. Null until needed.
    ArrayList<CompletableFuture<?>> effects;
    boolean collecting;
    final LatencyHistogram latency = new LatencyHistogram();

    /** The bus's clock, read for time slices. */
    final TimeSource clock;

    /** Whether the bus's listener takes every handler call's latency (fixed when it is built). */
    final boolean listenerTimesCalls;

    DrainerSide(SubscriptionImpl sub, Mailbox queue, Executor executor) {
      super(sub, queue, executor);
      this.clock = sub.engine.time();
      this.listenerTimesCalls = sub.engine.listenerTimesHandlers();
    }
  }

  /** Padding after the drainer's fields, away from whatever the heap puts after the lane. */
  abstract static class PadAfter extends DrainerSide {
    @SuppressWarnings("unused")
    private long p20, p21, p22, p23, p24, p25, p26, p27;

    PadAfter(SubscriptionImpl sub, Mailbox queue, Executor executor) {
      super(sub, queue, executor);
    }
  }
}
