package dev.herald.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Four threads publish at once; one subscription receives every event (4→1). Each publisher waits
 * for its own batch only; JMH sums the four threads' scores.
 */
@State(Scope.Benchmark)
@Threads(FourPublishersOneSubscriber.PUBLISHERS)
public class FourPublishersOneSubscriber extends BusBenchmark {
  static final int PUBLISHERS = 4;

  @Override
  int publishers() {
    return PUBLISHERS;
  }

  @Override
  int subscribers() {
    return 1;
  }

  /** What one publishing thread has sent so far. */
  @State(Scope.Thread)
  public static class Sent {
    long count;
  }

  @Benchmark
  @OperationsPerInvocation(Harness.EVENTS_PER_OP)
  public long deliver(Sent sent, ThreadParams thread) {
    sent.count = harness.deliverBatch(thread.getThreadIndex(), sent.count);
    return sent.count;
  }
}
