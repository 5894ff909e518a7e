package dev.herald.bench.log;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH secondary result {@code fsyncs}: the log's file fsyncs per second during the iteration, so
 * that primary score ÷ {@code fsyncs} is the records each fsync carried. JMH sums the counter over
 * threads, so exactly one thread per trial may {@link #observe}; the others leave theirs at zero.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class FsyncRate {
  /** Fsyncs since the first observation of this iteration; JMH divides it by the iteration time. */
  public long fsyncs;

  private long first;

  @Setup(Level.Iteration)
  public void reset() {
    fsyncs = 0;
    first = -1;
  }

  /** Takes the log's fsync count so far. */
  void observe(long count) {
    if (first < 0) {
      first = count;
    }
    fsyncs = count - first;
  }
}
