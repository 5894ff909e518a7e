package dev.herald.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One thread publishes; four subscriptions each receive every event (1→4 fan-out). The score counts
 * events published and delivered to all four, so four deliveries make one event.
 */
@State(Scope.Benchmark)
public class OnePublisherFourSubscribers extends BusBenchmark {
  private long sent;

  @Override
  int publishers() {
    return 1;
  }

  @Override
  int subscribers() {
    return 4;
  }

  @Benchmark
  @OperationsPerInvocation(Harness.EVENTS_PER_OP)
  public long deliver() {
    sent = harness.deliverBatch(0, sent);
    return sent;
  }
}
