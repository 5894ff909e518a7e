package dev.herald.bench;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;

/**
 * Herald's in-memory bus, one subscription per sink. Each publish wraps the tick in a new {@link
 * Event}, as a user would.
 *
 * <p>{@link Setup#DEFAULTS} is the bus as a user writes it: {@code Herald.inMemory()} (its own
 * worker pool), a subscription by payload class, {@code SubscribeOptions.defaults()} (mailbox of
 * 8,192) with {@code Backpressure.block(timeout)} so that nothing is dropped. The other setups
 * change one thing each: {@link Setup#TUNED} a mailbox of 65,536, {@link Setup#FORK_JOIN} a {@link
 * ForkJoinPool} in async mode as the executor instead of Herald's own {@code WorkerPool}.
 */
final class HeraldContender implements Contender {
  /** How long a publisher may wait for room; far longer than any benchmark stall. */
  static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(30);

  /** The tuned mailbox: larger than one benchmark batch, so a publisher never waits for room. */
  static final int TUNED_MAILBOX = 65_536;

  /** How the bus and its subscriptions are set up. */
  enum Setup {
    DEFAULTS,
    TUNED,
    FORK_JOIN
  }

  private final EventBus bus;
  private final ExecutorService pool; // null unless the bus runs on an executor of ours
  private final boolean tracked;

  private HeraldContender(List<TickSink> subscribers, Setup setup, boolean tracked) {
    this.tracked = tracked;
    SubscribeOptions options =
        SubscribeOptions.defaults().backpressure(Backpressure.block(BLOCK_TIMEOUT));
    if (setup == Setup.TUNED) {
      options = options.mailboxCapacity(TUNED_MAILBOX);
    }
    if (setup == Setup.FORK_JOIN) {
      // As many threads as Herald's own pool would have; async mode is FIFO for submitted tasks.
      pool =
          new ForkJoinPool(
              Library.POOL_THREADS, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
      bus = Herald.builder().executor(pool).build();
    } else {
      pool = null;
      bus = Herald.inMemory();
    }
    for (TickSink sink : subscribers) {
      bus.subscribe(Tick.class, sink::accept, options);
    }
  }

  /** Fire-and-forget: {@link EventBus#emit}. */
  static HeraldContender emit(List<TickSink> subscribers, Setup setup) {
    return new HeraldContender(subscribers, setup, false);
  }

  /**
   * Tracked: {@link EventBus#publish}, whose future is dropped; the benchmark counts deliveries at
   * the subscribers, so the work of completing the futures is inside the measurement.
   */
  static HeraldContender tracked(List<TickSink> subscribers, Setup setup) {
    return new HeraldContender(subscribers, setup, true);
  }

  @Override
  public void publish(Tick tick) {
    Event<Tick> event = Event.of(Tick.TYPE, tick);
    if (tracked) {
      bus.publish(event);
    } else {
      bus.emit(event);
    }
  }

  @Override
  public void close() {
    bus.close(Duration.ofSeconds(5));
    if (pool != null) {
      Contender.shutDown(pool);
    }
  }
}
