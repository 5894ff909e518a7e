package dev.herald.internal;

import dev.herald.CloseReport;
import dev.herald.TimeSource;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Closes a bus: refuses new publishes and subscriptions, lets what is in flight drain within the
 * timeout, then abandons the rest (counted as undelivered), stops the bus's threads and closes the
 * transport. Runs on the thread that calls close, possibly a handler of this bus; closing twice
 * returns the first report. Lanes call {@link #laneIdle} from their drainer threads to wake it.
 */
final class Closer {
  /** How long close waits at most between two looks at the lanes, should a wake-up be missed. */
  private static final long LOOK_AGAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Engine engine;
  private final TimeSource time;
  private final Lifecycle life;
  private final Subscriptions subscriptions;
  private final PublishGate gate;
  private final Requests requests;
  private final TimeSource.Timer timer;
  private final WorkerPool ownedExecutor;
  private final Transport transport;

  // Held for the whole close, so that a concurrent close waits for the first one's report.
  private final Object closeLock = new Object();
  private CloseReport closeReport;
  // Lanes going idle notify it while close waits for them to drain.
  private final Object idleMonitor = new Object();

  Closer(
      Engine engine,
      TimeSource time,
      Lifecycle life,
      Subscriptions subscriptions,
      PublishGate gate,
      Requests requests,
      TimeSource.Timer timer,
      WorkerPool ownedExecutor,
      Transport transport) {
    this.engine = engine;
    this.time = time;
    this.life = life;
    this.subscriptions = subscriptions;
    this.gate = gate;
    this.requests = requests;
    this.timer = timer;
    this.ownedExecutor = ownedExecutor;
    this.transport = transport;
  }

  /** Called by a lane that went idle; wakes close() if it waits for the lanes to drain. */
  void laneIdle() {
    if (life.isClosed()) {
      synchronized (idleMonitor) {
        idleMonitor.notifyAll();
      }
    }
  }

  CloseReport close(Duration timeout) {
    synchronized (closeLock) {
      if (closeReport != null) {
        return closeReport;
      }
      // Read first: the timeout counts from the call, however long closing to new work takes.
      long deadline = Durations.saturatedAdd(time.nanoTime(), Durations.saturatedNanos(timeout));
      subscriptions.closeToNew();
      for (SubscriptionImpl s : subscriptions.draining()) {
        for (Lane lane : s.lanes) {
          lane.wakeWaiters();
        }
      }
      // Stop taking stored events; what is queued still drains. A feed's close may also wait for
      // the events it fed to be finished (Kafka's, up to its own close timeout), and for a stuck
      // handler's that wait ends only once this close leaves them behind, past its timeout; so the
      // feeds close side by side on threads of their own, waited for up to the deadline here and
      // to the end before the transport closes.
      for (SubscriptionImpl s : subscriptions.draining()) {
        Transport.Feed feed = s.feed;
        if (feed != null) {
          subscriptions.closeAside(s, feed);
        }
      }
      awaitFeeds(subscriptions.feedsClosing(), deadline);
      // Publishers already inside publish() finish routing before draining is judged.
      gate.awaitNoneInside(() -> time.nanoTime() < deadline);
      // Called by a handler of this bus: its own lane cannot drain while it waits here.
      Lane caller = Lane.CURRENT.get();
      if (caller != null && caller.sub.engine != engine) {
        caller = null;
      }
      boolean drained = awaitQuiet(deadline, caller);
      life.markAbandoned();
      timer.shutdown();
      boolean threadsStopped =
          stopOwnedExecutor(deadline, caller != null && caller.executor == ownedExecutor);
      Map<String, Long> undelivered = new LinkedHashMap<>();
      for (SubscriptionImpl s : subscriptions.draining()) {
        long left = 0;
        for (Lane lane : s.lanes) {
          left += lane.abandon();
        }
        if (left > 0) {
          undelivered.merge(s.name, left, Long::sum);
        }
      }
      requests.failPending();
      try {
        threadsStopped &= timer.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        threadsStopped = false;
      }
      // The lanes have left behind what they held: no feed waits for an event any more. Joined
      // with these: the feeds a handler's close of its own subscription set closing.
      threadsStopped &= awaitFeeds(subscriptions.feedsClosing(), Long.MAX_VALUE);
      if (transport != null) {
        transport.close();
      }
      closeReport = new CloseReport(drained && undelivered.isEmpty(), undelivered, threadsStopped);
      return closeReport;
    }
  }

  /**
   * Waits for the feeds' closing threads to end, up to {@code deadline} by the bus's clock (as a
   * wait in real time: threads end in real time). True when all have ended.
   */
  private boolean awaitFeeds(List<Thread> closing, long deadline) {
    try {
      for (Thread t : closing) {
        if (deadline == Long.MAX_VALUE) {
          t.join();
        } else {
          long left = deadline - time.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedJoin(t, left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Thread t : closing) {
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** Whether every lane but {@code except} (null for none) is quiet. */
  private boolean allQuiet(Lane except) {
    for (SubscriptionImpl s : subscriptions.draining()) {
      for (Lane lane : s.lanes) {
        if (lane != except && !lane.isQuiet()) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean awaitQuiet(long deadline, Lane except) {
    synchronized (idleMonitor) {
      while (!allQuiet(except)) {
        long now = time.nanoTime();
        if (now >= deadline) {
          return false;
        }
        try {
          time.waitUntil(
              idleMonitor, Math.min(deadline, Durations.saturatedAdd(now, LOOK_AGAIN_NANOS)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Stops the bus's own pool. {@code fromPool}: the caller is one of its threads (a handler called
   * close), which ends only once its handler returns, so only the others are waited for.
   */
  private boolean stopOwnedExecutor(long deadline, boolean fromPool) {
    if (ownedExecutor == null) {
      return true;
    }
    ownedExecutor.shutdown();
    try {
      // What is left of the close timeout, by the bus's clock, bounds a wait in real time: threads
      // end in real time whatever the clock says.
      long remaining = Math.max(deadline - time.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100));
      if (awaitPool(remaining, fromPool)) {
        return true;
      }
      // Handlers still running past the timeout: interrupt them, and give them a moment.
      boolean wasInterrupted = Thread.currentThread().isInterrupted();
      ownedExecutor.shutdownNow();
      if (fromPool && !wasInterrupted) {
        Thread.interrupted(); // shutdownNow interrupted the caller too: it is not being stopped
      }
      return awaitPool(TimeUnit.SECONDS.toNanos(2), fromPool);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private boolean awaitPool(long nanos, boolean fromPool) throws InterruptedException {
    return fromPool
        ? ownedExecutor.awaitOthersEnded(nanos, TimeUnit.NANOSECONDS)
        : ownedExecutor.awaitTermination(nanos, TimeUnit.NANOSECONDS);
  }
}
