package dev.herald.examples.shop;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Says on stderr when a run stops making progress, and when it makes progress again, so that a
 * person watching a storefront whose back office died knows what it waits for (not a hang). Watches
 * from a daemon thread of its own; reads the count of ended orders, never blocks the run.
 */
final class StallNotice implements AutoCloseable {
  private final ScheduledExecutorService timer;
  private final LongSupplier ended;
  private final LongSupplier open;
  private final long noticeNanos;
  private final Duration giveUp;
  private final String hint;
  private final PrintStream err;
  // Touched by the timer thread only.
  private long lastEnded = -1;
  private long lastProgressNanos;
  private boolean noticed;

  private StallNotice(
      LongSupplier ended,
      LongSupplier open,
      Duration notice,
      Duration giveUp,
      String hint,
      PrintStream err) {
    this.ended = ended;
    this.open = open;
    this.noticeNanos = notice.toNanos();
    this.giveUp = giveUp;
    this.hint = hint;
    this.err = err;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shop-stall-notice");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts watching: once no order has ended for {@code notice}, prints how long, how many are
   * open, that the run gives up after {@code giveUp} without progress, and {@code hint}; once one
   * ends again, prints that too.
   */
  static StallNotice start(
      LongSupplier ended,
      LongSupplier open,
      Duration notice,
      Duration giveUp,
      String hint,
      PrintStream err) {
    StallNotice n = new StallNotice(ended, open, notice, giveUp, hint, err);
    n.lastProgressNanos = System.nanoTime();
    n.timer.scheduleWithFixedDelay(n::check, 250, 250, TimeUnit.MILLISECONDS);
    return n;
  }

  private void check() {
    long now = System.nanoTime();
    long count = ended.getAsLong();
    if (count != lastEnded) {
      if (noticed) {
        err.printf(
            "herald demo: orders are ending again after %d s%n",
            TimeUnit.NANOSECONDS.toSeconds(now - lastProgressNanos));
        err.flush();
        noticed = false;
      }
      lastEnded = count;
      lastProgressNanos = now;
      return;
    }
    long open = this.open.getAsLong();
    if (!noticed && open > 0 && now - lastProgressNanos >= noticeNanos) {
      err.printf(
          "herald demo: no order has ended for %d s (%d open); giving up after %d s without"
              + " progress. %s%n",
          TimeUnit.NANOSECONDS.toSeconds(now - lastProgressNanos), open, giveUp.toSeconds(), hint);
      err.flush();
      noticed = true;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
