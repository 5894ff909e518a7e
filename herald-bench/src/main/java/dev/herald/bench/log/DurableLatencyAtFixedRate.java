package dev.herald.bench.log;

import dev.herald.bench.Contender;
import dev.herald.bench.ForkedRun;
import dev.herald.bench.LatencyAtFixedRate;
import dev.herald.bench.LatencyAtFixedRate.Result;
import dev.herald.bench.TickSink;
import dev.herald.log.FlushPolicy;
import dev.herald.log.LogOptions;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Publish → durable subscriber latency at a fixed offered rate through the whole {@code EventBus} +
 * {@code LogTransport} path, beside the in-memory bus at the same rate as the baseline. Uses {@link
 * LatencyAtFixedRate}'s publisher and HdrHistogram: latency is taken from each event's intended
 * send time, so a stalled publisher is charged for every event it should have sent meanwhile.
 * Setups (see {@link DurableBus}): {@code herald-memory}, {@code herald-log-interval} ({@code
 * FlushPolicy.interval(--interval-ms)}), {@code herald-log-interval-frequent-commits} (the same
 * with the group's offset committed every {@value #FREQUENT_COMMITS} acknowledgements instead of
 * the transport's default, to show what the commits cost), {@code herald-log-always}. {@code
 * --append-queue} is the log's append queue capacity (default: {@code LogOptions}'), {@code
 * --commit-every} the consumer group's commit period in acknowledgements (default: {@code
 * LogTransport}'s). A run in which the log refuses an event (append queue full) fails: its
 * subscriber would never get it. As in {@link LatencyAtFixedRate}, each setup runs in a JVM of its
 * own ({@code --fork true}) after one untimed round ({@code --warmup-rounds 1}): the first setup of
 * a shared JVM showed the higher p50 whatever it was.
 *
 * <pre>
 * java -cp herald-benchmarks.jar dev.herald.bench.log.DurableLatencyAtFixedRate \
 *     [--rate 50000] [--interval-ms 1000] [--append-queue 8192] [--commit-every 256] \
 *     [--warmup-ms 1000] [--measure-ms 3000] [--fork true] [--warmup-rounds 1] \
 *     [--setups herald-memory,herald-log-interval,herald-log-always] [--json out.json]
 * </pre>
 */
public final class DurableLatencyAtFixedRate {
  /** The setups in table order; the first is the baseline. */
  public static final List<String> SETUPS =
      List.of(
          "herald-memory",
          "herald-log-interval",
          "herald-log-interval-frequent-commits",
          "herald-log-always");

  /** About one offset commit per 1.3 s at 50,000 events/s. */
  static final int FREQUENT_COMMITS = 256;

