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
 * <p>Acknowledgements: a frame may carry one, run once the frame was written and flushed to the
 * socket. When the stream closes first, the acknowledgements of unwritten frames are never run.
 */
final class SseConnection implements WriteListener {
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.streams");

  private record Frame(byte[] bytes, Runnable ack) {}

  private final String principal;
  private final GatewayStats stats;
  private final Executor writers;
  private final SseFlusher flusher;
  private final long maxBufferedBytes;
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
  // The writer's own, guarded by this.
  private final List<Runnable> writtenAcks = new ArrayList<>();
  private ServletOutputStream out;
  private boolean flushing;
  private boolean wroteSinceFlush;

  SseConnection(
      String principal,
      GatewayStats stats,
      Executor writers,
      SseFlusher flusher,
      long maxBufferedBytes) {
    this.principal = principal;
    this.stats = stats;
    this.writers = writers;
    this.flusher = flusher;
    this.maxBufferedBytes = maxBufferedBytes;
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
    return offer(frame, null, false);
  }

  /**
   * Queues a frame whatever the buffer holds: for a catch-up reader that checked {@link #hasRoom}.
   */
  boolean offerCatchUp(byte[] frame) {
    return offer(frame, null, true);
  }

  private boolean offer(byte[] frame, Runnable ack, boolean evenIfFull) {
    synchronized (queueLock) {
      if (closed || closeReason != null) {
        return false; // closed, or closing for falling behind
      }
      if (evenIfFull || queuedBytes + frame.length <= maxBufferedBytes) {
        queue.add(new Frame(frame, ack));
        queuedBytes += frame.length;
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
   * @return false if the stream is closed (the frame was not queued, {@code ack} will never run)
   */
  boolean offerWaiting(byte[] frame, Runnable ack, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (queueLock) {
      while (!closed && queuedBytes > 0 && queuedBytes + frame.length > maxBufferedBytes) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(queueLock, left); // the writer notifies as it drains
      }
      if (!closed && (queuedBytes == 0 || queuedBytes + frame.length <= maxBufferedBytes)) {
        return offer(frame, ack, true);
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
      return !closed && queuedBytes < maxBufferedBytes / 2;
    }
  }

  /**
   * Runs {@code task} on the writer pool once the buffer drained to a quarter (at once if it has),
   * unless the stream closes first.
   */
  void whenDrained(Runnable task) {
    synchronized (queueLock) {
      if (closed) {
        return;
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
            if (!writtenAcks.isEmpty()) {
              acks = acks == null ? new ArrayList<>() : acks;
              acks.addAll(writtenAcks);
              writtenAcks.clear();
            }
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
            // One frame at a time: the container gathers small writes into its own buffer until
            // the flush, so frames are copied once, not first into a batch of ours.
            out.write(next.bytes);
            wroteSinceFlush = true;
          } else if (wroteSinceFlush) {
            wroteSinceFlush = false;
            flushing = true;
            out.flush();
          } else {
            break;
          }
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
  }

  /**
   * Ends the stream: frames still queued are dropped (their acknowledgements never run), the close
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
      // Frames not yet taken by the writer are dropped, their acknowledgements never run; those
      // it wrote and flushed are acknowledged still.
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
