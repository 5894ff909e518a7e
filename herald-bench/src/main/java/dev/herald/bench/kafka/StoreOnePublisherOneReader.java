package dev.herald.bench.kafka;

import dev.herald.bench.Arrival;
import dev.herald.bench.log.ScratchLog;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Publish → consume on the durable log and on a one-node Kafka broker ({@link Store}): one thread
 * appends as {@link StoreAppendOnePublisher} does while one reader thread (a {@code LogReader}, or
 * a consumer assigned the partition) counts the records. One invocation appends {@value
 * #APPENDS_PER_OP} records and returns when the reader has counted every one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreOnePublisherOneReader {
  static final int APPENDS_PER_OP = 10_000;
  static final int WINDOW = StoreAppendOnePublisher.WINDOW;
  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);

  @Param({Store.LOG_INTERVAL, Store.LOG_ALWAYS, Store.KAFKA_ACKS1})
  public String store;

  private Store target;
  private Arrival read;
  private Window window;
  private byte[] payload;
  private long appended;

  @Setup(Level.Trial)
  public void open() {
    target = Store.open(store);
    read = new Arrival();
    target.startReader(read);
    window = new Window(WINDOW);
    payload = ScratchLog.payload();
    appended = 0;
  }

  @TearDown(Level.Trial)
  public void close() {
    target.close();
  }

  @Benchmark
  @OperationsPerInvocation(APPENDS_PER_OP)
  public long appendAndRead() {
    long goal = appended + APPENDS_PER_OP;
    read.expect(goal);
    for (int i = 0; i < APPENDS_PER_OP; i++) {
      window.add(target.append(payload));
    }
    window.drain();
    appended = goal;
    read.await(goal, STALL_NANOS);
    return goal;
  }
}
