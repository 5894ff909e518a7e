package dev.herald;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of a bus's counters. Every published event is exactly one of routed, stored only or
 * unrouted, so once every publish has returned:
 *
 * <pre>{@code published == routed + storedOnly + unrouted}</pre>
 *
 * <p>On a bus with a transport every event but replies is handed to the transport, so there is no
 * unrouted event: an event that no subscription of this process takes is stored for the durable
 * subscriptions (consumer groups), wherever they run. Once every store has completed, {@code stored
 * + storeFailed} is the number of events handed to the transport.
 *
 * @param published events accepted by publish or emit, and the bus's own (dead letters, replies)
 * @param routed events routed to at least one subscription of this process (stored or not)
 * @param storedOnly events that were handed to the transport to store for durable subscriptions and
 *     reached no subscription of this process: those that matched none, and those an {@code emit}
 *     or {@code emitAll} handed to the transport that refused them at once (a {@link
 *     StoreRefusedException}: such an event is never routed, even if a subscription matches it);
 *     those whose store failed are also counted in {@code storeFailed}
 * @param unrouted events that matched no subscription of this process and were not handed to a
 *     transport: they went nowhere but to the unrouted channel ({@link EventBus#subscribeUnrouted},
 *     {@link BusListener#onUnrouted})
 * @param stored events the transport confirmed as stored, routed or not; 0 without a transport
 * @param storeFailed events the transport failed to store (see {@link BusListener#onStoreFailed})
 * @param subscriptions a snapshot per live subscription
 * @param listenerErrors calls to the bus's {@link BusListener}, and to an interceptor's {@link
 *     dev.herald.spi.Interceptor#onPublished}, that threw (each is also logged; delivery carries
 *     on)
 * @param droppedByReason events dropped at subscriptions, per reason, over the bus's life: every
 *     subscription's, closed ones included (each was reported to {@link BusListener#onDropped});
 *     every reason is a key
 */
public record BusStats(
    long published,
    long routed,
    long storedOnly,
    long unrouted,
    long stored,
    long storeFailed,
    List<SubscriptionStats> subscriptions,
    long listenerErrors,
    Map<DropReason, Long> droppedByReason) {
  public BusStats {
    subscriptions = List.copyOf(subscriptions);
    EnumMap<DropReason, Long> all = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      all.put(r, droppedByReason.getOrDefault(r, 0L));
    }
    droppedByReason = Collections.unmodifiableMap(all);
  }

  /** Events dropped at subscriptions for {@code reason}, over the bus's life. */
  public long dropped(DropReason reason) {
    return droppedByReason.get(reason);
  }

  /** The snapshot of the subscription with this name, or null. */
  public SubscriptionStats subscription(String name) {
    for (SubscriptionStats s : subscriptions) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
