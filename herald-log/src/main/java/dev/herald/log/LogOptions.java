package dev.herald.log;

import dev.herald.TimeSource;
import java.util.Objects;

/** How a {@link LogDirectory} behaves. Immutable; build with {@link #builder()}. */
public final class LogOptions {
  private final int segmentBytes;
  private final long segmentAgeMillis;
  private final long retentionBytes;
  private final long retentionAgeMillis;
  private final int maxRecordBytes;
  private final int indexIntervalBytes;
  private final int appendQueueCapacity;
  private final FlushPolicy flushPolicy;
  private final TimeSource timeSource;
  private final FileLayer fileLayer;

  private LogOptions(Builder b) {
    this.segmentBytes = b.segmentBytes;
    this.segmentAgeMillis = b.segmentAgeMillis;
    this.retentionBytes = b.retentionBytes;
    this.retentionAgeMillis = b.retentionAgeMillis;
    this.maxRecordBytes = b.maxRecordBytes;
    this.indexIntervalBytes = b.indexIntervalBytes;
    this.appendQueueCapacity = b.appendQueueCapacity;
    this.flushPolicy = b.flushPolicy;
    this.timeSource = b.timeSource;
    this.fileLayer = b.fileLayer;
    if (maxRecordBytes > segmentBytes) {
      throw new IllegalArgumentException(
          "maxRecordBytes " + maxRecordBytes + " exceeds segmentBytes " + segmentBytes);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public static LogOptions defaults() {
    return builder().build();
  }

  /** A segment rolls when the next record would take it past this size. */
  public int segmentBytes() {
    return segmentBytes;
  }

  /**
   * A non-empty segment rolls on the next append once it is this old; {@code Long.MAX_VALUE} =
   * never.
   */
  public long segmentAgeMillis() {
    return segmentAgeMillis;
  }

  /**
   * Oldest sealed segments are deleted while a topic is larger than this; {@code Long.MAX_VALUE} =
   * keep.
   */
  public long retentionBytes() {
    return retentionBytes;
  }

  /**
   * Sealed segments whose newest record is older than this are deleted; {@code Long.MAX_VALUE} =
   * keep.
   */
  public long retentionAgeMillis() {
    return retentionAgeMillis;
  }

  /**
   * Largest encoded record, header included. Larger appends fail with {@link
   * IllegalArgumentException}; a stored length field above it is treated as corruption, so lowering
   * it on existing data makes larger records unreadable.
   */
  public int maxRecordBytes() {
    return maxRecordBytes;
  }

  /** Bytes of records between two sparse index entries. */
  public int indexIntervalBytes() {
    return indexIntervalBytes;
  }

  /**
   * Capacity of each topic's append queue, in entries (an {@link Log#append} takes one, and so does
   * a whole {@link Log#appendAll}); a full queue fails the append fast.
   */
  public int appendQueueCapacity() {
    return appendQueueCapacity;
  }

  public FlushPolicy flushPolicy() {
    return flushPolicy;
  }

  public TimeSource timeSource() {
    return timeSource;
  }

  public FileLayer fileLayer() {
    return fileLayer;
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private int segmentBytes = 64 * 1024 * 1024;
    private long segmentAgeMillis = Long.MAX_VALUE;
    private long retentionBytes = Long.MAX_VALUE;
    private long retentionAgeMillis = Long.MAX_VALUE;
    private int maxRecordBytes = 1024 * 1024;
    private int indexIntervalBytes = 4096;
    private int appendQueueCapacity = 8192;
    private FlushPolicy flushPolicy = FlushPolicy.always();
    private TimeSource timeSource = TimeSource.system();
    private FileLayer fileLayer = FileLayer.system();

    private Builder() {}

    public Builder segmentBytes(int bytes) {
      this.segmentBytes = positive(bytes, "segmentBytes");
      return this;
    }

    public Builder segmentAgeMillis(long millis) {
      this.segmentAgeMillis = positive(millis, "segmentAgeMillis");
      return this;
    }

    public Builder retentionBytes(long bytes) {
      this.retentionBytes = positive(bytes, "retentionBytes");
      return this;
    }

    public Builder retentionAgeMillis(long millis) {
      this.retentionAgeMillis = positive(millis, "retentionAgeMillis");
      return this;
    }

    public Builder maxRecordBytes(int bytes) {
      this.maxRecordBytes = positive(bytes, "maxRecordBytes");
      return this;
    }

    public Builder indexIntervalBytes(int bytes) {
      this.indexIntervalBytes = positive(bytes, "indexIntervalBytes");
      return this;
    }

    public Builder appendQueueCapacity(int capacity) {
      this.appendQueueCapacity = positive(capacity, "appendQueueCapacity");
      return this;
    }

    public Builder flushPolicy(FlushPolicy policy) {
      this.flushPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    public Builder fileLayer(FileLayer fileLayer) {
      this.fileLayer = Objects.requireNonNull(fileLayer, "fileLayer");
      return this;
    }

    public LogOptions build() {
      return new LogOptions(this);
    }

    private static int positive(int value, String name) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be > 0: " + value);
      }
      return value;
    }

    private static long positive(long value, String name) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be > 0: " + value);
      }
      return value;
    }
  }
}
