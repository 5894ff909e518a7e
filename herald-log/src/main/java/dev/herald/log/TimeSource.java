package dev.herald.log;

/**
 * Where a log reads time: wall-clock millis for record timestamps and age-based rolling/retention, a
 * monotonic nano clock for flush intervals. Inject a manual one in tests so nothing sleeps. Must be safe
 * to call from any thread.
 */
public interface TimeSource {
    /** Wall-clock time, epoch millis. */
    long millis();

    /** Monotonic time for measuring durations; only differences are meaningful. */
    long nanos();

    /** The system clocks. */
    static TimeSource system() {
        return SystemTimeSource.INSTANCE;
    }
}

enum SystemTimeSource implements TimeSource {
    INSTANCE;

    @Override
    public long millis() {
        return System.currentTimeMillis();
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }
}
