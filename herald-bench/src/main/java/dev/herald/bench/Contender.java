package dev.herald.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One event bus under test, set up for one topology: its subscribers registered, its threads
 * started. {@link #publish} may be called from as many threads as the topology has publishers.
 */
public interface Contender extends AutoCloseable {
  /** Hands one tick to the bus; returns once the bus has accepted it (or delivered it, if sync). */
  void publish(Tick tick);

  /** Stops the bus and every thread it started. */
  @Override
  void close();

  /** Stops a pool a contender made, interrupting its tasks, and waits a little for its threads. */
  static void shutDown(ExecutorService pool) {
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
