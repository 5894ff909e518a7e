package dev.herald.bench;

/** Writes {@code docs/benchmarks.md} around the tables of a full run. */
final class BenchmarksPage {
  private BenchmarksPage() {}

  static String render(MachineInfo machine, String stamp, String tables) {
    return """
        # Benchmarks

        Herald side by side with the event buses Java projects use today, in one run, on one machine,
        with the same events: Guava's `EventBus` and `AsyncEventBus`, MBassador, greenrobot's
        EventBus, the LMAX Disruptor used directly (the upper bound for handing events between
        threads), and a Java port of the seed's Go bus (`dev.herald.bench.seed`), the baseline this
        project started from.

        This page is written by `./herald bench` (the full suite); do not edit the tables by hand.
        Full run `%s`:

        %s
        ![Throughput by library and topology](benchmarks-throughput.svg)

        %s
        ## How to reproduce

        ```
        ./herald bench           # the full suite, about 10 minutes; rewrites this page and the chart
        ./herald bench --quick   # every library in every topology in about 90 seconds
        ```

        Both write `bench/results/<timestamp>.json` and `.md` (plus `latest.json`, `latest.md`);
        `herald-bench/bench.sh` is the script behind `./herald bench`. Run a single benchmark with
        JMH's own options: `java -jar herald-bench/target/herald-benchmarks.jar
        OnePublisherOneSubscriber -p library=herald-emit,disruptor -prof gc`.

        ## What is measured

        - **Throughput** (JMH, `herald-bench/src/main/java/dev/herald/bench`): one operation
          publishes a batch of 10,000 events and returns only when every subscriber has counted
          all of them, so delivery is inside the measurement (`@OperationsPerInvocation(10000)`:
          the score is events per second). Topologies: `OnePublisherOneSubscriber` (1→1),
          `OnePublisherFourSubscribers` (1→4 fan-out; an event counts once, when all four have it)
          and `FourPublishersOneSubscriber` (4→1, four JMH threads, scores summed).
        - **Allocation per event**: JMH's `-prof gc` `gc.alloc.rate.norm`, which JMH already
          divides by the operations per invocation. Herald's figure includes the `Event` it wraps
          each payload in (`Event.of`), as a user's code would; the payload objects are built
          before the measurement for every library.
        - **Latency** (`LatencyAtFixedRate`, not JMH): 1→1 at a fixed offered rate, each event's
          latency taken from its *intended* send time into an HdrHistogram, so a publisher that
          stalls is charged for every event it should have sent meanwhile (no coordinated
          omission). A run that falls behind the offered rate is marked saturated.

        ## How each library is set up

        - Herald: `Herald.builder().build()` (its own pool, one thread per processor, at least 2);
          one subscription per subscriber on the exact type, mailbox 65,536,
          `Backpressure.block(30 s)` so nothing is dropped. `herald-emit` is `bus.emit(event)`,
          `herald-publish` is `bus.publish(event)` with the future ignored (its completion work is
          still measured).
        - Guava 33: `AsyncEventBus` on a fixed pool of the same size as Herald's, and the
          synchronous `EventBus` (handlers run on the publisher's thread: no hand-off at all).
          Handlers carry `@AllowConcurrentEvents`, Guava's fastest setting.
        - MBassador 1.3.2: default configuration, `publishAsync` (an unbounded queue, two
          dispatcher threads).
        - greenrobot EventBus 3.3.1 (`eventbus-java`): `ThreadMode.BACKGROUND` (one background
          poster) and `ThreadMode.ASYNC` (a pool task per event and subscriber), on a cached pool.
        - LMAX Disruptor 4.0.0: a 65,536-slot ring, one event processor thread per subscriber,
          single-producer sequencer for one publisher, `BlockingWaitStrategy` (its default; idle
          consumers sleep, as Herald's do).
        - Seed Go port: a map from type to lists of `SynchronousQueue` channels, published under the
          read lock of a `ReentrantReadWriteLock`, one consumer thread per subscriber.

        ## Notes, honestly

        - The machine is small and shared: two cores, with colleagues compiling and running tests
          at the same time. Absolute numbers move by tens of percent from run to run; the ratios
          between libraries measured in the same run are what we quote, and only from one run.
        - Two cores cannot host 1→4 or 4→1 without oversubscription: five or more busy threads take
          turns, so those topologies measure scheduling as much as the buses.
        - The synchronous buses (Guava `EventBus`) do no thread hand-off; they are listed to show
          what hand-off costs, not as asynchronous competitors.
        - Latency percentiles at the millisecond level on this machine come from threads being
          descheduled, not from the buses alone; compare libraries within one run.
        - Error columns are JMH's 99.9%% confidence intervals; a dash means too few iterations to
          compute one (the quick run).
        """
        .formatted(stamp, machine.markdown(), tables);
  }
}
