package dev.herald.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency from publish to handler, 1→1, at a fixed offered rate, for each library. Not JMH: one
 * publisher thread sends tick {@code i} at {@code start + i / rate}, spinning until that instant,
 * and the subscriber records {@code now - intended send time} in an HdrHistogram. Measuring from
 * the intended time, not the actual one, keeps stalls visible: when a publish blocks, the ticks
 * scheduled meanwhile are charged the wait (no coordinated omission). A library that cannot keep up
 * falls behind its schedule; past {@link #MAX_LAG_NANOS} the run stops, and a run that achieved
 * less than 95% of the offered rate is marked saturated.
 *
 * <p>Each library runs in a JVM of its own ({@code --fork true}, the default), as JMH forks, and
 * that JVM first runs the whole measurement once untimed ({@code --warmup-rounds 1}): whichever
 * library ran first in a fresh JVM showed a p99 ten to thirty times its own in a second round, so a
 * shared JVM measured the running order, not the libraries.
 *
 * <pre>
 * java -cp herald-benchmarks.jar dev.herald.bench.LatencyAtFixedRate \
 *     [--rates 100000,1000000] [--warmup-ms 1000] [--measure-ms 3000] \
 *     [--libraries herald-emit,disruptor,...] [--fork true] [--warmup-rounds 1] [--json out.json]
 * </pre>
 */
public final class LatencyAtFixedRate {
  private static final long MAX_LAG_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long DRAIN_STALL_NANOS = TimeUnit.SECONDS.toNanos(30);

  private LatencyAtFixedRate() {}

  /** The latency of one library at one offered rate; values in microseconds. */
  public record Result(
      String library,
      String topology,
      long offeredPerSecond,
      long events,
      double achievedPerSecond,
      boolean saturated,
      double p50Micros,
      double p99Micros,
      double p999Micros,
      double maxMicros,
      long jitMillis) {}

  /**
   * Milliseconds the JIT compilers spent so far (summed over compiler threads), or -1 when the JVM
   * does not say. Read around the measured round: compiling competes with the measured threads for
   * the cores, so a round during which the JIT still worked measured the warm-up as well.
   */
  static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : -1;
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> opts = parse(args);
    long[] rates =
        Arrays.stream(opts.getOrDefault("rates", "100000,1000000").split(","))
            .mapToLong(Long::parseLong)
            .toArray();
    long warmupMs = Long.parseLong(opts.getOrDefault("warmup-ms", "1000"));
    long measureMs = Long.parseLong(opts.getOrDefault("measure-ms", "3000"));
    ForkedRun.runEach(
        LatencyAtFixedRate.class,
        opts,
        "libraries",
        Arrays.asList(Library.ids()),
        Result[].class,
        id -> {
          List<Result> measured = new ArrayList<>();
          for (long rate : rates) {
            measured.add(measure(Library.byId(id), rate, warmupMs, measureMs));
          }
          return measured;
        },
        String.format(
            Locale.ROOT,
            "%-22s %10s %10s %9s %9s %9s %10s %7s",
            "library",
            "offered/s",
            "achieved/s",
            "p50 us",
            "p99 us",
            "p99.9 us",
            "max us",
            "jit ms"),
        r ->
            String.format(
                Locale.ROOT,
                "%-22s %10d %10.0f %9.1f %9.1f %9.1f %10.1f %7d %s",
                r.library(),
                r.offeredPerSecond(),
                r.achievedPerSecond(),
                r.p50Micros(),
                r.p99Micros(),
                r.p999Micros(),
                r.maxMicros(),
                r.jitMillis(),
                r.saturated() ? "SATURATED (could not keep up with the offered rate)" : ""));
  }

  /** Runs {@code library} 1→1 at {@code rate} ticks per second: a warm-up, then the measurement. */
  public static Result measure(String libraryId, long rate, long warmupMs, long measureMs) {
    return measure(Library.byId(libraryId), rate, warmupMs, measureMs);
  }

  static Result measure(Library library, long rate, long warmupMs, long measureMs) {
    return measure(
        library.id, "1->1", sink -> library.open(1, List.of(sink)), rate, warmupMs, measureMs);
  }

  /**
   * Runs the bus that {@code open} sets up around one subscriber sink at {@code rate} ticks per
   * second: a warm-up, then the measurement. The result carries {@code id} and {@code topology}.
   */
  public static Result measure(
      String id,
      String topology,
      Function<TickSink, Contender> open,
      long rate,
      long warmupMs,
      long measureMs) {
    Recorder recorder = new Recorder(3);
    Arrival delivered = new Arrival();
    TickSink sink =
        tick -> {
          recorder.recordValue(System.nanoTime() - tick.intendedNanos);
          delivered.arrive();
        };
    try (Contender bus = open.apply(sink)) {
      long warmupEvents = rate * warmupMs / 1000;
      long measureEvents = Math.max(1, rate * measureMs / 1000);
      Run warm = send(bus, delivered, 0, warmupEvents, rate);
      recorder.reset();
      long jitBefore = jitMillis();
      Run run = send(bus, delivered, warm.sentTotal, measureEvents, rate);
      long jitAfter = jitMillis();
      Histogram h = recorder.getIntervalHistogram();
      double achieved = run.sent * 1e9 / Math.max(1, run.elapsedNanos);
      return new Result(
          id,
          topology,
          rate,
          run.sent,
          achieved,
          warm.saturated || run.saturated || achieved < 0.95 * rate,
          h.getValueAtPercentile(50) / 1e3,
          h.getValueAtPercentile(99) / 1e3,
          h.getValueAtPercentile(99.9) / 1e3,
          h.getMaxValue() / 1e3,
          jitBefore < 0 ? -1 : jitAfter - jitBefore);
    }
  }

  private record Run(long sent, long sentTotal, long elapsedNanos, boolean saturated) {}

  /** Sends {@code events} ticks on schedule, then waits until all of them were delivered. */
  private static Run send(
      Contender bus, Arrival delivered, long sentBefore, long events, long rate) {
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
    long sent = 0;
    boolean saturated = false;
    while (sent < events) {
      // Multiply before dividing: no drift, whatever the rate.
      long intended = start + sent * 1_000_000_000L / rate;
      long now;
      while ((now = System.nanoTime()) < intended) {
        Thread.onSpinWait();
      }
      if (now - intended > MAX_LAG_NANOS) {
        saturated = true;
        break;
      }
      bus.publish(new Tick(0, intended));
      sent++;
    }
    long total = sentBefore + sent;
    delivered.expect(total);
    delivered.await(total, DRAIN_STALL_NANOS);
    return new Run(sent, total, System.nanoTime() - start, saturated);
  }

  /** Reads {@code --name value} pairs. */
  public static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got '" + a + "'");
      }
      m.put(a.substring(2), args[++i]);
    }
    return m;
  }
}
