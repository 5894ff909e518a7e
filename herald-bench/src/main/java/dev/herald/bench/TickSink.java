package dev.herald.bench;

/**
 * What a subscriber does with each tick. Called on whatever thread the library under test delivers
 * on, possibly several at once (Guava with {@code @AllowConcurrentEvents}, MBassador's dispatchers,
 * greenrobot's {@code ASYNC}), so implementations are thread-safe.
 */
@FunctionalInterface
public interface TickSink {
  void accept(Tick tick);
}
