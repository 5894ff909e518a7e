package dev.herald.examples.shop;

import dev.herald.EventBus;

/**
 * What every service of one shop shares: its bus, the shop's own event counts, and what the log says
 * happened before this run ({@link ShopHistory}; empty on the in-memory bus).
 *
 * @param durable whether the bus stores events in a log and subscriptions are durable
 */
record ShopContext(EventBus bus, EventCounters counters, ShopHistory history, boolean durable) {}
