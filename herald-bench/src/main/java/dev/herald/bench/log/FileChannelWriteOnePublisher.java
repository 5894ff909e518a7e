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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The baselines for {@link LogAppendOnePublisher}: one thread writes records of the log's size
 * ({@value ScratchLog#RECORD_BYTES} bytes for a {@value ScratchLog#PAYLOAD_BYTES}-byte payload) to
 * a plain {@link FileChannel}, never forcing. {@link #buffered} fills a 256 KiB heap buffer, as the
 * log's writer does, and writes it when full and at the end of each invocation: the upper bound for
 * getting records to the OS, with no queue, thread hand-off, CRC, index or futures. {@link
 * #perRecord} makes one write call per record: what batching saves. The file wraps at 64 MiB (the
 * log's segment size) so a long run does not fill the disk. Score: records per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FileChannelWriteOnePublisher {
  static final int RECORDS_PER_OP = 10_000;
  static final long WRAP_BYTES = 64L * 1024 * 1024;

  private ScratchDirectory dir;
  private FileChannel channel;
  private ByteBuffer buffer;
  private ByteBuffer record;
  private long position;

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = ScratchDirectory.create("herald-filechannel-bench");
    channel =
        FileChannel.open(
            dir.path().resolve("records"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    buffer = ByteBuffer.allocate(256 * 1024);
    record = ByteBuffer.allocate(ScratchLog.RECORD_BYTES);
    record
        .put(new byte[ScratchLog.RECORD_BYTES - ScratchLog.PAYLOAD_BYTES])
        .put(ScratchLog.payload());
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
  @OperationsPerInvocation(RECORDS_PER_OP)
  public long buffered() throws IOException {
    for (int i = 0; i < RECORDS_PER_OP; i++) {
      if (buffer.remaining() < ScratchLog.RECORD_BYTES) {
        writeBuffer();
      }
      buffer.put(record.clear());
    }
    writeBuffer();
    return position;
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS_PER_OP)
  public long perRecord() throws IOException {
    for (int i = 0; i < RECORDS_PER_OP; i++) {
      write(record.clear());
    }
    return position;
  }

  private void writeBuffer() throws IOException {
    write(buffer.flip());
    buffer.clear();
  }

  private void write(ByteBuffer src) throws IOException {
    if (position + src.remaining() > WRAP_BYTES) {
      position = 0;
    }
    while (src.hasRemaining()) {
      position += channel.write(src, position);
    }
  }
}
