package dev.herald.bench.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
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

/**
 * The raw fsync latency of the disk under {@link ScratchDirectory}, the way the log's writer forces
 * a segment: write one record ({@value ScratchLog#RECORD_BYTES} bytes) after the previous one, then
 * {@code FileChannel.force(true)}. Sampled per call (mean and percentiles), so beside {@link
 * LogAppendSixtyFourPublishers} it shows how many records each of the log's fsyncs carries. The
 * file wraps at 64 MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FsyncLatency {
  private ScratchDirectory dir;
  private FileChannel channel;
  private ByteBuffer record;
  private long position;

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = ScratchDirectory.create("herald-fsync-bench");
    channel =
        FileChannel.open(
            dir.path().resolve("records"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    record = ByteBuffer.allocate(ScratchLog.RECORD_BYTES);
    position = 0;
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      dir.close();
    }
  }

  @Benchmark
  public long writeAndForce() throws IOException {
    record.clear();
    if (position + ScratchLog.RECORD_BYTES > FileChannelWriteOnePublisher.WRAP_BYTES) {
      position = 0;
    }
    while (record.hasRemaining()) {
      position += channel.write(record, position);
    }
    channel.force(true);
    return position;
  }
}
