package dev.herald.examples.shop;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Everything random in a run, drawn up front from one {@link Random} seeded by {@code --seed}: the
 * orders, the stock levels and how the payment gateway will treat each order. Services only read
 * it, so a run's business outcome (what ships, what is cancelled and why, how many retries) depends
 * on the seed alone, never on thread timing. Immutable once generated.
 */
public final class ShopScenario {
  static final int SKUS = 24;
  static final int CUSTOMERS = 1000;
  static final int MAX_QUANTITY = 3;

  /** Share of orders whose card the gateway declines (a permanent failure). */
  static final double DECLINE_RATE = 0.03;

  /** Share of orders that meet 1 to {@link #MAX_TRANSIENT_FAILURES} gateway timeouts first. */
  static final double TRANSIENT_RATE = 0.10;

  static final int MAX_TRANSIENT_FAILURES = 3;

  /**
   * How the gateway treats one order: {@code transientFailures} timeouts, then success; or a
   * decline on every attempt.
   */
  record PaymentPlan(int transientFailures, boolean declined) {
    static final PaymentPlan CLEAN = new PaymentPlan(0, false);
  }

  private final long seed;
  private final List<OrderPlaced> orders;
  private final Map<String, Integer> initialStock;
  private final Map<String, PaymentPlan> paymentPlans;

  private ShopScenario(
      long seed,
      List<OrderPlaced> orders,
      Map<String, Integer> initialStock,
      Map<String, PaymentPlan> paymentPlans) {
    this.seed = seed;
    this.orders = Collections.unmodifiableList(orders);
    this.initialStock = Collections.unmodifiableMap(initialStock);
    this.paymentPlans = Collections.unmodifiableMap(paymentPlans);
  }

  /** Draws a scenario of {@code orderCount} orders from {@code seed}. */
  public static ShopScenario generate(int orderCount, long seed) {
    if (orderCount < 1) {
      throw new IllegalArgumentException("orderCount: must be at least 1, was " + orderCount);
    }
    Random random = new Random(seed);
    // Stock scales with demand so that every run size sees some SKUs sell out, but not most; the
    // floor of one order's worth keeps tiny runs from being all rejections.
    double expectedDemand = orderCount * (MAX_QUANTITY + 1) / 2.0 / SKUS;
    Map<String, Integer> stock = new LinkedHashMap<>();
    for (int i = 0; i < SKUS; i++) {
      long units = Math.round(expectedDemand * (0.75 + 0.45 * random.nextDouble()));
      stock.put(sku(i), (int) Math.min(Integer.MAX_VALUE, MAX_QUANTITY + units));
    }
    List<OrderPlaced> orders = new ArrayList<>(orderCount);
    Map<String, PaymentPlan> plans = new LinkedHashMap<>();
    for (int i = 1; i <= orderCount; i++) {
      String orderId = String.format("o-%07d", i);
      String customerId = String.format("c-%04d", random.nextInt(CUSTOMERS));
      int quantity = 1 + random.nextInt(MAX_QUANTITY);
      long unitCents = 500 + random.nextInt(4500);
      orders.add(
          new OrderPlaced(
              orderId, customerId, sku(random.nextInt(SKUS)), quantity, quantity * unitCents));
      double fate = random.nextDouble();
      if (fate < DECLINE_RATE) {
        plans.put(orderId, new PaymentPlan(0, true));
      } else if (fate < DECLINE_RATE + TRANSIENT_RATE) {
        plans.put(orderId, new PaymentPlan(1 + random.nextInt(MAX_TRANSIENT_FAILURES), false));
      }
    }
    return new ShopScenario(seed, orders, stock, plans);
  }

  /**
   * The position in {@link #orders()} of the order with id {@code orderId} if it is one of a
   * scenario's (ids are numbered from 1 in placement order), else -1.
   */
  static int position(String orderId) {
    if (!orderId.startsWith("o-")) {
      return -1;
    }
    try {
      return Integer.parseInt(orderId, 2, orderId.length(), 10) - 1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Units shipped beyond the shelves: for each SKU, what the {@code shipped} orders of {@code
   * scenario} took over its initial stock. Zero when stock was never promised twice. A check made
   * from the outcome alone, independent of how inventory decided.
   */
  static long oversoldUnits(ShopScenario scenario, Collection<String> shipped) {
    Map<String, Integer> out = new HashMap<>();
    for (String id : shipped) {
      int i = position(id);
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

  private static String sku(int i) {
    return String.format("sku-%02d", i);
  }

  public long seed() {
    return seed;
  }

  /** The orders, in the order they are placed. */
  public List<OrderPlaced> orders() {
    return orders;
  }

  /** Units in stock per SKU before the first order. */
  public Map<String, Integer> initialStock() {
    return initialStock;
  }

  PaymentPlan paymentPlan(String orderId) {
    return paymentPlans.getOrDefault(orderId, PaymentPlan.CLEAN);
  }
}
