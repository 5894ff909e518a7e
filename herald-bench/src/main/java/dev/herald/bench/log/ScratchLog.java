package dev.herald.bench.log;

import dev.herald.log.FlushPolicy;
import dev.herald.log.Log;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One topic of a {@link LogDirectory} opened in a {@link ScratchDirectory}, with its fsyncs
 * counted; closing it closes the directory and deletes it. Default options except the flush policy
 * and a retention of {@value #RETENTION_BYTES} bytes, which keeps a long run from filling the disk
 * (the writer deletes old segments as it would in production). Safe for use from any thread, like
 * the log.
 */
public final class ScratchLog implements AutoCloseable {
  /** The payload size the targets are stated for. */
  public static final int PAYLOAD_BYTES = 100;

  /**
   * Bytes a record with a {@value #PAYLOAD_BYTES}-byte payload, no key and no headers occupies in a
   * segment: the 38 bytes of header that {@code RecordDescriptor} lays out, plus the payload.
   */
  static final int RECORD_BYTES = 38 + PAYLOAD_BYTES;

  static final long RETENTION_BYTES = 512L * 1024 * 1024;

  private final ScratchDirectory dir;
  private final CountingFileLayer files;
  private final LogDirectory directory;
  private final Log log;

  private ScratchLog(FlushPolicy policy) throws IOException {
    this.dir = ScratchDirectory.create("herald-log-bench");
    this.files = new CountingFileLayer();
    LogOptions options =
        LogOptions.builder()
            .flushPolicy(policy)
            .retentionBytes(RETENTION_BYTES)
            .fileLayer(files)
            .build();
    this.directory = LogDirectory.open(dir.path(), options);
    this.log = directory.topic("bench");
  }

  public static ScratchLog open(FlushPolicy policy) {
    try {
      return new ScratchLog(policy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code ALWAYS}, {@code NEVER} or {@code INTERVAL} with {@code intervalMillis}. */
  public static FlushPolicy policy(String kind, long intervalMillis) {
    return switch (FlushPolicy.Kind.valueOf(kind)) {
      case ALWAYS -> FlushPolicy.always();
      case NEVER -> FlushPolicy.never();
      case INTERVAL -> FlushPolicy.interval(intervalMillis);
    };
  }

  /** A {@value #PAYLOAD_BYTES}-byte payload; never modified once appended. */
  public static byte[] payload() {
    byte[] p = new byte[PAYLOAD_BYTES];
    Arrays.fill(p, (byte) 'x');
    return p;
  }

  public Log log() {
    return log;
  }

  /** File fsyncs since the directory was opened. */
  public long fsyncs() {
    return files.forces();
  }

  @Override
  public void close() {
    try (dir) {
      directory.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
