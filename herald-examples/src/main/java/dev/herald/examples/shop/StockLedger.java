package dev.herald.examples.shop;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shelves of one run, served in the customers' sequence: the order number, not the moment an
 * order reaches inventory. What an order finds on the shelf is the initial stock of its SKU less what
 * every earlier order of that SKU reserved; it gets its goods if that is enough. Reservations of
 * orders cancelled later are not returned.
 *
 * <p>Deciding by sequence rather than by arrival is what makes inventory safe to run anywhere. On
 * Kafka the orders of one SKU arrive over several partitions, in an order that depends on timing;
 * after a crash an order is delivered again, maybe to another process; two back offices share the
 * partitions and neither sees every order. Each of them still takes the same decision for the same
 * order, every time: stock is never promised twice (the units reserved per SKU never exceed its
 * stock), a redelivered order gets the answer it got before, and the outcome is a function of the
 * seed alone, the same on every transport.
 *
 * <p>Immutable once built; built once per run and process from the run's {@link ShopScenario}.
 */
final class StockLedger {
  private final List<OrderPlaced> orders;
  // By position in the sequence: units of the order's SKU left on the shelf when its turn came.
  private final int[] availableAtTurn;

  private StockLedger(List<OrderPlaced> orders, int[] availableAtTurn) {
    this.orders = orders;
    this.availableAtTurn = availableAtTurn;
  }

  /** The ledger of {@code scenario}'s orders, in placement order. */
  static StockLedger of(ShopScenario scenario) {
    List<OrderPlaced> orders = scenario.orders();
    Map<String, Integer> left = new HashMap<>(scenario.initialStock());
    int[] atTurn = new int[orders.size()];
    for (int i = 0; i < atTurn.length; i++) {
      OrderPlaced o = orders.get(i);
      int available = left.getOrDefault(o.sku(), 0);
      atTurn[i] = available;
      if (available >= o.quantity()) {
        left.put(o.sku(), available - o.quantity());
      }
    }
    return new StockLedger(orders, atTurn);
  }

  /**
   * Units of {@code order}'s SKU left when its turn came.
   *
   * @throws IllegalArgumentException if the order is not one of the run's: the handler fails and
   *     the event is dead-lettered, in plain sight
   */
  int availableAtTurn(OrderPlaced order) {
    int i = ShopScenario.position(order.orderId());
    if (i < 0 || i >= orders.size() || !orders.get(i).equals(order)) {
      throw new IllegalArgumentException("order " + order + " is not in the run's scenario");
    }
    return availableAtTurn[i];
  }

  /**
   * Units shipped beyond the shelves: for each SKU, what the {@code shipped} orders of {@code
   * scenario} took over its initial stock. Zero when stock was never promised twice.
   */
  static long oversoldUnits(ShopScenario scenario, Collection<String> shipped) {
    Map<String, Integer> out = new HashMap<>();
    for (String id : shipped) {
      int i = ShopScenario.position(id);
      if (i >= 0 && i < scenario.orders().size()) {
        OrderPlaced o = scenario.orders().get(i);
        out.merge(o.sku(), o.quantity(), Integer::sum);
      }
    }
    long oversold = 0;
    for (Map.Entry<String, Integer> e : out.entrySet()) {
      oversold += Math.max(0, e.getValue() - scenario.initialStock().getOrDefault(e.getKey(), 0));
    }
    return oversold;
  }

  /** Whether {@code order} gets its goods. */
  boolean reserves(OrderPlaced order) {
    return availableAtTurn(order) >= order.quantity();
  }
}
