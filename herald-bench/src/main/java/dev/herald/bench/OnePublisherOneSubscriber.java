package dev.herald.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** One thread publishes; one subscription receives every event (1→1). */
@State(Scope.Benchmark)
public class OnePublisherOneSubscriber extends BusBenchmark {
  private long sent;

  @Override
  int publishers() {
    return 1;
  }

  @Override
  int subscribers() {
    return 1;
  }

  @Benchmark
  @OperationsPerInvocation(Harness.EVENTS_PER_OP)
  public long deliver() {
    sent = harness.deliverBatch(0, sent);
    return sent;
  }
}
