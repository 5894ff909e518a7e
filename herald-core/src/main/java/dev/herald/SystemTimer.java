package dev.herald;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/** A timer on one thread of its own, delays by {@link System#nanoTime()}. */
final class SystemTimer implements TimeSource.Timer {
  private final ScheduledThreadPoolExecutor executor;
  // The threads the executor made, so that awaitTermination can say they have ended, not only that
  // they are about to.
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  SystemTimer(ThreadFactory factory) {
    executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = factory.newThread(r);
              threads.add(t);
              return t;
            });
    // A cancelled task (a request answered long before its timeout) leaves the queue at once.
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public Future<?> schedule(Runnable task, long delayNanos) {
    return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {
    executor.shutdownNow();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    if (!executor.awaitTermination(timeout, unit)) {
      return false;
    }
    // The executor counts as terminated just before its thread returns: wait for that too.
    for (Thread t : threads) {
      long remaining = deadline - System.nanoTime();
      if (remaining > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, remaining);
      }
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** Tasks waiting to run; for tests. */
  int queued() {
    return executor.getQueue().size();
  }
}
