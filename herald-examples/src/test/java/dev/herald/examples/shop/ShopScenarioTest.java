package dev.herald.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShopScenarioTest {
  @Test
  void sameSeedDrawsTheSameScenario() {
    ShopScenario a = ShopScenario.generate(500, 3);
    ShopScenario b = ShopScenario.generate(500, 3);

    assertThat(a.orders()).isEqualTo(b.orders());
    assertThat(a.initialStock()).isEqualTo(b.initialStock());
    for (OrderPlaced o : a.orders()) {
      assertThat(a.paymentPlan(o.orderId())).isEqualTo(b.paymentPlan(o.orderId()));
    }
  }

  @Test
  void scenarioHasDeclinesAndTimeouts() {
    ShopScenario s = ShopScenario.generate(1000, 42);

    long declined = s.orders().stream().filter(o -> s.paymentPlan(o.orderId()).declined()).count();
    long flaky =
        s.orders().stream().filter(o -> s.paymentPlan(o.orderId()).transientFailures() > 0).count();
    assertThat(declined).isPositive();
    assertThat(flaky).isPositive();
  }

  @Test
  void gatewayFailsAsPlannedThenChargesOnce() throws Exception {
    ShopScenario s = ShopScenario.generate(1000, 42);
    OrderPlaced flaky =
        s.orders().stream()
            .filter(o -> s.paymentPlan(o.orderId()).transientFailures() > 0)
            .findFirst()
            .orElseThrow();
    PaymentGateway gateway = new PaymentGateway(s);
    int failures = 0;
    String paymentId = null;
    while (paymentId == null) {
      try {
        paymentId = gateway.charge(flaky.orderId(), flaky.amountCents());
      } catch (PaymentGateway.GatewayTimeoutException e) {
        failures++;
      }
    }
    assertThat(failures).isEqualTo(s.paymentPlan(flaky.orderId()).transientFailures());
    assertThat(gateway.charge(flaky.orderId(), flaky.amountCents())).isEqualTo(paymentId);
  }

  @Test
  void countsUnitsShippedBeyondTheShelf() {
    ShopScenario s = ShopScenario.generate(1000, 42);
    List<String> everyOrder = s.orders().stream().map(OrderPlaced::orderId).toList();
    long demanded = s.orders().stream().mapToLong(OrderPlaced::quantity).sum();
    long stock = s.initialStock().values().stream().mapToLong(Integer::longValue).sum();
    // Shipping every order ships each sold-out SKU's excess demand: at least demand minus stock.
    assertThat(ShopScenario.oversoldUnits(s, everyOrder))
        .isGreaterThanOrEqualTo(demanded - stock)
        .isPositive();
    assertThat(ShopScenario.oversoldUnits(s, List.of())).isZero();
  }
}
