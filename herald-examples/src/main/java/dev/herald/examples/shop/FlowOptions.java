package dev.herald.examples.shop;

import dev.herald.Backpressure;
import dev.herald.SubscribeOptions;
import java.time.Duration;

/**
 * Mailbox sizing for the order flow, bounded by construction rather than by luck.
 *
 * <p>{@link OrderService} lets at most {@link #WINDOW} orders be open at once (placed, customer not
 * yet notified), and an open order has at most one event waiting in any one flow mailbox. So a flow
 * mailbox lane of {@code WINDOW} slots can never be full, whatever the number of orders: handlers
 * that publish never meet the engine's rule that a publish from a delivery thread into a full
 * {@code BLOCK} mailbox fails at once. Lanes get twice that, as headroom. {@code BLOCK} stays the
 * policy so that, should the arithmetic ever be wrong, a publisher outside the bus waits and a
 * handler fails loudly (and the run reports it as lost) instead of dropping silently.
 */
final class FlowOptions {
  /** Most orders open at once. */
  static final int WINDOW = 1024;

  /** How long the order placer may wait for room. */
  static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(30);

  private FlowOptions() {}

  /** Options of a flow subscription of one lane. */
  static SubscribeOptions flow(String name) {
    return flow(name, 1);
  }

  /** Options of a flow subscription of {@code lanes} lanes, keyed by order id. */
  static SubscribeOptions flow(String name, int lanes) {
    return SubscribeOptions.defaults()
        .name(name)
        .concurrency(lanes)
        .mailboxCapacity(2 * WINDOW * lanes)
        .backpressure(Backpressure.block(BLOCK_TIMEOUT));
  }
}
