package dev.herald.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StockLedgerTest {
  @Test
  void neverPromisesMoreThanTheShelfHoldsYetSellsOut() {
    for (long seed = 1; seed <= 20; seed++) {
      ShopScenario s = ShopScenario.generate(2000, seed);
      StockLedger ledger = StockLedger.of(s);
      Map<String, Integer> reserved = new HashMap<>();
      long rejected = 0;
      for (OrderPlaced o : s.orders()) {
        if (ledger.reserves(o)) {
          reserved.merge(o.sku(), o.quantity(), Integer::sum);
        } else {
          rejected++;
        }
      }
      reserved.forEach(
          (sku, units) -> assertThat(units).as(sku).isLessThanOrEqualTo(s.initialStock().get(sku)));
      assertThat(rejected).as("orders that found the shelf too empty").isPositive();
      assertThat(StockLedger.oversoldUnits(s, shippedIfReserved(s, ledger))).isZero();
    }
  }

  @Test
  void decidesEachOrderTheSameWhateverOrderTheOrdersArriveIn() {
    ShopScenario s = ShopScenario.generate(1000, 42);
    StockLedger first = StockLedger.of(s);
    List<OrderPlaced> arrival = new ArrayList<>(s.orders());
    Collections.shuffle(arrival, new Random(7));
    // A second process, another order of arrival, some orders twice: the same answer each time.
    StockLedger second = StockLedger.of(s);
    for (OrderPlaced o : arrival) {
      assertThat(second.reserves(o)).as(o.orderId()).isEqualTo(first.reserves(o));
      assertThat(second.reserves(o)).as(o.orderId()).isEqualTo(first.reserves(o));
    }
  }

  @Test
  void countsUnitsShippedBeyondTheShelf() {
    ShopScenario s = ShopScenario.generate(1000, 42);
    List<String> everyOrder = s.orders().stream().map(OrderPlaced::orderId).toList();
    long demanded = s.orders().stream().mapToLong(OrderPlaced::quantity).sum();
    long stock = s.initialStock().values().stream().mapToLong(Integer::longValue).sum();
    // Shipping every order ships each sold-out SKU's excess demand: at least demand minus stock.
    assertThat(StockLedger.oversoldUnits(s, everyOrder)).isGreaterThanOrEqualTo(demanded - stock)
        .isPositive();
  }

  @Test
  void refusesAnOrderNotInTheScenario() {
    ShopScenario s = ShopScenario.generate(10, 1);
    OrderPlaced o = s.orders().get(0);
    OrderPlaced forged = new OrderPlaced(o.orderId(), o.customerId(), o.sku(), o.quantity() + 1, 1);
    assertThatThrownBy(() -> StockLedger.of(s).reserves(forged))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> StockLedger.of(s).reserves(new OrderPlaced("o-0000099", "c", "sku-01", 1, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> shippedIfReserved(ShopScenario s, StockLedger ledger) {
    return s.orders().stream().filter(ledger::reserves).map(OrderPlaced::orderId).toList();
  }
}
