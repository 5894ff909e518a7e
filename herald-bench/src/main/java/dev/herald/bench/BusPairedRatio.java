package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

/**
 * The buses' ratio targets, paired ({@link PairedRounds}): Herald at its defaults and the libraries
 * it is held against live in one JVM and take turns, so each round's ratio compares adjacent
 * samples and the load drift of a shared machine moves both sides alike. One topology per JVM run
 * (1 publisher; {@code --subscribers 1} or {@code 4}), the same {@link Harness} as the JMH
 * benchmarks. Prints a Markdown table; {@code --json FILE} also writes it for {@link BenchReport}.
 *
 * <pre>
 * java -cp herald-benchmarks.jar dev.herald.bench.BusPairedRatio --subscribers 1 \
 *     [--libraries herald-emit,guava-async,disruptor] [--warmup-ms 5000] [--rounds 300]
 *     [--batches 2] [--near-below-ns 150] [--json FILE]
 * </pre>
 *
 * The first library is the reference: each row's ratio is the reference's throughput over that
 * library's, with its 95% interval. Each round is bracketed by a {@link CoreDistance} probe, and
 * the rows are given again over the rounds that ran wholly with the two cores near (a cache line's
 * round trip under {@code --near-below-ns}) and wholly far: that trip decides much of every bus's
 * throughput on the machine the benchmarks run on, and not equally for all.
 */
public final class BusPairedRatio {
  static final String DEFAULT_LIBRARIES = "herald-emit,herald-emit-tuned,guava-async,disruptor";

  private BusPairedRatio() {}

  /**
   * Below this round trip, the two cores count as near: the trip is about 70 ns or about 330 ns on
   * the machine the benchmarks run on (see {@link CoreDistance}).
   */
  static final double NEAR_BELOW_NANOS = 150;

  /** One library's median throughput, and the reference's ratio over it with its 95% interval. */
  record Row(String library, double medianPerSecond, double times, double low, double high) {}

  /** The rows over the rounds that ran wholly in one placement of the cores. */
  record Placed(int rounds, List<Row> rows) {}

  /**
   * A run: the rows over all rounds, then over the rounds with the cores near and far; {@code
   * tripBefore} and {@code tripAfter} are each round's probes (NaN when not probed).
   */
  record Result(
      List<Row> rows,
      double nearBelowNanos,
      Placed near,
      Placed far,
      double[] tripBefore,
      double[] tripAfter) {}

