package dev.herald.log;

import dev.herald.TimeSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link TimeSource} that moves only when a test advances it. Thread-safe. */
final class ManualTimeSource implements TimeSource {
  private final AtomicLong millis;
  private final AtomicLong nanos = new AtomicLong();

  ManualTimeSource(long startMillis) {
    this.millis = new AtomicLong(startMillis);
  }

  void advanceMillis(long delta) {
    millis.addAndGet(delta);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(delta));
  }

  @Override
  public long epochMillis() {
    return millis.get();
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }
}
