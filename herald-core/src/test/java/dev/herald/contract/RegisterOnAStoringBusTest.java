package dev.herald.contract;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.Registration;
import dev.herald.Subscribe;
import dev.herald.SubscriptionStats;
import dev.herald.contract.payloads.OrderPlaced;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Annotated listeners with a consumer group on a storing bus (the heap-backed {@link
 * MemoryTransport}): durable subscriptions, by payload class and by type, that resume after a
 * restart.
 */
@Timeout(value = 60, unit = SECONDS)
class RegisterOnAStoringBusTest {
  private final MemoryTransport.Storage storage = new MemoryTransport.Storage();
  private final List<EventBus> buses = new ArrayList<>();

  private EventBus openBus() {
    EventBus bus = Herald.builder().transport(new MemoryTransport(storage)).build();
    buses.add(bus);
    return bus;
  }

  @AfterEach
  void closeAll() {
    for (EventBus b : buses) {
      b.close(Duration.ofSeconds(10));
    }
  }

  static final class Billing {
    final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

    @Subscribe(group = "billing")
    void bill(OrderPlaced order) {
      seen.add("bill " + order.id());
    }

    @Subscribe(type = "order.#", group = "audit")
    void audit(Event<OrderPlaced> event) {
      seen.add("audit " + event.type() + " " + event.data().id());
    }

    @Subscribe(group = "ledger")
    void ledger(Event<OrderPlaced> event) {
      seen.add("ledger " + event.type() + " " + event.data().id());
    }

    List<String> awaitSeen(int n) {
      await().atMost(30, SECONDS).until(() -> seen.size() >= n);
      return new ArrayList<>(seen);
    }
  }

  @Test
  void durableGroupsReceiveStoredEventsAndResumeAfterARestart() throws Exception {
    EventBus first = openBus();
    Billing billing = new Billing();
    Registration r = first.register(billing);
    first.publish("order.placed", new OrderPlaced("o-1", 100)).get(30, SECONDS);

    assertThat(billing.awaitSeen(3))
        .containsExactlyInAnyOrder("bill o-1", "audit order.placed o-1", "ledger order.placed o-1");
    assertThat(first.stats().subscriptions())
        .extracting(SubscriptionStats::name, SubscriptionStats::group)
        .containsExactlyInAnyOrder(
            tuple("Billing.bill", "billing"),
            tuple("Billing.audit", "audit"),
            tuple("Billing.ledger", "ledger"));
    r.close();
    first.close(Duration.ofSeconds(10));

    // Stored while no process of either group runs.
    EventBus publisher = openBus();
    publisher.publish("order.placed", new OrderPlaced("o-2", 200)).get(30, SECONDS);
    publisher.close(Duration.ofSeconds(10));

    EventBus second = openBus();
    Billing restarted = new Billing();
    second.register(restarted);

    assertThat(restarted.awaitSeen(3))
        .containsExactlyInAnyOrder("bill o-2", "audit order.placed o-2", "ledger order.placed o-2");
  }
}
