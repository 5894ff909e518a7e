package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * How often a lane reads the clock around a handler call (SubscriptionStats' Javadoc): one call in
 * 128 for a handler quicker than a microsecond, one in 16 for one under a couple of microseconds,
 * every call for a slower one. The bus's clock moves only inside the handler, by a set amount per
 * call, so each timed call measures exactly that amount and the histogram's count is the number of
 * calls timed.
 */
class LatencySamplingTest {
  private static final int EVENTS = 12_800;

  @Test
  void aHandlerQuickerThanAMicrosecondIsTimedOneCallIn128() {
    // The lane's first call is timed before it knows the handler is quick: then one in 16.
    assertThat(timedCalls(500)).isBetween((long) EVENTS / 128, (long) EVENTS / 128 + 2);
  }

  @Test
  void aHandlerUnderTwoMicrosecondsIsTimedOneCallIn16() {
    assertThat(timedCalls(1_500)).isEqualTo(EVENTS / 16);
  }

  @Test
  void aSlowerHandlerIsTimedOnEveryCall() {
    assertThat(timedCalls(2_500)).isEqualTo(EVENTS);
  }

  /** Delivers {@link #EVENTS} events to a handler that takes {@code nanos} by the bus's clock. */
  private static long timedCalls(long nanos) {
    VirtualTimeSource clock = new VirtualTimeSource();
    AtomicLong handled = new AtomicLong();
    try (EventBus bus = Herald.builder().timeSource(clock).build()) {
      Subscription sub =
          bus.subscribe(
              Long.class,
              n -> {
                clock.advance(Duration.ofNanos(nanos));
                handled.incrementAndGet();
              },
              SubscribeOptions.defaults().backpressure(Backpressure.block(Duration.ofSeconds(30))));
      for (long i = 0; i < EVENTS; i++) {
        bus.emit(Event.of("sampling.tick", i));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == EVENTS);
      long[] counts = LatencyHistogram.newCounts();
      long max = 0;
      for (Lane lane : ((SubscriptionImpl) sub).lanes) {
        lane.latency.addTo(counts);
        max = Math.max(max, lane.latency.max());
      }
      long timed = 0;
      for (long c : counts) {
        timed += c;
      }
      // Every timed call measured exactly the handler's time.
      assertThat(LatencyHistogram.percentile(counts, 0, max)).isBetween(nanos / 2, nanos);
      assertThat(max).isEqualTo(nanos);
      return timed;
    }
  }
}
