package dev.herald.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import dev.herald.Subscription;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code demo --serve} says when it stops ({@link ShopDemo#live}'s summary): every figure is
 * this run's, also on a log that earlier runs filled.
 */
class LiveSummaryTest {
  private static final int ORDERS = 20;
  private static final long SEED = 7;

  @TempDir Path dir;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aSecondRunOnTheSameLogCountsItsOwnOrdersOnly() throws Exception {
    CountDownLatch allEnded = new CountDownLatch(1);
    Set<String> ended = ConcurrentHashMap.newKeySet();
    Consumer<Event<?>> end =
        e -> {
          if (e.data() instanceof OrderOutcome o
              && ended.add(o.orderId())
              && ended.size() == ORDERS) {
            allEnded.countDown();
          }
        };
    ShopDemo.LiveSummary first =
        ShopDemo.live(
            dir,
            ORDERS,
            SEED,
            1000,
            (transport, bus) -> {
              Subscription shipped = bus.subscribe(ShopEvents.ORDER_SHIPPED, end::accept);
              Subscription cancelled = bus.subscribe(ShopEvents.ORDER_CANCELLED, end::accept);
              return () -> {
                shipped.close();
                cancelled.close();
              };
            },
            allEnded);
    assertThat(first.placed()).isEqualTo(ORDERS);
    assertThat(first.shipped()).isPositive();
    assertThat(first.shipped() + first.cancelled()).isLessThanOrEqualTo(ORDERS);

    // Every order of the scenario was placed and ended by the first run: this one has none to
    // place, and no order of the log ends during it.
    ShopDemo.LiveSummary second =
        ShopDemo.live(dir, ORDERS, SEED, 1000, (transport, bus) -> () -> {}, new CountDownLatch(0));
    assertThat(second.placed()).isZero();
    assertThat(second.shipped()).isZero();
    assertThat(second.cancelled()).isZero();
  }
}
