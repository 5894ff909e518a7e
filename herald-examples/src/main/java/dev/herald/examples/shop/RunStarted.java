package dev.herald.examples.shop;

/**
 * The first event of every run on the durable log ({@code shop.run.started}): which run it is and
 * what scenario it plays, so that a later run can tell whether it continues the same shop.
 */
record RunStarted(int run, int orders, long seed) {}
