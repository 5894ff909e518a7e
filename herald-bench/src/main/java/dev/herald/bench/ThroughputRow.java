package dev.herald.bench;

/**
 * One line of the throughput table: a library in a topology.
 *
 * @param eventsPerSecond events delivered to every subscriber per second (JMH's score)
 * @param error JMH's 99.9% confidence half-width, NaN when there were too few iterations
 * @param ratioToHerald this score divided by Herald fire-and-forget's in the same topology
 * @param bytesPerEvent JMH {@code gc.alloc.rate.norm}, already per event (JMH divides by the
 *     {@code @OperationsPerInvocation}); NaN when run without {@code -prof gc}
 */
record ThroughputRow(
    String topology,
    String library,
    double eventsPerSecond,
    double error,
    double ratioToHerald,
    double bytesPerEvent) {}
