package dev.herald.log;

/**
 * When written records are forced to stable storage, and so when an append's future completes.
 *
 * <ul>
 *   <li>{@link #always()}: the writer thread fsyncs before completing the futures of a batch;
 *       appenders queued together share one fsync (group commit). An acknowledged record survives
 *       power loss.
 *   <li>{@link #interval(long)}: futures complete once the batch is written to the OS; the log's
 *       flusher thread ({@code herald-log-flush-<topic>}) fsyncs at least every {@code millis}
 *       while there is unforced data, while the writer thread goes on writing, so appends never
 *       wait for that fsync. It also forces each segment the writer rolls away from, at once, and
 *       only then lets the recovery point pass it, so rolls do not wait for the disk either. Power
 *       loss may lose up to that window of acknowledged records; a process crash loses nothing
 *       acknowledged. A failed fsync puts the log in the failed state like a failed write: records
 *       acknowledged before it are in the window power loss may take, and none is acknowledged
 *       after.
 *   <li>{@link #never()}: futures complete once written to the OS; fsync only on roll, {@link
 *       Log#flush()} and close.
 * </ul>
 *
 * <p>Whatever the policy, the writer thread itself fsyncs for {@link Log#flush()} and on close, and
 * when a segment rolls (sealing it) except under {@code interval}, whose flusher does that.
 */
public final class FlushPolicy {
  /** The kinds of policy. */
  public enum Kind {
    ALWAYS,
    INTERVAL,
    NEVER
  }

  private static final FlushPolicy ALWAYS = new FlushPolicy(Kind.ALWAYS, 0);
  private static final FlushPolicy NEVER = new FlushPolicy(Kind.NEVER, 0);

  private final Kind kind;
  private final long intervalMillis;

  private FlushPolicy(Kind kind, long intervalMillis) {
    this.kind = kind;
    this.intervalMillis = intervalMillis;
  }

  public static FlushPolicy always() {
    return ALWAYS;
  }

  public static FlushPolicy never() {
    return NEVER;
  }

  public static FlushPolicy interval(long millis) {
    if (millis <= 0) {
      throw new IllegalArgumentException("flush interval must be > 0 ms: " + millis);
    }
    return new FlushPolicy(Kind.INTERVAL, millis);
  }

  public Kind kind() {
    return kind;
  }

  /** The interval for {@link Kind#INTERVAL}, 0 otherwise. */
  public long intervalMillis() {
    return intervalMillis;
  }

  @Override
  public String toString() {
    return kind == Kind.INTERVAL ? "INTERVAL(" + intervalMillis + "ms)" : kind.name();
  }
}