  public static void main(String[] args) throws IOException {
    int subscribers = 1;
    String libraries = DEFAULT_LIBRARIES;
    long warmupMs = 5000;
    int rounds = 300;
    int batches = 2;
    double nearBelow = NEAR_BELOW_NANOS;
    Path json = null;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + args[i]);
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--subscribers" -> subscribers = (int) PairedRounds.bounded(args[i], v, 1, 64);
        case "--libraries" -> libraries = v;
        case "--warmup-ms" -> warmupMs = PairedRounds.bounded(args[i], v, 0, 600_000);
        case "--rounds" -> rounds = (int) PairedRounds.bounded(args[i], v, 2, 100_000);
        case "--batches" -> batches = (int) PairedRounds.bounded(args[i], v, 1, 10_000);
        case "--near-below-ns" -> nearBelow = PairedRounds.bounded(args[i], v, 1, 1_000_000);
        case "--json" -> json = Path.of(v);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<Library> libs = new ArrayList<>();
    for (String id : libraries.split(",")) {
      libs.add(Library.byId(id.trim()));
    }
    Result result = measure(libs, subscribers, warmupMs, rounds, batches, true, nearBelow);
    System.out.print(table(subscribers, rounds, result));
    if (json != null) {
      write(json, subscribers, rounds, batches, result);
    }
  }

  /**
   * Measures {@code libraries} in turns, 1 publisher to {@code subscribers}; the first is the
   * reference. With {@code probe}, each round is bracketed by a {@link CoreDistance} probe and the
   * result has the rows per placement too.
   */
  static Result measure(
      List<Library> libraries,
      int subscribers,
      long warmupMs,
      int rounds,
      int batches,
      boolean probe,
      double nearBelowNanos) {
    List<Harness> harnesses = new ArrayList<>();
    try {
      List<LongSupplier> setups = new ArrayList<>();
      for (Library library : libraries) {
        Harness h = new Harness(library, 1, subscribers);
        harnesses.add(h);
        long[] sent = {0};
        setups.add(
            () -> {
              sent[0] = h.deliverBatch(0, sent[0]);
              return Harness.EVENTS_PER_OP;
            });
      }
      PairedRounds.Measured m = PairedRounds.measure(setups, warmupMs, rounds, batches, probe);
      int[] near = m.placed(true, nearBelowNanos);
      int[] far = m.placed(false, nearBelowNanos);
      return new Result(
          rows(libraries, m.perSecond(), IntStream.range(0, rounds).toArray()),
          nearBelowNanos,
          new Placed(near.length, rows(libraries, m.perSecond(), near)),
          new Placed(far.length, rows(libraries, m.perSecond(), far)),
          m.tripBefore(),
          m.tripAfter());
    } finally {
      for (Harness h : harnesses) {
        h.close();
      }
    }
  }

  /** The rows over the given rounds; none when there are fewer than two. */
  private static List<Row> rows(List<Library> libraries, double[][] perSecond, int[] rounds) {
    List<Row> rows = new ArrayList<>();
    if (rounds.length < 2) {
      return rows;
    }
    double[] reference = PairedRounds.select(perSecond[0], rounds);
    for (int s = 0; s < libraries.size(); s++) {
      double[] these = PairedRounds.select(perSecond[s], rounds);
      double[] times = PairedRounds.ratio(reference, these);
      rows.add(
          new Row(libraries.get(s).id, PairedRounds.median(these), times[0], times[1], times[2]));
    }
    return rows;
  }

  static String table(int subscribers, int rounds, Result result) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "1→%d, paired over %d rounds%n%n", subscribers, rounds));
    rowsTable(b, result.rows());
    int moved = rounds - result.near().rounds() - result.far().rounds();
    if (moved == rounds) {
      return b.toString(); // Not probed, or no round ran wholly in one placement.
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%nA cache line's round trip between two threads, probed around every round (%s ns"
                + " before the rounds; under %.0f ns counts as short): short through %d rounds, long"
                + " through %d, changed or unknown during %d%n",
            tripRange(result),
            result.nearBelowNanos(),
            result.near().rounds(),
            result.far().rounds(),
            moved));
    placedTable(b, "short", result.near());
    placedTable(b, "long", result.far());
    return b.toString();
  }

  private static void placedTable(StringBuilder b, String name, Placed placed) {
    if (placed.rows().isEmpty()) {
      return;
    }
    b.append(
        String.format(
            Locale.ROOT, "%nRounds with a %s round trip (%d):%n%n", name, placed.rounds()));
    rowsTable(b, placed.rows());
  }

  private static void rowsTable(StringBuilder b, List<Row> rows) {
    b.append(
        String.format(
            Locale.ROOT,
            "| library | events/s (median of rounds) | %s × it (95%% interval) |%n|---|---:|---:|%n",
            rows.get(0).library()));
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %.2f (%.2f to %.2f) |%n",
              r.library(),
              r.medianPerSecond(),
              r.times(),
              r.low(),
              r.high()));
    }
  }

  /** The lowest and highest probe before a round, as {@code low to high}. */
  private static String tripRange(Result result) {
    double low = Double.POSITIVE_INFINITY;
    double high = Double.NEGATIVE_INFINITY;
    for (double t : result.tripBefore()) {
      if (!Double.isNaN(t)) {
        low = Math.min(low, t);
        high = Math.max(high, t);
      }
    }
    return String.format(Locale.ROOT, "%.0f to %.0f", low, high);
  }

  private static void write(Path file, int subscribers, int rounds, int batches, Result result)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("publishers", 1);
    root.put("subscribers", subscribers);
    root.put("rounds", rounds);
    root.put("batches", batches);
    root.put("eventsPerBatch", Harness.EVENTS_PER_OP);
    root.put("reference", result.rows().get(0).library());
    putRows(root.putArray("rows"), result.rows());
    root.put("nearBelowNanos", result.nearBelowNanos());
    ArrayNode trips = root.putArray("roundTripNanos");
    for (int r = 0; r < rounds; r++) {
      ArrayNode pair = trips.addArray();
      pair.add(result.tripBefore()[r]);
      pair.add(result.tripAfter()[r]);
    }
    putPlaced(root.putObject("near"), result.near());
    putPlaced(root.putObject("far"), result.far());
    mapper.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }

  private static void putPlaced(ObjectNode o, Placed placed) {
    o.put("rounds", placed.rounds());
    putRows(o.putArray("rows"), placed.rows());
  }

  private static void putRows(ArrayNode array, List<Row> rows) {
    for (Row r : rows) {
      ObjectNode o = array.addObject();
      o.put("library", r.library());
      o.put("medianPerSecond", r.medianPerSecond());
      o.put("times", r.times());
      o.put("low", r.low());
      o.put("high", r.high());
    }
  }
}
