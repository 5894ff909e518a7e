package dev.herald.server.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's Server-Sent Events stream: a bounded buffer of frames and a non-blocking writer.
 *
 * <p>Threads: frames are offered from any thread (the tail broadcaster, a catch-up task, a group's
 * feed thread, the heartbeat timer); offering only queues a frame and never writes. Writing is done
 * with the servlet's non-blocking output ({@link WriteListener}): by a thread of the gateway's
 * small writer pool at the {@link SseFlusher}'s next round after an offer (at once when the buffer
 * passes half full), or by a Jetty thread when the socket can take more after it could not. No
 * thread ever blocks on a slow socket: when the socket cannot take more, the writer returns and the
 * frames wait in the buffer. Every state change is under this object's monitor.
 *
 * <p>Bounded: at most {@code maxBufferedBytes} wait here. A broadcast frame that does not fit
 * closes the stream, counted as {@link GatewayStats#STREAM_CUT_OFF} (the client fell too far
 * behind; it reconnects with its last id and catches up with a cursor of its own); a catch-up
 * reader instead waits until the buffer drained ({@link #whenDrained}); a group's feed waits for
 * room a bounded time ({@link #offerWaiting}).
 *
 * <p>Acknowledgements: a frame may carry one (a group's event), run only once the connection proved
 * alive after the frame was flushed to the socket: once a later flush, issued at least {@link
 * #CONFIRM_AFTER_MILLIS} after the frame's, succeeded. A write into a socket whose peer already
 * closed succeeds once (the kernel takes the bytes; the peer answers with a reset), and the next
 * one fails: so a frame flushed into a dead connection is never acknowledged. When no later write
 * comes in that time, one small probe (an SSE comment line, {@link #PROBE}) is queued, at most one
 * per burst of frames waiting for confirmation: no timer per event. When the stream closes first,
 * the acknowledgements of frames not yet confirmed are never run; the group feeds those events
 * again.
 *
 * <p>Limit: a stream may be given a number of events ({@code limit=N}): the first N event frames
 * offered are queued, later ones refused; once the last was flushed and its acknowledgements (if
 * any) were confirmed, the stream closes itself. Notices ({@code retry:}, {@code herald.gap}),
 * heartbeats and probes do not count.
 */
final class SseConnection implements WriteListener {
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.streams");

  /**
   * How long after a flush a later successful flush proves the connection was alive at that flush:
   * longer than a round trip (a peer that closed answers the first write after its close with a
   * reset, which must have arrived before the proving write), short enough that a group's position
   * follows its streams closely and a leaver's events go to the others soon.
   */
  static final long CONFIRM_AFTER_MILLIS = 250;

  /** The probe: an SSE comment line, which every client ignores. */
  static final byte[] PROBE = ":\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static final long CONFIRM_AFTER_NANOS =
      TimeUnit.MILLISECONDS.toNanos(CONFIRM_AFTER_MILLIS);

  /** A frame; {@code event}: counts toward the stream's limit. */
  private record Frame(byte[] bytes, Runnable ack, boolean event) {}

  /** The acknowledgements of frames flushed together, when that flush completed. */
  private record Burst(long flushedNanos, List<Runnable> acks) {}

  private final String principal;
  private final GatewayStats stats;
  private final Executor writers;
  private final SseFlusher flusher;
  private final ScheduledExecutorService timer;
  private final long maxBufferedBytes;
  private final long limit; // events; Long.MAX_VALUE: none
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final List<Runnable> closeListeners = new CopyOnWriteArrayList<>();
  // Two locks, so that an offer never waits for a socket write: queueLock guards the queue and the
  // flags below it, held only for moments; this object's monitor is the writer's (one at a time,
  // through the whole write), taken before queueLock when both are needed.
  private final Object queueLock = new Object();
  private final ArrayDeque<Frame> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean awaitingCallback = true; // the container calls onWritePossible once at start
  private boolean scheduled;
  private boolean urgent;
  private volatile boolean closed;
  private String closeReason;
  private Runnable drainedTask;
  private long eventsQueued;
  // The writer's own, guarded by this.
  private List<Runnable> writtenAcks = new ArrayList<>(); // written since the last flush
  private List<Runnable> flushingAcks = new ArrayList<>(); // carried by the flush in progress
  private long flushIssuedNanos;
  private final ArrayDeque<Burst> unconfirmed = new ArrayDeque<>();
  private boolean probeScheduled;
  private long eventsWritten;
  private ServletOutputStream out;
  private boolean flushing;
  private boolean wroteSinceFlush;

  SseConnection(
      String principal,
      GatewayStats stats,
      Executor writers,
      SseFlusher flusher,
      long maxBufferedBytes) {
    this(principal, stats, writers, flusher, null, maxBufferedBytes, Long.MAX_VALUE);
  }

  /**
   * @param timer schedules the probes that confirm acknowledged frames; null when no frame will
   *     carry an acknowledgement
   * @param limit the most events this stream writes before it ends; {@code Long.MAX_VALUE}: none
   */
  SseConnection(
      String principal,
      GatewayStats stats,
      Executor writers,
      SseFlusher flusher,
      ScheduledExecutorService timer,
      long maxBufferedBytes,
      long limit) {
    this.principal = principal;
    this.stats = stats;
    this.writers = writers;
    this.flusher = flusher;
    this.timer = timer;
    this.maxBufferedBytes = maxBufferedBytes;
    this.limit = limit;
  }

  /** Whether this stream ends after a number of events: its events must be offered one by one. */
  boolean limited() {
    return limit != Long.MAX_VALUE;
  }

  String principal() {
    return principal;
  }

  /** Completes when the stream ended, for whatever reason. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** Runs {@code r} once when the stream closes (at once, on this thread, if it already did). */
  void onClose(Runnable r) {
    closeListeners.add(r);
    if (closed && closeListeners.remove(r)) {
      r.run();
    }
  }

  /** Starts writing to {@code output}; the request must be in async mode. */
  void start(ServletOutputStream output) {
    synchronized (this) {
      this.out = output;
    }
    output.setWriteListener(this);
  }

  /**
   * Queues a frame; a full buffer closes the stream (the client is too far behind).
   *
   * @return false if the stream is closed or closes now
   */
  boolean offer(byte[] frame) {
    return offer(frame, null, false, false);
  }

  /**
   * Queues one event's frame from the tail, for a {@link #limited} stream; refused (false, the
   * stream stays open) once the limit's events were queued.
   */
  boolean offerEvent(byte[] frame) {
    return offer(frame, null, false, true);
  }

  /**
   * Queues an event's frame whatever the buffer holds: for a catch-up reader that checked {@link
   * #hasRoom}. Refused once a limit's events were queued.
   */
  boolean offerCatchUpEvent(byte[] frame) {
    return offer(frame, null, true, true);
  }

  /**
   * Queues a frame that is not an event ({@code retry:}, a gap notice) whatever the buffer holds.
   */
  boolean offerCatchUp(byte[] frame) {
    return offer(frame, null, true, false);
  }

  private boolean offer(byte[] frame, Runnable ack, boolean evenIfFull, boolean event) {
    synchronized (queueLock) {
      if (closed || closeReason != null) {
        return false; // closed, or closing for falling behind
      }
      if (event && eventsQueued >= limit) {
        return false; // the limit's events are queued: the stream ends once they are written
      }
      if (evenIfFull || queuedBytes + frame.length <= maxBufferedBytes) {
        queue.add(new Frame(frame, ack, event));
        queuedBytes += frame.length;
        if (event) {
          eventsQueued++;
        }
        if (!awaitingCallback) {
          if (!scheduled) {
            scheduled = true;
            flusher.add(this); // written at the flusher's next round, with what comes until then
          }
          if (!urgent && queuedBytes > maxBufferedBytes / 2) {
            urgent = true; // half full: written now, not at the next round
            writers.execute(() -> write(false));
          }
        }
        return true;
      }
      closeReason = "fell too far behind";
    }
    stats.count(GatewayStats.STREAM_CUT_OFF);
    writers.execute(() -> close("fell too far behind: more than " + maxBufferedBytes + " bytes"));
    return false;
  }

  /**
   * Queues a frame whose {@code ack} runs once it is written, waiting up to {@code timeoutNanos}
   * for room; on timeout the stream is closed as too slow.
   *
   * @return false if the stream is closed or has queued its limit's events (the frame was not
   *     queued, {@code ack} will never run)
   */
  boolean offerWaiting(byte[] frame, Runnable ack, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (queueLock) {
      if (eventsQueued >= limit) {
        return false;
      }
      while (!closed && queuedBytes > 0 && queuedBytes + frame.length > maxBufferedBytes) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(queueLock, left); // the writer notifies as it drains
      }
      if (!closed && (queuedBytes == 0 || queuedBytes + frame.length <= maxBufferedBytes)) {
        return offer(frame, ack, true, true);
      }
    }
    if (!closed) {
      stats.count(GatewayStats.STREAM_CUT_OFF);
    }
    close("fell too far behind: its buffer stayed full");
    return false;
  }

  /** Whether a catch-up reader may queue more: the buffer is less than half full. */
  boolean hasRoom() {
    synchronized (queueLock) {
      return !closed && eventsQueued < limit && queuedBytes < maxBufferedBytes / 2;
    }
  }

  /**
   * Runs {@code task} on the writer pool once the buffer drained to a quarter (at once if it has),
   * unless the stream closes first.
   */
  void whenDrained(Runnable task) {
    synchronized (queueLock) {
      if (closed || eventsQueued >= limit) {
        return; // a limited stream that queued its events reads no more
      }
      if (queuedBytes > maxBufferedBytes / 4) {
        drainedTask = task;
        return;
      }
    }
    writers.execute(task);
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void onWritePossible() {
    synchronized (this) {
      synchronized (queueLock) {
        awaitingCallback = false;
      }
    }
    write(false);
  }

  @Override
  public void onError(Throwable t) {
    close("the connection failed: " + t);
  }

  /** Writes what is queued for as long as the socket takes it, without blocking. */
  void writeAvailable() {
    write(true);
  }

  /**
   * Writes what is queued; {@code fromRound}: called for the flusher's round, after which this
   * stream is no longer in its queue (not so for a half-full buffer's write, which leaves it
   * there).
   */
  private void write(boolean fromRound) {
    List<Runnable> acks = null;
    Runnable drained = null;
    Throwable failure = null;
    boolean finished = false;
    synchronized (this) {
      try {
        while (true) {
          synchronized (queueLock) {
            if (fromRound) {
              scheduled = false;
            }
            urgent = false;
            if (closed || awaitingCallback || out == null) {
              break;
            }
          }
          if (!out.isReady()) {
            synchronized (queueLock) {
              awaitingCallback = true; // the container calls onWritePossible when it can write
            }
            break;
          }
          if (flushing) {
            flushing = false;
            acks = flushed(acks);
          }
          Frame next;
          synchronized (queueLock) {
            next = queue.poll();
            if (next != null) {
              queuedBytes -= next.bytes.length;
              queueLock.notifyAll(); // offerWaiting waits for room
              if (drainedTask != null && queuedBytes <= maxBufferedBytes / 4) {
                drained = drainedTask;
                drainedTask = null;
              }
            }
          }
          if (next != null) {
            if (next.ack != null) {
              writtenAcks.add(next.ack);
            }
            if (next.event) {
              eventsWritten++;
            }
            // One frame at a time: the container gathers small writes into its own buffer until
            // the flush, so frames are copied once, not first into a batch of ours.
            out.write(next.bytes);
            wroteSinceFlush = true;
          } else if (wroteSinceFlush) {
            wroteSinceFlush = false;
            flushing = true;
            List<Runnable> carried = flushingAcks;
            flushingAcks = writtenAcks;
            writtenAcks = carried;
            flushIssuedNanos = System.nanoTime();
            out.flush();
          } else {
            break;
          }
        }
        if (!closed && out != null) {
          scheduleProbe();
          // A limited stream ends once its last event is flushed and, for a group, confirmed.
          finished =
              eventsWritten >= limit
                  && !flushing
                  && !wroteSinceFlush
                  && writtenAcks.isEmpty()
                  && flushingAcks.isEmpty()
                  && unconfirmed.isEmpty();
        }
      } catch (IOException | RuntimeException e) {
        failure = e;
      }
    }
    if (failure != null) {
      close("the client went away: " + failure);
      return;
    }
    if (acks != null) {
      for (Runnable a : acks) {
        a.run();
      }
    }
    if (drained != null) {
      writers.execute(drained);
    }
    if (finished) {
      close("its limit of " + limit + " events was written");
    }
  }

  /**
   * The flush in progress completed: it proves the connection alive for the bursts flushed at least
   * {@link #CONFIRM_AFTER_MILLIS} before it was issued, whose acknowledgements are added to {@code
   * acks} (returned); what it carried waits for a later proof. The writer's, under this.
   */
  private List<Runnable> flushed(List<Runnable> acks) {
    while (!unconfirmed.isEmpty()
        && flushIssuedNanos - unconfirmed.peekFirst().flushedNanos >= CONFIRM_AFTER_NANOS) {
      acks = acks == null ? new ArrayList<>() : acks;
      acks.addAll(unconfirmed.pollFirst().acks);
    }
    if (!flushingAcks.isEmpty()) {
      unconfirmed.addLast(new Burst(System.nanoTime(), flushingAcks));
      flushingAcks = new ArrayList<>();
    }
    return acks;
  }

  /**
   * Schedules the probe for the oldest burst waiting for confirmation, unless one is scheduled: one
   * timer task per stream at a time. The writer's, under this.
   */
  private void scheduleProbe() {
    if (probeScheduled || unconfirmed.isEmpty() || timer == null) {
      return;
    }
    long due = unconfirmed.peekFirst().flushedNanos + CONFIRM_AFTER_NANOS - System.nanoTime();
    probeScheduled = true;
    try {
      timer.schedule(this::probe, Math.max(0, due), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      probeScheduled = false; // the gateway is closing: its streams end without confirmation
    }
  }

  /**
   * On the timer: the oldest unconfirmed burst is due for proof. Queues the probe unless a flush
   * issued late enough already confirmed it; the write it causes schedules the next probe if
   * needed.
   */
  private void probe() {
    synchronized (this) {
      probeScheduled = false;
      if (closed || unconfirmed.isEmpty()) {
        return;
      }
      long due = unconfirmed.peekFirst().flushedNanos + CONFIRM_AFTER_NANOS - System.nanoTime();
      if (due > 0) {
        scheduleProbe(); // confirmed meanwhile by a later write; a newer burst waits
        return;
      }
    }
    offer(PROBE, null, true, false);
  }

  /**
   * Ends the stream: frames still queued are dropped, and so are the acknowledgements of frames
   * written but not yet confirmed (they never run: the group feeds those events again); the close
   * listeners run, and the response completes. Idempotent; any thread.
   */
  void close(String reason) {
    synchronized (queueLock) {
      if (closed) {
        return;
      }
      closed = true;
      if (closeReason == null) {
        closeReason = reason;
      }
      // Frames not yet taken by the writer are dropped, their acknowledgements never run; nor do
      // those of frames written and not yet confirmed by a later write (the writer stops here).
      queue.clear();
      queuedBytes = 0;
      drainedTask = null;
      queueLock.notifyAll();
    }
    LOG.debug("stream of {} closed: {}", principal, reason);
    for (Runnable r : closeListeners) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("closing a stream of {} failed", principal, e);
      }
    }
    closeListeners.clear();
    done.complete(null);
  }

  String closeReason() {
    synchronized (queueLock) {
      return closeReason;
    }
  }
}
