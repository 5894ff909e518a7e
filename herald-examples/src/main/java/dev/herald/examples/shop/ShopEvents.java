package dev.herald.examples.shop;

import java.util.List;

/**
 * The event types of the shop, in the order an order's flow produces them. Every event of one order
 * but {@code order.placed} has the order id as its key (so per-order order holds on every
 * transport); {@code order.placed} is keyed by SKU, so that one inventory member owns each SKU's
 * stock ({@link InventoryService}). Every event of an order carries the order's correlation id,
 * passed from cause to effect by {@link dev.herald.Event#causedBy}.
 */
public final class ShopEvents {
  /** A customer placed an order: {@link OrderPlaced}. */
  public static final String ORDER_PLACED = "order.placed";

  /** Inventory set the goods aside: {@link StockReserved}. */
  public static final String STOCK_RESERVED = "stock.reserved";

  /** Inventory had too few: {@link StockRejected}. */
  public static final String STOCK_REJECTED = "stock.rejected";

  /** The customer's card was charged: {@link PaymentCharged}. */
  public static final String PAYMENT_CHARGED = "payment.charged";

  /** The order ended without shipping: {@link OrderCancelled}. */
  public static final String ORDER_CANCELLED = "order.cancelled";

  /** The order left the warehouse: {@link OrderShipped}. */
  public static final String ORDER_SHIPPED = "order.shipped";

  /** The customer was told how the order ended: {@link CustomerNotified}. */
  public static final String CUSTOMER_NOTIFIED = "customer.notified";

  /**
   * A run of the shop on the durable log began: {@link RunStarted}. Not part of an order's flow.
   */
  public static final String RUN_STARTED = "shop.run.started";

  /** Every type of an order's flow, in flow order. */
  public static final List<String> ALL =
      List.of(
          ORDER_PLACED,
          STOCK_RESERVED,
          STOCK_REJECTED,
          PAYMENT_CHARGED,
          ORDER_CANCELLED,
          ORDER_SHIPPED,
          CUSTOMER_NOTIFIED);

  private ShopEvents() {}
}
