package dev.herald.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * {@link WorkerPool}: no task is stranded. Two submitters race each other and the pool's workers,
 * which go idle (push themselves on the idle stack, then look at the queue again), wake, and end
 * after a keep-alive of one millisecond (so that thread exits and restarts race with submissions
 * too). Every state shares one pool per JVM, so each iteration's submissions meet workers in
 * whatever state the last one left them. In package {@code dev.herald.internal}: the pool is not
 * API.
 */
public final class WorkerPoolStress {
  private WorkerPoolStress() {}

  /** How long the arbiter waits for both tasks: far beyond a hand-off, short of a hang. */
  private static final long WAIT_SECONDS = 10;

  static WorkerPool pool(int threads) {
    return new WorkerPool(
        threads, new NamedThreadFactory("stress-worker", true), 1, TimeUnit.MILLISECONDS, 1024);
  }

  /** One worker: every hand-off goes through the idle stack's single slot. */
  @JCStressTest
  @Outcome(id = "2", expect = Expect.ACCEPTABLE, desc = "both tasks ran")
  @Outcome(expect = Expect.FORBIDDEN, desc = "a task was stranded in the queue")
  @State
  public static class OneWorker {
    static final WorkerPool POOL = pool(1);
    private final CountDownLatch ran = new CountDownLatch(2);

    @Actor
    public void first() {
      POOL.execute(ran::countDown);
    }

    @Actor
    public void second() {
      POOL.execute(ran::countDown);
    }

    @Arbiter
    public void check(I_Result r) {
      r.r1 = awaitBoth(ran);
    }
  }

  /** Two workers: submitters race to wake the top of the stack, one searching at a time. */
  @JCStressTest
  @Outcome(id = "2", expect = Expect.ACCEPTABLE, desc = "both tasks ran")
  @Outcome(expect = Expect.FORBIDDEN, desc = "a task was stranded in the queue")
  @State
  public static class TwoWorkers {
    static final WorkerPool POOL = pool(2);
    private final CountDownLatch ran = new CountDownLatch(2);

    @Actor
    public void first() {
      POOL.execute(ran::countDown);
    }

    @Actor
    public void second() {
      POOL.execute(ran::countDown);
    }

    @Arbiter
    public void check(I_Result r) {
      r.r1 = awaitBoth(ran);
    }
  }

  static int awaitBoth(CountDownLatch ran) {
    try {
      ran.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return (int) (2 - ran.getCount());
  }
}
