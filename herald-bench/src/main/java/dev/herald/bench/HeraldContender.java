package dev.herald.bench;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.time.Duration;
import java.util.List;

/**
 * Herald's in-memory bus with its default worker pool, one subscription per sink selecting the
 * exact type {@value #TYPE}. Each publish wraps the tick in a new {@link Event}, as a user would.
 */
final class HeraldContender implements Contender {
  static final String TYPE = "bench.tick";

  /** Nothing dropped: a full mailbox makes the publisher wait, as the other buses do. */
  static final SubscribeOptions OPTIONS =
      SubscribeOptions.defaults()
          .mailboxCapacity(65_536)
          .backpressure(Backpressure.block(Duration.ofSeconds(30)));

  private final EventBus bus;
  private final boolean tracked;

  private HeraldContender(List<TickSink> subscribers, boolean tracked) {
    this.bus = Herald.builder().build();
    this.tracked = tracked;
    for (TickSink sink : subscribers) {
      bus.subscribe(TYPE, e -> sink.accept((Tick) e.data()), OPTIONS);
    }
  }

  /** Fire-and-forget: {@link EventBus#emit}. */
  static HeraldContender emit(List<TickSink> subscribers) {
    return new HeraldContender(subscribers, false);
  }

  /**
   * Tracked: {@link EventBus#publish}, whose future is dropped; the benchmark counts deliveries at
   * the subscribers, so the work of completing the futures is inside the measurement.
   */
  static HeraldContender tracked(List<TickSink> subscribers) {
    return new HeraldContender(subscribers, true);
  }

  @Override
  public void publish(Tick tick) {
    Event<Tick> event = Event.of(TYPE, tick);
    if (tracked) {
      bus.publish(event);
    } else {
      bus.emit(event);
    }
  }

  @Override
  public void close() {
    bus.close(Duration.ofSeconds(5));
  }
}