  private DurableLatencyAtFixedRate() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> opts = LatencyAtFixedRate.parse(args);
    long rate = Long.parseLong(opts.getOrDefault("rate", "50000"));
    long intervalMs = Long.parseLong(opts.getOrDefault("interval-ms", "1000"));
    int appendQueue =
        Integer.parseInt(
            opts.getOrDefault(
                "append-queue", String.valueOf(LogOptions.defaults().appendQueueCapacity())));
    int commitEvery = Integer.parseInt(opts.getOrDefault("commit-every", "0"));
    long warmupMs = Long.parseLong(opts.getOrDefault("warmup-ms", "1000"));
    long measureMs = Long.parseLong(opts.getOrDefault("measure-ms", "3000"));
    ForkedRun.runEach(
        DurableLatencyAtFixedRate.class,
        opts,
        "setups",
        SETUPS,
        Row[].class,
        setup ->
            List.of(
                measure(setup, rate, intervalMs, appendQueue, commitEvery, warmupMs, measureMs)),
        String.format(
            Locale.ROOT,
            "%-32s %-14s %10s %10s %9s %9s %9s %10s %7s %12s %12s %7s",
            "setup",
            "topology",
            "offered/s",
            "achieved/s",
            "p50 us",
            "p99 us",
            "p99.9 us",
            "max us",
            "fsyncs",
            "fsync p99 us",
            "fsync max us",
            "jit ms"),
        r ->
            String.format(
                Locale.ROOT,
                "%-32s %-14s %10d %10.0f %9.1f %9.1f %9.1f %10.1f %7d %12.1f %12.1f %7d %s",
                r.library(),
                r.topology(),
                r.offeredPerSecond(),
                r.achievedPerSecond(),
                r.p50Micros(),
                r.p99Micros(),
                r.p999Micros(),
                r.maxMicros(),
                r.fsyncs(),
                r.fsyncP99Micros(),
                r.fsyncMaxMicros(),
                r.jitMillis(),
                r.failure() != null
                    ? "FAILED: " + r.failure()
                    : r.saturated() ? "SATURATED (could not keep up with the offered rate)" : ""));
  }

  /**
   * One setup's latency (values in microseconds, as {@link Result}) and what the log's writer did
   * meanwhile: its file fsyncs during the measurement and how long they took.
   */
  public record Row(
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
      int appendQueueCapacity,
      int commitEvery,
      long fsyncs,
      double fsyncP99Micros,
      double fsyncMaxMicros,
      long jitMillis,
      String failure) {}

  /**
   * Runs one setup at {@code rate} events per second, a warm-up then the measurement, with an
   * append queue of {@code appendQueue} records for the log setups.
   */
  public static Row measure(
      String setup,
      long rate,
      long intervalMillis,
      int appendQueue,
      int commitEvery,
      long warmupMs,
      long measureMs) {
    AtomicReference<DurableBus> opened = new AtomicReference<>();
    Function<TickSink, Contender> open =
        switch (setup) {
          case "herald-memory" -> DurableBus::inMemory;
          case "herald-log-interval" ->
              sink ->
                  DurableBus.onLog(
                      sink, FlushPolicy.interval(intervalMillis), appendQueue, commitEvery);
          case "herald-log-interval-frequent-commits" ->
              sink ->
                  DurableBus.onLog(
                      sink, FlushPolicy.interval(intervalMillis), appendQueue, FREQUENT_COMMITS);
          case "herald-log-always" ->
              sink -> DurableBus.onLog(sink, FlushPolicy.always(), appendQueue, commitEvery);
          default ->
              throw new IllegalArgumentException("unknown setup '" + setup + "'; known: " + SETUPS);
        };
    int commits = setup.endsWith("frequent-commits") ? FREQUENT_COMMITS : commitEvery;
    boolean log = !setup.equals("herald-memory");
    Result r;
    try {
      r =
          LatencyAtFixedRate.measure(
              setup,
              log ? "1->1 durable" : "1->1",
              sink -> {
                DurableBus bus = (DurableBus) open.apply(sink);
                opened.set(bus);
                return bus;
              },
              rate,
              warmupMs,
              measureMs);
    } catch (IllegalStateException e) {
      // The log refused events, or they never arrived: no latency to report, but a result.
      double none = Double.NaN;
      return new Row(
          setup,
          "1->1 durable",
          rate,
          0,
          none,
          true,
          none,
          none,
          none,
          none,
          appendQueue,
          commits,
          0,
          none,
          none,
          -1,
          e.getMessage());
    }
    // Includes the warm-up's fsyncs: the histogram is cumulative over the bus's life.
    Histogram fsync = opened.get().fsyncNanos();
    return new Row(
        r.library(),
        r.topology(),
        r.offeredPerSecond(),
        r.events(),
        r.achievedPerSecond(),
        r.saturated(),
        r.p50Micros(),
        r.p99Micros(),
        r.p999Micros(),
        r.maxMicros(),
        log ? appendQueue : 0,
        log ? commits : 0,
        opened.get().fsyncs(),
        fsync.getTotalCount() == 0 ? Double.NaN : fsync.getValueAtPercentile(99) / 1e3,
        fsync.getTotalCount() == 0 ? Double.NaN : fsync.getMaxValue() / 1e3,
        r.jitMillis(),
        null);
  }
}
