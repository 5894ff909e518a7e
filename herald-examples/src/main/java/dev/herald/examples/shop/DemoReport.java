package dev.herald.examples.shop;

import java.util.Map;

/**
 * The outcome of one run of the shop demo: business results, the bus's accounting, the loss audit,
 * latency and throughput. Serialised as the {@code --json} line, field names as they are here.
 *
 * @param lost {@link LossAudit#total()}; zero for a correct run
 * @param latencyP50Ms order latency, placement to shipped or cancelled, median
 * @param elapsedMs from the first placement until every order had ended
 * @param eventsPerSecond events published on the bus until then, per second
 * @param events per event type: published and delivered by the shop's own counters, and what the
 *     analytics service processed and dropped
 * @param services per service: its subscriptions' counters added up
 */
public record DemoReport(
    long seed,
    int ordersRequested,
    long ordersPlaced,
    long ordersShipped,
    long ordersCancelled,
    long cancelledOutOfStock,
    long cancelledPaymentDeclined,
    long cancelledFailed,
    long customersNotified,
    long eventsPublished,
    long eventsDelivered,
    long deadLetters,
    long retries,
    long analyticsProcessed,
    long analyticsDropped,
    long lost,
    LossAudit lostDetail,
    double latencyP50Ms,
    double latencyP99Ms,
    double latencyMaxMs,
    long elapsedMs,
    double ordersPerSecond,
    double eventsPerSecond,
    boolean closeDrained,
    Map<String, Long> closeUndelivered,
    boolean closeThreadsStopped,
    Map<String, EventRow> events,
    Map<String, ServiceRow> services) {

  /** One event type's counts. */
  public record EventRow(
      long published, long delivered, long analyticsProcessed, long analyticsDropped) {}

  /** One service's counts: the sums over the subscriptions named {@code <service>.*}. */
  public record ServiceRow(
      long routed, long handled, long failed, long retried, long deadLettered, long dropped) {}
}
