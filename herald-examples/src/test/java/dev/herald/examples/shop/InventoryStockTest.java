package dev.herald.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class InventoryStockTest {
  private static final ShopRun RUN = ShopRun.of(42, 400, "t");

  @Test
  void shelvesReserveUntilTheSkuRunsOutAndNeverTwiceForOneOrder() {
    Shelves shelves = new Shelves(Map.of("sku-01", 5));
    OrderPlaced a = new OrderPlaced("o-0000001", "c-1", "sku-01", 3, 300);
    OrderPlaced b = new OrderPlaced("o-0000002", "c-2", "sku-01", 3, 300);
    OrderPlaced c = new OrderPlaced("o-0000003", "c-3", "sku-01", 2, 200);

    assertThat(shelves.decide(a).reserved()).isTrue();
    Shelves.Decision rejected = shelves.decide(b);
    assertThat(rejected.reserved()).isFalse();
    assertThat(rejected.available()).isEqualTo(2);
    // Decided again (a redelivery): the same answer, nothing taken twice.
    assertThat(shelves.decide(a).reserved()).isTrue();
    assertThat(shelves.decide(b)).isEqualTo(rejected);
    assertThat(shelves.decide(c).reserved()).isTrue();
    assertThat(shelves.available("sku-01")).isZero();
  }

  @Test
  void learntDecisionsTakeStockOnceAndAreKept() {
    Shelves shelves = new Shelves(Map.of("sku-01", 5));
    Shelves.Decision elsewhere = new Shelves.Decision("o-0000001", "sku-01", 3, true, -1);

    assertThat(shelves.learn(elsewhere)).isTrue();
    assertThat(shelves.learn(elsewhere)).isFalse();
    assertThat(shelves.available("sku-01")).isEqualTo(2);
    // The order decided elsewhere, delivered here again, keeps its reservation.
    assertThat(shelves.decide(new OrderPlaced("o-0000001", "c-1", "sku-01", 3, 300)).reserved())
        .isTrue();
    assertThat(shelves.decide(new OrderPlaced("o-0000002", "c-2", "sku-01", 3, 300)).reserved())
        .isFalse();
  }

  /**
   * Two members of the inventory group: one decides the first half of the orders and dies; the
   * survivor, given its SKUs (an assignment), must first learn what the dead one decided. Without
   * that it would see full shelves and promise units a second time.
   */
  @Test
  void anOwnerGivenNewSkusRebuildsThemFromHistoryBeforeDeciding() throws Exception {
    ShopScenario scenario = RUN.scenario();
    List<OrderPlaced> orders = scenario.orders();
    int half = orders.size() / 2;
    List<ShopHistory.StockDecision> stored = new CopyOnWriteArrayList<>();
    AtomicLong assignments = new AtomicLong();
    InventoryService.StockHistory store =
        new InventoryService.StockHistory() {
          @Override
          public long assignments() {
            return assignments.get();
          }

          @Override
          public List<ShopHistory.StockDecision> read() {
            return List.copyOf(stored);
          }
        };

    // The first member: its decisions go to the store.
    Map<String, Event<?>> first = serve(orders.subList(0, half + 1), null, stored, half + 1);
    // The survivor starts before the death, with nothing learnt, and is then given the SKUs; the
    // last order the dead member decided is delivered to it again.
    assignments.incrementAndGet();
    Map<String, Event<?>> second =
        serve(orders.subList(half, orders.size()), store, null, orders.size() - half - 1);

    Map<String, Event<?>> all = new ConcurrentHashMap<>(first);
    all.putAll(second);
    // The redelivered order keeps the decision the dead member stored: no second one is published.
    assertThat(second).doesNotContainKey(orders.get(half).orderId());
    // As one member deciding every order in sequence would have decided.
    Map<String, Event<?>> alone = serve(orders, null, null, orders.size());
    for (OrderPlaced o : orders) {
      assertThat(all.get(o.orderId()).type())
          .as(o.orderId())
          .isEqualTo(alone.get(o.orderId()).type());
    }
    List<String> reserved = new ArrayList<>();
    all.forEach(
        (id, e) -> {
          if (e.data() instanceof StockReserved) {
            reserved.add(id);
          }
        });
    assertThat(ShopScenario.oversoldUnits(scenario, reserved)).isZero();
    assertThat(reserved.size()).isLessThan(orders.size());
  }

  /**
   * Runs an inventory service on an in-memory bus, places {@code orders}, waits for {@code
   * expected} decisions and returns its decision event per order id; each decision is appended to
   * {@code storeTo} if given.
   */
  private static Map<String, Event<?>> serve(
      List<OrderPlaced> orders,
      InventoryService.StockHistory stock,
      List<ShopHistory.StockDecision> storeTo,
      int expected)
      throws Exception {
    Map<String, Event<?>> decisions = new ConcurrentHashMap<>();
    try (EventBus bus = Herald.builder().build()) {
      EventCounters counters = new EventCounters();
      ShopContext shop = new ShopContext(bus, counters, new ShopHistory(), RUN, false, stock);
      InventoryService inventory = new InventoryService(shop);
      inventory.start();
      for (String type : List.of(ShopEvents.STOCK_RESERVED, ShopEvents.STOCK_REJECTED)) {
        bus.subscribe(
            type,
            Object.class,
            e -> {
              if (storeTo != null) {
                ShopHistory h = new ShopHistory();
                h.add(e);
                storeTo.addAll(h.stockDecisions());
              }
              decisions.put(RUN.orderId(e), e);
            },
            SubscribeOptions.defaults().name("test." + type));
      }
      for (OrderPlaced o : orders) {
        bus.emit(
            Event.<OrderPlaced>builder(ShopEvents.ORDER_PLACED)
                .id(ShopService.effectId(RUN.id(), "orders", o.orderId()))
                .key(o.sku())
                .correlationId(RUN.correlationId(o.orderId()))
                .data(o)
                .build());
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  counters.delivered(ShopEvents.ORDER_PLACED, 0) == orders.size()
                      && decisions.size() >= expected);
      assertThat(decisions.size()).as("decisions published").isEqualTo(expected);
      inventory.close();
    }
    return decisions;
  }
}
