package dev.herald.server.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * Gathers the streams that have frames to write and hands them to the writer pool once per {@link
 * #LINGER_MILLIS}, in one task per writer thread: so that a stream's frames of the same few
 * milliseconds go out in one write, and a thousand streams cost a few tasks per tick rather than
 * one per stream per event (Kafka's {@code linger.ms}, for the same reason: syscalls, not bytes,
 * are what a fan-out runs out of). Delivery waits at most one tick for it.
 *
 * <p>Threads: {@link #add} from any thread; {@link #tick} on the gateway's timer thread. Each
 * stream is in the queue at most once (it tracks that itself), so the queue is bounded by the open
 * streams.
 */
final class SseFlusher {
  static final long LINGER_MILLIS = 3;

  private final ConcurrentLinkedQueue<SseConnection> dirty = new ConcurrentLinkedQueue<>();
  private final Executor writers;
  private final int threads;

  SseFlusher(Executor writers, int threads) {
    this.writers = writers;
    this.threads = threads;
  }

  void add(SseConnection c) {
    dirty.add(c);
  }

  /** Hands the streams gathered since the last tick to the writers. */
  void tick() {
    if (dirty.isEmpty()) {
      return;
    }
    List<List<SseConnection>> shares = new ArrayList<>(threads);
    for (int i = 0; i < threads; i++) {
      shares.add(new ArrayList<>());
    }
    int i = 0;
    SseConnection c;
    while ((c = dirty.poll()) != null) {
      shares.get(i++ % threads).add(c);
    }
    for (List<SseConnection> share : shares) {
      if (!share.isEmpty()) {
        writers.execute(
            () -> {
              for (SseConnection s : share) {
                s.writeAvailable();
              }
            });
      }
    }
  }
}
