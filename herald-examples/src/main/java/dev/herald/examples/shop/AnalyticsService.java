package dev.herald.examples.shop;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.SubscribeOptions;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches every shop event ({@code #}) and is slow on purpose: each event costs it {@link
 * #WORK_NANOS} of simulated work (a call to a warehouse, say). It must not slow the orders down, so
 * it runs on an executor of its own, with a small mailbox whose policy drops the oldest event when
 * full. Every such drop is an explicit, counted decision of this policy ({@link DropLedger}); the
 * loss audit does not count it as lost.
 */
final class AnalyticsService extends ShopService {
  static final String SUBSCRIPTION = "analytics.all";
  static final int MAILBOX = 256;
  static final long WORK_NANOS = 1_500_000;

  private final Executor executor;
  private final ConcurrentHashMap<String, LongAdder> processed = new ConcurrentHashMap<>();

  AnalyticsService(ShopContext shop, Executor executor) {
    super(shop);
    this.executor = executor;
  }

  @Override
  String name() {
    return "analytics";
  }

  @Override
  void start() {
    track(
        bus.subscribe(
            "#",
            this::analyse,
            SubscribeOptions.defaults()
                .name(SUBSCRIPTION)
                .executor(executor)
                .mailboxCapacity(MAILBOX)
                .backpressure(Backpressure.dropOldest())));
  }

  private void analyse(Event<Object> event) {
    long deadline = System.nanoTime() + WORK_NANOS;
    // parkNanos may return early (spuriously or on unpark): park again for what is left.
    for (long left = WORK_NANOS; left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
    processed.computeIfAbsent(event.type(), t -> new LongAdder()).increment();
  }

  /** Events analysed so far, by type. */
  Map<String, Long> processed() {
    Map<String, Long> m = new TreeMap<>();
    processed.forEach((t, a) -> m.put(t, a.sum()));
    return m;
  }

  long processedTotal() {
    long sum = 0;
    for (LongAdder a : processed.values()) {
      sum += a.sum();
    }
    return sum;
  }
}
