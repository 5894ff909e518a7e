package dev.herald;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/** A timer on one thread of its own, delays by {@link System#nanoTime()}. */
final class SystemTimer implements TimeSource.Timer {
  private final ScheduledThreadPoolExecutor executor;

  SystemTimer(ThreadFactory threads) {
    executor = new ScheduledThreadPoolExecutor(1, threads);
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
    return executor.awaitTermination(timeout, unit);
  }

  /** Tasks waiting to run; for tests. */
  int queued() {
    return executor.getQueue().size();
  }
}
