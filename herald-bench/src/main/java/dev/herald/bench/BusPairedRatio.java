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
 *     [--batches 2] [--json FILE]
 * </pre>
 *
 * The first library is the reference: each row's ratio is the reference's throughput over that
 * library's, with its 95% interval.
 */
public final class BusPairedRatio {
  static final String DEFAULT_LIBRARIES = "herald-emit,herald-emit-tuned,guava-async,disruptor";

  private BusPairedRatio() {}

  /** One library's median throughput, and the reference's ratio over it with its 95% interval. */
  record Row(String library, double medianPerSecond, double times, double low, double high) {}

  public static void main(String[] args) throws IOException {
    int subscribers = 1;
    String libraries = DEFAULT_LIBRARIES;
    long warmupMs = 5000;
    int rounds = 300;
    int batches = 2;
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
        case "--json" -> json = Path.of(v);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<Library> libs = new ArrayList<>();
    for (String id : libraries.split(",")) {
      libs.add(Library.byId(id.trim()));
    }
    List<Row> rows = measure(libs, subscribers, warmupMs, rounds, batches);
    System.out.print(table(subscribers, rounds, rows));
    if (json != null) {
      write(json, subscribers, rounds, batches, rows);
    }
  }

  /**
   * Measures {@code libraries} in turns, 1 publisher to {@code subscribers}; the first is the
   * reference.
   */
  static List<Row> measure(
      List<Library> libraries, int subscribers, long warmupMs, int rounds, int batches) {
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
      double[][] perSecond = PairedRounds.measure(setups, warmupMs, rounds, batches);
      List<Row> rows = new ArrayList<>();
      for (int s = 0; s < libraries.size(); s++) {
        double[] times = PairedRounds.ratio(perSecond[0], perSecond[s]);
        rows.add(
            new Row(
                libraries.get(s).id,
                PairedRounds.median(perSecond[s]),
                times[0],
                times[1],
                times[2]));
      }
      return rows;
    } finally {
      for (Harness h : harnesses) {
        h.close();
      }
    }
  }

  static String table(int subscribers, int rounds, List<Row> rows) {
    String reference = rows.get(0).library();
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "1→%d, paired over %d rounds%n%n| library | events/s (median of rounds) | %s ×"
                    + " it (95%% interval) |%n|---|---:|---:|%n",
                subscribers,
                rounds,
                reference));
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
    return b.toString();
  }

  private static void write(Path file, int subscribers, int rounds, int batches, List<Row> rows)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("publishers", 1);
    root.put("subscribers", subscribers);
    root.put("rounds", rounds);
    root.put("batches", batches);
    root.put("eventsPerBatch", Harness.EVENTS_PER_OP);
    root.put("reference", rows.get(0).library());
    ArrayNode array = root.putArray("rows");
    for (Row r : rows) {
      ObjectNode o = array.addObject();
      o.put("library", r.library());
      o.put("medianPerSecond", r.medianPerSecond());
      o.put("times", r.times());
      o.put("low", r.low());
      o.put("high", r.high());
    }
    mapper.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }
}
