package dev.herald.bench.listener;

import dev.herald.bench.PairedRounds;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The same comparison as {@link AnnotatedListenerOnePublisher}, paired ({@link PairedRounds}): the
 * three setups live in one JVM and take turns, so the ratio's error stays small where JMH's
 * separate trials cannot tell 10% apart. Prints a Markdown table.
 *
 * <pre>
 * java -cp herald-benchmarks.jar dev.herald.bench.listener.ListenerPairedRatio \
 *     [--warmup-ms 3000] [--rounds 200] [--batches 4]
 * </pre>
 */
public final class ListenerPairedRatio {
  static final String[] HANDLERS = {"lambda", "annotated", "annotated-method-handle"};

  private ListenerPairedRatio() {}

  /** One setup's throughput over the rounds, and its ratio against the lambda. */
  public record Row(
      String handler, double medianPerSecond, double ratio, double ratioLow, double ratioHigh) {}

  public static void main(String[] args) {
    long warmupMs = 3000;
    int rounds = 200;
    int batches = 4;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + args[i]);
      }
      switch (args[i]) {
        case "--warmup-ms" -> warmupMs = PairedRounds.bounded(args[i], args[i + 1], 0, 600_000);
        case "--rounds" -> rounds = (int) PairedRounds.bounded(args[i], args[i + 1], 2, 100_000);
        case "--batches" -> batches = (int) PairedRounds.bounded(args[i], args[i + 1], 1, 10_000);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    System.out.print(table(measure(warmupMs, rounds, batches)));
  }

  /** Warms every setup for {@code warmupMs} in turns, then measures {@code rounds} rounds. */
  public static List<Row> measure(long warmupMs, int rounds, int batches) {
    AnnotatedListenerOnePublisher[] setups = new AnnotatedListenerOnePublisher[HANDLERS.length];
    try {
      List<LongSupplier> batchOf = new ArrayList<>();
      for (int s = 0; s < setups.length; s++) {
        AnnotatedListenerOnePublisher setup = new AnnotatedListenerOnePublisher();
        setups[s] = setup;
        setup.handler = HANDLERS[s];
        setup.open();
        batchOf.add(
            () -> {
              setup.deliver();
              return AnnotatedListenerOnePublisher.EVENTS_PER_OP;
            });
      }
      double[][] perSecond = PairedRounds.measure(batchOf, warmupMs, rounds, batches);
      List<Row> rows = new ArrayList<>();
      for (PairedRounds.Row r : PairedRounds.rows(List.of(HANDLERS), perSecond)) {
        rows.add(new Row(r.name(), r.medianPerSecond(), r.ratio(), r.ratioLow(), r.ratioHigh()));
      }
      return rows;
    } finally {
      for (AnnotatedListenerOnePublisher s : setups) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  public static String table(List<Row> rows) {
    StringBuilder b =
        new StringBuilder(
            "| handler | events/s (median of rounds) | against the lambda (95% interval) |\n"
                + "|---|---:|---:|\n");
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %.3f (%.3f to %.3f) |%n",
              r.handler(),
              r.medianPerSecond(),
              r.ratio(),
              r.ratioLow(),
              r.ratioHigh()));
    }
    return b.toString();
  }
}
