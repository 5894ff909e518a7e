package dev.herald.examples.shop;

import java.io.PrintWriter;
import java.util.Map;

/**
 * Prints a {@link DemoReport} as the human-readable summary of a run. On the durable log it has two
 * sections, each figure in one scope: "This run" (what this process did) and "Every run on this
 * log" (the log's totals, this run included), as the report's {@code thisRun} and {@code allRuns}.
 */
public final class SummaryTable {
  private SummaryTable() {}

  public static void print(DemoReport r, PrintWriter out) {
    DemoReport.AllRuns all = r.allRuns();
    DemoReport.ThisRun t = r.thisRun();
    out.printf(
        "Herald shop demo: %d orders, seed %d, %s%n%n",
        r.ordersRequested(),
        r.seed(),
        switch (r.transport()) {
          case "memory" -> "in-memory bus";
          case "log" -> "durable log in " + all.directory();
          default ->
              r.transport()
                  + ", run "
                  + r.run()
                  + ", services here: "
                  + String.join(", ", r.servicesHere());
        });
    if (all != null) {
      out.printf(
          "This run (run %d on this log; the runs before it placed %d orders and ended %d)%n",
          all.runs(),
          all.ordersPlaced() - t.ordersPlaced(),
          all.ordersShipped() + all.ordersCancelled() - t.ordersShipped() - t.ordersCancelled());
      orders(t, out);
      once(t, out);
      out.printf(
          "Resumed  skipped %d redelivered events already handled, saw %d outcomes again%n%n",
          t.redeliveriesSkipped(), t.outcomesRedelivered());
    } else {
      orders(t, out);
      once(t, out);
      out.println();
    }
    events(t, out);
    services(t, out);
    out.printf(
        "Latency  order placed -> shipped/cancelled: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        t.latencyP50Ms(), t.latencyP99Ms(), t.latencyMaxMs());
    out.printf(
        "Time     %d ms: %.0f orders/s, %.0f events/s%n",
        t.elapsedMs(), t.ordersPerSecond(), t.eventsPerSecond());
    if (t.readyMs() > 0) {
      out.printf(
          "Ready    %d ms before the first order: durable subscriptions joining their groups%n",
          t.readyMs());
    }
    LossAudit a = t.lostDetail();
    out.printf(
        "Lost     %d (unfinished orders %d, unaccounted events %d, lost dead letters %d,"
            + " unrouted %d, not stored %d)%n",
        t.lost(),
        a.unfinishedOrders(),
        a.unaccountedEvents(),
        a.lostDeadLetters(),
        a.unroutedEvents(),
        a.unstoredEvents());
    out.printf(
        "Close    drained %s, undelivered %s, threads stopped %s%n",
        t.closeDrained(), t.closeUndelivered(), t.closeThreadsStopped());
    if (all != null) {
      allRuns(all, out);
    }
  }

  private static void events(DemoReport.ThisRun t, PrintWriter out) {
    out.printf(
        "%-19s %10s %10s %10s %10s%n",
        "event type", "published", "deliveries", "analysed", "an.dropped");
    long[] total = new long[4];
    for (Map.Entry<String, DemoReport.EventRow> e : t.events().entrySet()) {
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
    out.printf("%-19s %10d %10d %10d %10d%n", "total", total[0], total[1], total[2], total[3]);
    out.printf(
        "(deliveries: handler calls that finished, over every order-flow subscriber of the type;"
            + " the bus counted %d published, %d delivered in all)%n%n",
        t.eventsPublished(), t.eventsDelivered());
  }

  private static void services(DemoReport.ThisRun t, PrintWriter out) {
    out.printf(
        "%-13s %9s %9s %9s %9s %9s %9s%n",
        "service", "routed", "handled", "failed", "retried", "dead-let.", "dropped");
    for (Map.Entry<String, DemoReport.ServiceRow> e : t.services().entrySet()) {
      DemoReport.ServiceRow s = e.getValue();
      out.printf(
          "%-13s %9d %9d %9d %9d %9d %9d%n",
          e.getKey(),
          s.routed(),
          s.handled(),
          s.failed(),
          s.retried(),
          s.deadLettered(),
          s.dropped());
    }
    out.println();
  }

  private static void allRuns(DemoReport.AllRuns all, PrintWriter out) {
    out.printf("%nEvery run on this log (%d runs, this one included)%n", all.runs());
    out.printf(
        "Orders   placed %d; ended %d: shipped %d, cancelled %d (out of stock %d, payment declined"
            + " %d, other %d); unfinished %d; customers notified %d%n",
        all.ordersPlaced(),
        all.ordersShipped() + all.ordersCancelled(),
        all.ordersShipped(),
        all.ordersCancelled(),
        all.cancelledOutOfStock(),
        all.cancelledPaymentDeclined(),
        all.cancelledFailed(),
        all.unfinishedOrders(),
        all.customersNotified());
    out.printf(
        "Events   %d stored, of which %d dead letters and %d the shop does not know%n",
        all.eventsStored(), all.deadLetters(), all.foreignEvents());
    out.printf(
        "Checks   orders with a second outcome %d, customers told twice %d, orders ended twice %d,"
            + " units oversold %d (all must be 0)%n",
        all.duplicateOutcomes(),
        all.duplicateNotifications(),
        all.ordersEndedTwice(),
        all.oversoldUnits());
  }

  private static void orders(DemoReport.ThisRun t, PrintWriter out) {
    out.printf(
        "Orders   placed %d; ended %d: shipped %d, cancelled %d (out of stock %d, payment declined"
            + " %d, other %d); customers notified %d%n",
        t.ordersPlaced(),
        t.ordersShipped() + t.ordersCancelled(),
        t.ordersShipped(),
        t.ordersCancelled(),
        t.cancelledOutOfStock(),
        t.cancelledPaymentDeclined(),
        t.cancelledFailed(),
        t.customersNotified());
  }

  private static void once(DemoReport.ThisRun t, PrintWriter out) {
    out.printf(
        "Once     orders ended twice (a second outcome or message) %d, units oversold %d%n",
        t.ordersEndedTwice(), t.oversoldUnits());
  }
}
