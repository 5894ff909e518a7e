package dev.herald.examples.spring.shop;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Subscribe;
import dev.herald.examples.spring.shop.ShopEvents.CustomerNotified;
import dev.herald.examples.spring.shop.ShopEvents.OrderPlaced;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/**
 * Places orders and learns how each ended: {@link #place} returns a future completed with the
 * outcome ({@code shipped} or {@code cancelled}) once the customer was notified. Thread-safe.
 */
@Service
public class Storefront {
  private final EventBus bus;
  private final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
  private final Map<String, String> placedEventIds = new ConcurrentHashMap<>();

  public Storefront(EventBus bus) {
    this.bus = bus;
  }

  /** Places {@code order}; the future completes once the customer was told how it ended. */
  public CompletableFuture<String> place(OrderPlaced order) {
    CompletableFuture<String> outcome = new CompletableFuture<>();
    pending.put(order.orderId(), outcome);
    Event<OrderPlaced> event =
        Event.<OrderPlaced>builder(ShopEvents.ORDER_PLACED)
            .key(order.orderId())
            .correlationId(order.orderId())
            .data(order)
            .build();
    placedEventIds.put(order.orderId(), event.id());
    bus.publish(event)
        .whenComplete(
            (result, failure) -> {
              if (failure != null) {
                outcome.completeExceptionally(failure);
              }
            });
    return outcome;
  }

  @Subscribe(type = ShopEvents.CUSTOMER_NOTIFIED, group = "storefront")
  void notified(Event<CustomerNotified> event) {
    CompletableFuture<String> outcome = pending.remove(event.data().orderId());
    if (outcome != null) {
      outcome.complete(event.data().outcome());
    }
  }

  /** The id of the {@code order.placed} event of each order placed, by order id. */
  public Map<String, String> placedEventIds() {
    return Map.copyOf(placedEventIds);
  }
}
