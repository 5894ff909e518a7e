package dev.herald.bench;

import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * What a slow subscription costs the others: the delivery latency of a fast subscription while
 * {@code --slow} slow subscriptions, each with a deep backlog, keep every one of the bus's {@code
 * --workers} threads busy (by default as many slow subscriptions as workers).
 *
 * <p>Each slow handler holds its thread for {@code --slow-ms} (parked, as a handler waiting on I/O
 * would). One publisher thread sends an event to the fast subscription every {@code 1/--rate}
 * seconds; its handler records {@code now - intended send time} in an HdrHistogram, so a stall is
 * charged to every event scheduled during it. Not JMH: the figure is a latency distribution over a
 * few seconds, and the slow handlers would make any throughput score meaningless.
 *
 * <pre>
 * java -cp herald-benchmarks.jar dev.herald.bench.FairnessLatency \
 *     [--workers 2] [--slow 2] [--slow-ms 20] [--rate 200] [--warmup-ms 2000] [--measure-ms 10000]
 * </pre>
 */
public final class FairnessLatency {
  private static final String SLOW_TYPE = "bench.slow";
  private static final String FAST_TYPE = "bench.fast";

  private FairnessLatency() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> opts = parse(args);
    int workers = Integer.parseInt(opts.getOrDefault("workers", "2"));
    int slow = Integer.parseInt(opts.getOrDefault("slow", String.valueOf(workers)));
    long slowNanos =
        TimeUnit.MILLISECONDS.toNanos(Long.parseLong(opts.getOrDefault("slow-ms", "20")));
    long rate = Long.parseLong(opts.getOrDefault("rate", "200"));
    long warmupMs = Long.parseLong(opts.getOrDefault("warmup-ms", "2000"));
    long measureMs = Long.parseLong(opts.getOrDefault("measure-ms", "10000"));

    long totalMs = warmupMs + measureMs;
    // Enough work queued for each slow subscription to outlast the run by half as much again.
    int backlog = (int) Math.max(16, TimeUnit.MILLISECONDS.toNanos(totalMs) * 3 / 2 / slowNanos);
    long sends = rate * totalMs / 1000;
    long warmupSends = rate * warmupMs / 1000;
    Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    CountDownLatch received = new CountDownLatch((int) sends);

    EventBus bus = Herald.builder().workerThreads(workers).build();
    try {
      for (int i = 0; i < slow; i++) {
        bus.subscribe(
            SLOW_TYPE + "." + i,
            e -> LockSupport.parkNanos(slowNanos),
            SubscribeOptions.defaults().name("slow-" + i).mailboxCapacity(backlog));
        for (int j = 0; j < backlog; j++) {
          bus.emit(SLOW_TYPE + "." + i, j);
        }
      }
      long start = System.nanoTime();
      bus.subscribe(
          FAST_TYPE,
          e -> {
            long[] sent = (long[]) e.data();
            if (sent[1] >= warmupSends) {
              synchronized (latency) {
                latency.recordValue(System.nanoTime() - sent[0]);
              }
            }
            received.countDown();
          },
          SubscribeOptions.defaults().name("fast").mailboxCapacity((int) Math.max(16, sends)));
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      for (long i = 0; i < sends; i++) {
        long due = start + i * interval;
        for (long wait; (wait = due - System.nanoTime()) > 0; ) {
          LockSupport.parkNanos(wait);
        }
        bus.emit(FAST_TYPE, new long[] {due, i});
      }
      if (!received.await(5, TimeUnit.MINUTES)) {
        System.err.println("FairnessLatency: the fast subscription did not receive every event");
        System.exit(1);
      }
    } finally {
      // The slow backlog is left behind on purpose: close only waits briefly for it.
      bus.close(Duration.ofMillis(100));
    }
    System.out.printf(
        Locale.ROOT,
        "workers %d, %d slow subscription(s) of %d ms per event, fast events at %d/s for %d ms:"
            + " %d measured, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
        workers,
        slow,
        TimeUnit.NANOSECONDS.toMillis(slowNanos),
        rate,
        measureMs,
        latency.getTotalCount(),
        latency.getValueAtPercentile(50) / 1e6,
        latency.getValueAtPercentile(99) / 1e6,
        latency.getValueAtPercentile(99.9) / 1e6,
        latency.getMaxValue() / 1e6);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      opts.put(args[i].substring(2), args[++i]);
    }
    return opts;
  }
}
