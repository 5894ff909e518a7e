package dev.herald.examples.shop;

import java.io.PrintWriter;
import java.util.Map;

/** Prints a {@link DemoReport} as the human-readable summary of a run. */
public final class SummaryTable {
  private SummaryTable() {}

  public static void print(DemoReport r, PrintWriter out) {
    DemoReport.Durable d = r.durable();
    out.printf(
        "Herald shop demo: %d orders, seed %d, %s%n%n",
        r.ordersRequested(),
        r.seed(),
        switch (r.transport()) {
          case "memory" -> "in-memory bus";
          case "log" -> "durable log in " + d.directory();
          default ->
              r.transport() + ", run " + r.run() + ", services here: "
                  + String.join(", ", r.servicesHere());
        });
    if (d != null) {
      out.printf(
          "Run %d   %d orders placed and %d events stored by earlier runs; this run published %d,"
              + " skipped %d redelivered events already handled, saw %d outcomes again%n"
              + "         customers who saw a second outcome %d, a second message %d"
              + " (order and event counts below are over every run)%n%n",
          d.runs(),
          d.resumedOrders(),
          d.eventsBefore(),
          d.eventsThisRun(),
          d.redeliveriesSkipped(),
          d.outcomesRedelivered(),
          d.duplicateOutcomes(),
          d.duplicateNotifications());
    }
    out.printf(
        "Orders   placed %d = shipped %d + cancelled %d (out of stock %d, payment declined %d,"
            + " other %d); customers notified %d%n",
        r.ordersPlaced(),
        r.ordersShipped(),
        r.ordersCancelled(),
        r.cancelledOutOfStock(),
        r.cancelledPaymentDeclined(),
        r.cancelledFailed(),
        r.customersNotified());
    out.printf(
        "Once     orders ended twice (a second outcome or message) %d, units oversold %d%n%n",
        r.ordersEndedTwice(),
        r.oversoldUnits());

    out.printf(
        "%-19s %10s %10s %10s %10s%n", "event type", "published", "deliveries", "analysed", "an.dropped");
    long[] total = new long[4];
    for (Map.Entry<String, DemoReport.EventRow> e : r.events().entrySet()) {
      DemoReport.EventRow row = e.getValue();
      out.printf(
          "%-19s %10d %10d %10d %10d%n",
          e.getKey(),
          row.published(),
          row.delivered(),
          row.analyticsProcessed(),
          row.analyticsDropped());
      total[0] += row.published();
      total[1] += row.delivered();
      total[2] += row.analyticsProcessed();
      total[3] += row.analyticsDropped();
    }
    out.printf(
        "%-19s %10d %10d %10d %10d%n", "total", total[0], total[1], total[2], total[3]);
    out.printf(
        "(deliveries: handler calls that finished, over every order-flow subscriber of the type;"
            + " the bus counted %d published, %d delivered in all)%n%n",
        r.eventsPublished(),
        r.eventsDelivered());

    out.printf(
        "%-13s %9s %9s %9s %9s %9s %9s%n",
        "service", "routed", "handled", "failed", "retried", "dead-let.", "dropped");
    for (Map.Entry<String, DemoReport.ServiceRow> e : r.services().entrySet()) {
      DemoReport.ServiceRow s = e.getValue();
      out.printf(
          "%-13s %9d %9d %9d %9d %9d %9d%n",
          e.getKey(), s.routed(), s.handled(), s.failed(), s.retried(), s.deadLettered(), s.dropped());
    }
    out.println();

    out.printf(
        "Latency  order placed -> shipped/cancelled: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        r.latencyP50Ms(), r.latencyP99Ms(), r.latencyMaxMs());
    out.printf(
        "Time     %d ms: %.0f orders/s, %.0f events/s%n",
        r.elapsedMs(), r.ordersPerSecond(), r.eventsPerSecond());
    if (r.readyMs() > 0) {
      out.printf(
          "Ready    %d ms before the first order: durable subscriptions joining their groups%n",
          r.readyMs());
    }
    LossAudit a = r.lostDetail();
    out.printf(
        "Lost     %d (unfinished orders %d, unaccounted events %d, lost dead letters %d,"
            + " unrouted %d, not stored %d)%n",
        r.lost(),
        a.unfinishedOrders(),
        a.unaccountedEvents(),
        a.lostDeadLetters(),
        a.unroutedEvents(),
        a.unstoredEvents());
    out.printf(
        "Close    drained %s, undelivered %s, threads stopped %s%n",
        r.closeDrained(), r.closeUndelivered(), r.closeThreadsStopped());
  }
}
