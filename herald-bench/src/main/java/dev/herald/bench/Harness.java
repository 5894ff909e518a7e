package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One library set up in one topology for the throughput benchmarks: {@code publishers} publishing
 * threads, {@code subscribers} subscriptions, and an {@link Arrival} for every pair. A benchmark
 * operation publishes a batch of {@value #EVENTS_PER_OP} ticks and returns only once every
 * subscriber has received all of them, so the measured time includes delivery. Thread-safe for one
 * thread per publisher index.
 */
final class Harness implements AutoCloseable {
  /** Ticks published per benchmark operation, by each publisher. */
  static final int EVENTS_PER_OP = 10_000;

  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Contender bus;
  private final Arrival[][] arrivals; // [subscriber][publisher]
  private final Tick[][] batches; // [publisher][i]: distinct objects, built once

  Harness(Library library, int publishers, int subscribers) {
    arrivals = new Arrival[subscribers][publishers];
    List<TickSink> sinks = new ArrayList<>();
    for (int s = 0; s < subscribers; s++) {
      Arrival[] row = arrivals[s];
      for (int p = 0; p < publishers; p++) {
        row[p] = new Arrival();
      }
      sinks.add(tick -> row[tick.publisher].arrive());
    }
    batches = new Tick[publishers][EVENTS_PER_OP];
    for (int p = 0; p < publishers; p++) {
      for (int i = 0; i < EVENTS_PER_OP; i++) {
        batches[p][i] = new Tick(p, 0);
      }
    }
    bus = library.open(publishers, sinks);
  }

  /**
   * Publishes one batch as publisher {@code p} and waits until every subscriber received it.
   *
   * @param sentBefore how many ticks this publisher had published before
   * @return how many it has published now
   */
  long deliverBatch(int p, long sentBefore) {
    long target = sentBefore + EVENTS_PER_OP;
    for (Arrival[] row : arrivals) {
      row[p].expect(target);
    }
    for (Tick tick : batches[p]) {
      bus.publish(tick);
    }
    for (Arrival[] row : arrivals) {
      row[p].await(target, STALL_NANOS);
    }
    return target;
  }

  @Override
  public void close() {
    bus.close();
  }
}
