package dev.herald.bench;

/**
 * One line of the throughput table: a library in a topology.
 *
 * @param eventsPerSecond events delivered to every subscriber per second (JMH's score)
 * @param error JMH's 99.9% confidence half-width, NaN when there were too few iterations
 * @param ratioToHerald this score divided by Herald fire-and-forget's in the same topology
 * @param bytesPerEvent JMH {@code gc.alloc.rate.norm}, already per event (JMH divides by the
 *     {@code @OperationsPerInvocation}); NaN when run without {@code -prof gc}
 * @param low the least the score may be: the lower end of JMH's confidence interval, or the slowest
 *     measured round when JMH computed none; NaN when neither is known
 * @param high the most it may be, likewise
 */
record ThroughputRow(
    String topology,
    String library,
    double eventsPerSecond,
    double error,
    double ratioToHerald,
    double bytesPerEvent,
    double low,
    double high) {

  /** A row whose bounds are its score's confidence interval, when JMH gave one. */
  ThroughputRow(
      String topology,
      String library,
      double eventsPerSecond,
      double error,
      double ratioToHerald,
      double bytesPerEvent) {
    this(
        topology,
        library,
        eventsPerSecond,
        error,
        ratioToHerald,
        bytesPerEvent,
        Math.max(0, eventsPerSecond - error),
        eventsPerSecond + error);
  }
}
