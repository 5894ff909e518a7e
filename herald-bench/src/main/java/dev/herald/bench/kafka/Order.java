package dev.herald.bench.kafka;

import java.util.Locale;

/**
 * The payload of every event in the Kafka benchmarks: a record whose JSON form is about 100 bytes,
 * as an application's event would be. Herald encodes it with its {@code JsonPayloadCodec}, the
 * plain client with a Jackson {@code ObjectMapper}; both write the same JSON.
 */
public record Order(
    String orderId, String customer, String sku, int quantity, long cents, String currency) {
  static final String TYPE = "bench.order.placed";

  /** {@code n} distinct orders, built before any measurement. */
  static Order[] sample(int n) {
    Order[] orders = new Order[n];
    for (int i = 0; i < n; i++) {
      orders[i] =
          new Order(
              String.format(Locale.ROOT, "o-%08d", i),
              String.format(Locale.ROOT, "c-%06d", i % 997),
              String.format(Locale.ROOT, "sku-%05d", i % 101),
              1 + i % 5,
              100L + i * 37L % 100_000,
              "EUR");
    }
    return orders;
  }
}
