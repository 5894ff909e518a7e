package dev.herald.bench.log;

import dev.herald.log.Log;
import dev.herald.log.LogRecord;
import java.util.concurrent.CompletableFuture;
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
 * One thread appends {@value ScratchLog#PAYLOAD_BYTES}-byte records to a log, keeping up to {@value
 * #WINDOW} appends in flight. The score counts acknowledged appends: one invocation appends {@value
 * #APPENDS_PER_OP} records and returns only when the future of the last one has completed (futures
 * complete in append order, so all of them have), i.e. once every record is as durable as the flush
 * policy promises and visible to readers. A refused append (full queue) fails the benchmark; the
 * window keeps that from happening.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LogAppendOnePublisher {
  static final int APPENDS_PER_OP = 10_000;

  /** Half the default append queue capacity (8192): the only appender can never find it full. */
  static final int WINDOW = 4096;

  /** A {@link dev.herald.log.FlushPolicy.Kind} name. */
  @Param({"INTERVAL", "ALWAYS"})
  public String flush;

  /** The fsync interval of {@code INTERVAL}. */
  @Param({"1000"})
  public long intervalMillis;

  private ScratchLog scratch;
  private Log log;
  private byte[] payload;
  private CompletableFuture<?>[] inFlight;
  private long appended;

  @Setup(Level.Trial)
  public void open() {
    scratch = ScratchLog.open(ScratchLog.policy(flush, intervalMillis));
    log = scratch.log();
    payload = ScratchLog.payload();
    inFlight = new CompletableFuture<?>[WINDOW];
    appended = 0;
  }

  @TearDown(Level.Trial)
  public void close() {
    scratch.close();
  }

  @Benchmark
  @OperationsPerInvocation(APPENDS_PER_OP)
  public Object append(FsyncRate fsyncs) {
    CompletableFuture<?> last = null;
    for (int i = 0; i < APPENDS_PER_OP; i++) {
      int slot = (int) (appended++ & (WINDOW - 1));
      CompletableFuture<?> oldest = inFlight[slot];
      if (oldest != null) {
        oldest.join(); // throws if that append failed
      }
      last = log.append(LogRecord.of(payload));
      inFlight[slot] = last;
    }
    Object offset = last.join();
    fsyncs.observe(scratch.fsyncs());
    return offset;
  }
}
