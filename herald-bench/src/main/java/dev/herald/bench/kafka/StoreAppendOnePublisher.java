package dev.herald.bench.kafka;

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
 * The durable log against a one-node Kafka broker ({@link Store}): one thread appends {@value
 * ScratchLog#PAYLOAD_BYTES}-byte payloads, keeping up to {@value #WINDOW} appends in flight (as the
 * log's own {@code LogAppendOnePublisher}). One invocation appends {@value #APPENDS_PER_OP} records
 * and returns when every one is acknowledged: by the log as its flush policy promises, by the
 * broker with {@code acks=1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreAppendOnePublisher {
  static final int APPENDS_PER_OP = 10_000;
  static final int WINDOW = 4096;

  @Param({Store.LOG_INTERVAL, Store.LOG_ALWAYS, Store.KAFKA_ACKS1})
  public String store;

  private Store target;
  private Window window;
  private byte[] payload;

  @Setup(Level.Trial)
  public void open() {
    target = Store.open(store);
    window = new Window(WINDOW);
    payload = ScratchLog.payload();
  }

  @TearDown(Level.Trial)
  public void close() {
    target.close();
  }

  @Benchmark
  @OperationsPerInvocation(APPENDS_PER_OP)
  public void append() {
    for (int i = 0; i < APPENDS_PER_OP; i++) {
      window.add(target.append(payload));
    }
    window.drain();
  }
}
