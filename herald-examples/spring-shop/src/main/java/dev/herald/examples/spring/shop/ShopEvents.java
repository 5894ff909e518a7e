package dev.herald.examples.spring.shop;

/**
 * The shop's event types and payloads, in the order an order's flow produces them. Every event of
 * an order has the order id as its key, so an order's events keep their order on every transport,
 * and carries the order's correlation id ({@link dev.herald.Event#causedBy}).
 */
public final class ShopEvents {
  public static final String ORDER_PLACED = "order.placed";
  public static final String STOCK_RESERVED = "stock.reserved";
  public static final String ORDER_CANCELLED = "order.cancelled";
  public static final String PAYMENT_CHARGED = "payment.charged";
  public static final String ORDER_SHIPPED = "order.shipped";
  public static final String CUSTOMER_NOTIFIED = "customer.notified";

  /** A customer placed an order. */
  public record OrderPlaced(String orderId, String sku, int quantity, long cents) {}

  /** Inventory set the goods aside. */
  public record StockReserved(String orderId, String sku, int quantity, long cents) {}

  /** The order ended without shipping. */
  public record OrderCancelled(String orderId, String reason) {}

  /** The customer's card was charged. */
  public record PaymentCharged(String orderId, long cents) {}

  /** The order left the warehouse. */
  public record OrderShipped(String orderId, String parcel) {}

  /** The customer was told how the order ended: {@code shipped} or {@code cancelled}. */
  public record CustomerNotified(String orderId, String outcome) {}

  private ShopEvents() {}
}
