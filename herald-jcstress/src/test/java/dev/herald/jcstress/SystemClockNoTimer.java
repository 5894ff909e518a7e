package dev.herald.jcstress;

import dev.herald.TimeSource;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The system's clock, and a timer that starts no thread: a stress test makes a bus per state, by
 * the million, and never closes them, so its buses must own no thread. Their subscriptions never
 * retry, so nothing is ever scheduled; a schedule is refused, so that a test that does schedule
 * fails loudly instead of waiting.
 */
final class SystemClockNoTimer implements TimeSource {
  static final SystemClockNoTimer INSTANCE = new SystemClockNoTimer();

  @Override
  public long epochMillis() {
    return TimeSource.system().epochMillis();
  }

  @Override
  public long nanoTime() {
    return TimeSource.system().nanoTime();
  }

  @Override
  public Timer newTimer(ThreadFactory threads) {
    return new Timer() {
      @Override
      public Future<?> schedule(Runnable task, long delayNanos) {
        throw new RejectedExecutionException("this test's buses schedule nothing");
      }

      @Override
      public void shutdown() {}

      @Override
      public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
      }
    };
  }
}
