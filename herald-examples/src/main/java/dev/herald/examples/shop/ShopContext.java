package dev.herald.examples.shop;

import dev.herald.EventBus;

/**
 * What every service of one shop shares: its bus, the shop's own event counts, and what the log
 * says happened before this run ({@link ShopHistory}; empty on the in-memory bus).
 *
 * @param run the run this process places orders for, or null in a process that only serves (its
 *     services learn each event's run from the event, {@link ShopRun#of(dev.herald.Event)})
 * @param durable whether the bus stores events and subscriptions are durable
 * @param stock where inventory reads the decisions of other members of its group after it is given
 *     their SKUs (on Kafka); null where this process's inventory is the only one
 */
record ShopContext(
    EventBus bus,
    EventCounters counters,
    ShopHistory history,
    ShopRun run,
    boolean durable,
    InventoryService.StockHistory stock) {}
