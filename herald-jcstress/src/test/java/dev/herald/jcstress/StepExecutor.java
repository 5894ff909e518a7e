package dev.herald.jcstress;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * An executor that only records what it is handed: a bus built on it runs a lane's drain when, and
 * on whichever thread, a test takes the run and calls it. So a stress test puts a drain on one
 * actor and a publish on another, and the arbiter runs whatever the race left scheduled.
 */
final class StepExecutor implements Executor {
  private final ConcurrentLinkedQueue<Runnable> runs = new ConcurrentLinkedQueue<>();

  @Override
  public void execute(Runnable run) {
    runs.add(run);
  }

  /** The oldest run handed over and not yet taken, or null. */
  Runnable take() {
    return runs.poll();
  }

  /** Runs, on the calling thread, everything handed over until nothing is left. */
  void runAll() {
    Runnable r;
    while ((r = runs.poll()) != null) {
      r.run();
    }
  }
}
