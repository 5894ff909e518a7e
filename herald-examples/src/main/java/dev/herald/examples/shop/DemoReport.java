package dev.herald.examples.shop;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one run of the shop demo: business results, the bus's accounting, the loss audit,
 * latency and throughput. Serialised as the {@code --json} line, field names as they are here.
 *
 * @param transport {@code memory}, {@code log} or {@code kafka}
 * @param run the run's id, which every event's correlation id starts with ({@link ShopRun})
 * @param servicesHere the services this process ran
 * @param ordersEndedTwice orders whose customer saw a second outcome or a second message (under
 *     another event id than the first); zero for a correct run
 * @param oversoldUnits units shipped beyond the initial stock, summed over SKUs; zero for a correct
 *     run
 * @param lost {@link LossAudit#total()}; zero for a correct run
 * @param latencyP50Ms order latency, placement to shipped or cancelled, median
 * @param elapsedMs from the first placement until every order had ended
 * @param readyMs before the clock started: how long the durable subscriptions took to be ready
 *     (on Kafka, to join their consumer groups and be given partitions); 0 elsewhere
 * @param eventsPerSecond events published on the bus until then, per second
 * @param events per event type: published and delivered by the shop's own counters, and what the
 *     analytics service processed and dropped
 * @param services per service: its subscriptions' counters added up
 */
public record DemoReport(
    long seed,
    int ordersRequested,
    String transport,
    String run,
    List<String> servicesHere,
    long ordersPlaced,
    long ordersShipped,
    long ordersCancelled,
    long cancelledOutOfStock,
    long cancelledPaymentDeclined,
    long cancelledFailed,
    long customersNotified,
    long ordersEndedTwice,
    long oversoldUnits,
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
    long readyMs,
    double ordersPerSecond,
    double eventsPerSecond,
    boolean closeDrained,
    Map<String, Long> closeUndelivered,
    boolean closeThreadsStopped,
    Map<String, EventRow> events,
    Map<String, ServiceRow> services,
    Durable durable) {

  /**
   * On the durable log: what earlier runs had done and how this run took over. The order and event
   * counts of the report are then totals over every run, read back from the log.
   *
   * @param runs runs on this log so far, this one included
   * @param resumedOrders orders placed by earlier runs
   * @param eventsBefore events in the log when this run started
   * @param eventsThisRun events this run published
   * @param redeliveriesSkipped events delivered again whose handler had already published their
   *     effect (idempotence by event id)
   * @param outcomesRedelivered order outcomes delivered again, recognised by event id
   * @param duplicateOutcomes orders with a second outcome in the log: must be 0
   * @param duplicateNotifications customers told twice about an order: must be 0
   * @param foreignEvents events in the log the shop does not know (undecodable ones included)
   */
  public record Durable(
      String directory,
      int runs,
      long resumedOrders,
      long eventsBefore,
      long eventsThisRun,
      long redeliveriesSkipped,
      long outcomesRedelivered,
      long duplicateOutcomes,
      long duplicateNotifications,
      long foreignEvents) {}


  /** One event type's counts. */
  public record EventRow(
      long published, long delivered, long analyticsProcessed, long analyticsDropped) {}

  /** One service's counts: the sums over the subscriptions named {@code <service>.*}. */
  public record ServiceRow(
      long routed, long handled, long failed, long retried, long deadLettered, long dropped) {}
}
