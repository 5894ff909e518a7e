package dev.herald;

/**
 * Where Herald reads time: wall-clock milliseconds for timestamps, a monotonic clock for durations
 * and latencies. Injected so tests can control time. Implementations must be thread-safe.
 */
public interface TimeSource {
  /** Milliseconds since the epoch. */
  long epochMillis();

  /** A monotonic clock in nanoseconds, for durations only. */
  long nanoTime();

  /** The system clocks. */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }
}

/** The system clocks. */
final class SystemTimeSource implements TimeSource {
  static final SystemTimeSource INSTANCE = new SystemTimeSource();

  @Override
  public long epochMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }
}
