package dev.herald.examples.shop;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one run of the shop demo, serialised as the {@code --json} object, field names as
 * they are here. Each figure has one scope, stated by the object it is in: {@link #thisRun} holds
 * what this process did, {@link #allRuns} (on the durable log only, else null) the log's totals
 * over every run on it, this one included. Off the log a run is all there is, and {@code thisRun}
 * says everything.
 *
 * @param transport {@code memory}, {@code log} or {@code kafka}
 * @param run the run's id, which every event's correlation id starts with ({@link ShopRun})
 * @param servicesHere the services this process ran
 * @param thisRun what this run did
 * @param allRuns on the durable log: every run on it so far, this one included; null elsewhere
 */
public record DemoReport(
    long seed,
    int ordersRequested,
    String transport,
    String run,
    List<String> servicesHere,
    ThisRun thisRun,
    AllRuns allRuns) {

  /**
   * Whether the run failed its checks: something lost, an order that ended twice or stock oversold
   * (in this run, or on the log in any run). The exit status says so.
   */
  public boolean failed() {
    return thisRun.lost() > 0
        || thisRun.ordersEndedTwice() + thisRun.oversoldUnits() > 0
        || allRuns != null
            && allRuns.duplicateOutcomes()
                    + allRuns.duplicateNotifications()
                    + allRuns.ordersEndedTwice()
                    + allRuns.oversoldUnits()
                > 0;
  }

  /**
   * What this run, this process, did. On the durable log the order figures are what this run added
   * to the log (a rerun that finds the shop finished places and ends nothing); event, service,
   * latency and time figures are this process's bus.
   *
   * @param ordersPlaced orders this run placed
   * @param ordersShipped orders this run ended as shipped, whichever run placed them
   * @param customersNotified orders whose customer this run told how they ended
   * @param ordersEndedTwice orders whose customer, as this process saw them, got a second outcome
   *     or a second message (under another event id than the first); zero for a correct run
   * @param oversoldUnits units this run's shipped orders took beyond the initial stock, summed over
   *     SKUs; zero for a correct run
   * @param eventsPublished events this run's bus published
   * @param deadLetters dead letters this run's bus published
   * @param lost {@link LossAudit#total()} of this run's audit; zero for a correct run. Its {@code
   *     unfinishedOrders} counts every order of the scenario not ended when this run was over,
   *     whichever run placed it: finishing them was this run's job.
   * @param latencyP50Ms order latency, placement to shipped or cancelled, median, over the orders
   *     this run both placed and ended
   * @param elapsedMs from this run's first placement until every order had ended
   * @param readyMs before the clock started: how long the durable subscriptions took to be ready
   *     (on Kafka, to join their consumer groups and be given partitions); 0 elsewhere
   * @param ordersPerSecond orders this run placed, per second of {@code elapsedMs}
   * @param eventsPerSecond events this run's bus published until then, per second
   * @param redeliveriesSkipped events delivered again whose handler had already published their
   *     effect (idempotence by event id); 0 on the in-memory bus
   * @param outcomesRedelivered order outcomes delivered again, recognised by event id
   * @param events per event type: published and delivered by the shop's own counters, and what the
   *     analytics service processed and dropped
   * @param services per service: its subscriptions' counters added up
   */
  public record ThisRun(
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
      long redeliveriesSkipped,
      long outcomesRedelivered,
      boolean closeDrained,
      Map<String, Long> closeUndelivered,
      boolean closeThreadsStopped,
      Map<String, EventRow> events,
      Map<String, ServiceRow> services) {}

  /**
   * On the durable log: the shop as its log tells it once this run is over, every run on the log so
   * far included, read back from the log.
   *
   * @param runs runs on this log so far, this one included
   * @param ordersPlaced orders placed by every run
   * @param ordersShipped orders ended as shipped (each order's first outcome)
   * @param customersNotified orders whose customer heard how they ended
   * @param eventsStored events in the log
   * @param deadLetters dead letters in the log
   * @param unfinishedOrders orders of the scenario not ended yet: the next run finishes them
   * @param duplicateOutcomes orders with a second outcome in the log: must be 0
   * @param duplicateNotifications customers told twice about an order: must be 0
   * @param ordersEndedTwice orders with a second outcome or message in the log: must be 0
   * @param oversoldUnits units every run's shipped orders took beyond the initial stock: must be 0
   * @param foreignEvents events in the log the shop does not know (undecodable ones included)
   */
  public record AllRuns(
      String directory,
      int runs,
      long ordersPlaced,
      long ordersShipped,
      long ordersCancelled,
      long cancelledOutOfStock,
      long cancelledPaymentDeclined,
      long cancelledFailed,
      long customersNotified,
      long eventsStored,
      long deadLetters,
      long unfinishedOrders,
      long duplicateOutcomes,
      long duplicateNotifications,
      long ordersEndedTwice,
      long oversoldUnits,
      long foreignEvents) {}

  /** One event type's counts. */
  public record EventRow(
      long published, long delivered, long analyticsProcessed, long analyticsDropped) {}

  /** One service's counts: the sums over the subscriptions named {@code <service>.*}. */
  public record ServiceRow(
      long routed, long handled, long failed, long retried, long deadLettered, long dropped) {}
}
