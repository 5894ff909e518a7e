package dev.herald.bench.log;

import dev.herald.log.FlushPolicy;
import dev.herald.log.Log;
import dev.herald.log.LogRecord;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Group commit: {@value #PUBLISHERS} threads each append a {@value ScratchLog#PAYLOAD_BYTES}-byte
 * record to one {@code ALWAYS} log and wait for its acknowledgement (the record is fsynced) before
 * appending the next. The score, summed over threads, is acknowledged records per second; the
 * secondary {@code fsyncs} is fsyncs per second, so score ÷ fsyncs is the records each fsync
 * carried.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(LogAppendSixtyFourPublishers.PUBLISHERS)
public class LogAppendSixtyFourPublishers {
  static final int PUBLISHERS = 64;

  private ScratchLog scratch;
  private Log log;
  private byte[] payload;

  @Setup(Level.Trial)
  public void open() {
    scratch = ScratchLog.open(FlushPolicy.always());
    log = scratch.log();
    payload = ScratchLog.payload();
  }

  @TearDown(Level.Trial)
  public void close() {
    scratch.close();
  }

  @Benchmark
  public long appendAndWait(FsyncRate fsyncs, ThreadParams thread) {
    long offset = log.append(LogRecord.of(payload)).join();
    if (thread.getThreadIndex() == 0) {
      fsyncs.observe(scratch.fsyncs());
    }
    return offset;
  }
}
