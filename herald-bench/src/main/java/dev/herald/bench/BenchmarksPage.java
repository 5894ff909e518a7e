package dev.herald.bench;

/**
 * Writes {@code docs/benchmarks.md} around the tables of a full run: the buses' ({@code
 * busTables}), the durable log's ({@code logSections}, from {@link LogReport#markdown}) and Kafka's
 * ({@code kafkaSections}, from {@link KafkaReport#markdown}); each of the last two is empty when
 * the run did not measure it.
 */
final class BenchmarksPage {
  private BenchmarksPage() {}

  static String render(
      MachineInfo machine,
      String stamp,
      String busTables,
      String settings,
      String limits,
      String logSections,
      String kafkaSections) {
    return """
        # Benchmarks

        Herald side by side with the event buses Java projects use today, in one run, on one machine,
        with the same events: Guava's `EventBus` and `AsyncEventBus`, MBassador, greenrobot's
        EventBus, the LMAX Disruptor used directly (the upper bound for handing events between
        threads), and a Java port of the seed's Go bus (`dev.herald.bench.seed`), the baseline this
        project started from. Then the durable log, against plain file writes and the in-memory
        bus ([Durable log](#durable-log)), and Herald on Kafka, against kafka-clients used
        directly and the durable log against a Kafka broker ([Kafka](#kafka)).

        This page is written by `./herald bench` (the full suite); do not edit the tables by hand.
        Full run `%s`:

        %s
        ![Throughput by library and topology](benchmarks-throughput.svg)

        %s
        %s
        %s
        ## How to reproduce

        ```
        ./herald bench              # the full suite, about 25 minutes; rewrites this page and the chart
        ./herald bench --quick      # every bus library in every topology, under 90 seconds in all
        ./herald bench --quick --all  # the same, then the durable log (about 30 s) and Kafka (about 100 s)
        ./herald bench --log-only   # only the durable log section, full length (about 2 minutes)
        ./herald bench --kafka-only # only the Kafka section, full length (about 5 minutes)
        ```

        All of them write `bench/results/<timestamp>.json` and `.md` (plus `latest.json`, `latest.md`);
        `herald-bench/bench.sh` is the script behind `./herald bench`. Run a single benchmark with
        JMH's own options: `java -jar herald-bench/target/herald-benchmarks.jar
        OnePublisherOneSubscriber -p library=herald-emit,disruptor -prof gc`. The durable log's
        part, exactly as the full run does it:

        ```
        java -jar herald-bench/target/herald-benchmarks.jar 'dev.herald.bench.log.*' \\
            -f 2 -wi 2 -w 1s -i 4 -r 1s -prof gc
        java -cp herald-bench/target/herald-benchmarks.jar \\
            dev.herald.bench.log.DurableLatencyAtFixedRate --rate 50000 --interval-ms 1000 \\
            --append-queue 65536 --warmup-ms 8000 --measure-ms 5000
        ```

        Kafka's part, exactly as the full run does it:

        ```
        java -jar herald-bench/target/herald-benchmarks.jar 'dev\\.herald\\.bench\\.kafka\\.' \\
            -f 2 -wi 2 -w 1s -i 4 -r 2s -prof gc
        ```

        The batch publish, exactly as the full run does it:

        ```
        java -jar herald-bench/target/herald-benchmarks.jar 'dev\\.herald\\.batchpublish\\.' \\
            -f 2 -wi 2 -w 1s -i 4 -r 1s -prof gc
        ```

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
          omission). A run that falls behind the offered rate is marked saturated. Each library
          runs in a JVM of its own, as JMH forks, which first runs the whole measurement once
          untimed: in a shared JVM whichever library ran first showed a p99 ten to thirty times
          its own in a second round, so the table measured the running order.

        ## How each library is set up

        - Herald, as a user writes it (`herald-emit`, `herald-publish`: the headline rows):
          `Herald.inMemory()` (its own pool, one thread per processor, at least 2), one
          subscription per subscriber by payload class (`bus.subscribe(Tick.class, handler,
          options)`), `SubscribeOptions.defaults()` (mailbox 8,192) with
          `Backpressure.block(30 s)` so nothing is dropped. `herald-emit` is `bus.emit(event)`,
          `herald-publish` is `bus.publish(event)` with the future ignored (its completion work is
          still measured). Beside them, one change each: `-tuned` a mailbox of 65,536 (larger than
          a benchmark batch, so a publisher never waits for room), `herald-emit-fj` the defaults
          on a `ForkJoinPool` in async mode (`Herald.builder().executor(pool)`, as many threads as
          Herald's pool) instead of Herald's own `WorkerPool`.
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
        - Herald's 1→1 rate has two levels on this machine: in phases of a run (seconds to a whole
          run; a third to a half of JVMs show one) Herald emits 4 to 6 million events a second instead
          of 11 to 15, while the Disruptor in the same JVM runs faster than usual. Not the garbage
          collector (it shows under Epsilon), not tiered compilation, not the worker pool (it shows
          with one worker thread, and on a `ForkJoinPool`), not the lanes' wake-ups (spinning before
          idling cut them fivefold and it stayed). What was found on 2026-12-05: both threads stay
          busy at the slow level with the same compiled code, and spend their time on a few memory
          instructions; with each ring slot on a cache line of its own, the slow level went away (2 of
          81 half-second windows, against 31 of 81) but so did the fast one (a steady 9 to 10
          million), and spreading consecutive slots a line apart did the same. So the slow level is
          the subscription's reader following its publisher within the same cache lines, each slot
          line passing between the cores at every entry, and the fast level comes from the reader
          taking whole lines written before. Pinning the publisher and the workers to fixed cores
          (`taskset`) kept every run at the fast level (16 of 16). Neither layout is kept: the slow
          level costs less on average than a layout without the fast one. A ratio can land on either
          level, which is much of the width of the 1→1 intervals. What decides the level was measured
          later that day: the time a cache line takes between two unpinned threads and back is about 70
          ns or about 330 ns, and changes between the two while a run goes on (pinned to the two cores,
          the same threads measure about 80 ns every time). Probed alternately with 0.3 s of Herald 1→1,
          in 135 samples: all 32 with a long trip before and after were at the slow level, and 88 of the
          94 with a short one at the fast level. `BusPairedRatio` now probes (`CoreDistance`) before and
          after every round and gives its rows again over the rounds that ran wholly with a short trip
          and wholly with a long one. Since 2026-12-06 the only reader of a ring keeps 32 entries
          behind a publisher that writes fast (`BroadcastRing.Member.KEEP_BEHIND`), so that it takes
          lines the publisher is done with: in an A/B of alternating JVMs, 1→1 with the cores far
          went from 4.8 to 7.6 and 10.1 million events a second, and with them near from 12 to 13 to
          15 to 20. The readers of a shared ring (1→4) still follow their publisher closely: their
          lanes share the workers, and a reader waiting to keep behind would hold one.

        ## What this run says about Herald's settings

        Each ratio is of this run's scores, with its bounds (see the targets above):

        %s
        ## What limits Herald against the targets

        %s
        - Error columns are JMH's 99.9%% confidence intervals; a dash means too few iterations to
          compute one (the quick run).
        """
        .formatted(
            stamp,
            machine.markdown(),
            busTables,
            durableLog(logSections),
            kafka(kafkaSections),
            settings,
            limits);
  }

  private static String durableLog(String logSections) {
    if (logSections.isEmpty()) {
      return "## Durable log\n\nNot measured in this run.\n";
    }
    return """
        ## Durable log

        `herald-log` measured alone (appends, group commit, this disk's fsync) and under the
        `EventBus` API (`LogTransport` and a durable subscription), each beside a baseline from
        the same run: plain `FileChannel` writes for appends, the in-memory bus for latency. The
        benchmarks are in `herald-bench/src/main/java/dev/herald/bench/log`.

        %s
        %s
        ### What is measured

        - **Appends** (`LogAppendOnePublisher`): one thread appends `LogRecord.of(payload)`, a
          100-byte payload with no key or headers (138 bytes on disk), keeping up to 4,096
          appends in flight (half the default append queue, so none is refused). One JMH
          operation appends 10,000 records and waits for the last future; futures complete in
          append order, so the score counts **acknowledged** appends: written to the OS, and
          fsynced too under `ALWAYS`. Default `LogOptions` except the flush policy and a
          retention of 512 MiB, so a long run does not fill the disk (64 MiB segments roll and
          are deleted by the writer, as in production).
        - **fsyncs/s** counts every file fsync the log makes (its policy's, and three per segment
          roll), through a counting `FileLayer`; records/fsync is the score divided by it.
        - **Group commit** (`LogAppendSixtyFourPublishers`): 64 JMH threads each call
          `append(record).join()` on one `ALWAYS` log, so every acknowledged record was fsynced.
        - **fsync latency** (`FsyncLatency`, JMH sample mode): write one 138-byte record after the
          previous one, then `FileChannel.force(true)`, as the log's writer forces a segment.
        - **Baselines** (`FileChannelWriteOnePublisher`): the same 138-byte records written by one
          thread with no queue, thread hand-off, CRC, index or future; `buffered` fills a 256 KiB
          buffer as the log's writer does (the upper bound), `perRecord` makes one `write` call
          per record. Neither forces.
        - **Latency** (`DurableLatencyAtFixedRate`, the same publisher and HdrHistogram as the
          buses' latency above): `bus.emit` at a fixed rate, the tick's intended send time as a
          `Long` payload. `herald-log-interval` and `herald-log-always` run the bus on
          `LogTransport` (defaults: JSON codec, offsets committed every 100 ms or 65,536 acknowledgements) with
          `FlushPolicy.interval(1000 ms)` or `always()` and one durable subscription (consumer
          group): publisher → log writer → the group's feed thread (read, CRC, decode) → mailbox
          → handler. `herald-log-interval-frequent-commits` commits the group's offset every 256
          acknowledgements instead (the default until this run), to show what frequent commits
          cost. `herald-memory` is the same
          code on the in-memory bus without a group. The log's append queue is 65,536 records
          here: with the default 8,192 a writer stall longer than 164 ms at 50,000 events/s
          (which this shared machine produces) refuses events, and the run is reported failed.
        - Histogram, mailbox (65,536) and backpressure (`block`) are as for the buses above.

        ### What limits the durable path (profiled with JFR `jdk.FileForce` and `-prof stack`)

        - **Offset commits used to run on the delivery path.** A group committed its offset
          every 256 acknowledgements on the thread that acknowledged, which is the Herald worker
          running the subscription's handler. Each commit replaces the offsets file atomically
          (temp file, fsync, rename, directory fsync), about 195 commits a second at 50,000
          events/s, and the subscription's lane waited for each: in run `20261127T075509Z`
          `herald-log-interval` fell behind at 24,378 events/s while
          a variant committing every 65,536 kept up. `herald-log` now commits on a thread of the
          feed's own (`herald-log-commit-<group>`), so an acknowledgement never waits for the disk,
          and by default only on its 100 ms timer (or after 65,536 acknowledgements): each commit's
          fsyncs also weigh on the log's own writes; the `frequent-commits` row shows their cost.
        - **`INTERVAL` fsyncs on a flusher thread.** Once a second the log's flusher
          (`herald-log-flush-<topic>`) forces the second of data written since the last fsync
          while the writer goes on writing to the page cache (positional writes and `force` may
          run at once on a `FileChannel`); it used to be the writer, and appends queued behind
          each fsync. Roll, retention and close wait for a force in progress; `ALWAYS` keeps its
          group commit on the writer.
        - **The append queue refuses rather than waits.** 8,192 records by default: a writer
          stall of 164 ms at 50,000 events/s (an fsync on a busy disk) fails the stores of the
          events that follow, and `emit` throws `StoreRefusedException`. Size
          `LogOptions.appendQueueCapacity` for the longest stall you tolerate.
        - **Appends from one publisher** are bound by the hand-off, not by the disk: a stack
          profile (`-prof stack`) of the `INTERVAL` run shows the writer and the publisher
          waking each other (`Unsafe.unpark`: the append queue's and the futures' signals),
          encoding with CRC32C, and the fsyncs and file deletions of segment rolls and
          retention; about 115 B are allocated per append (record, future, queue entry, boxed
          offset), against none for the plain `FileChannel` writes.
        - **Two cores, five busy threads.** The latency publisher spins between sends (as it does
          for the buses), holding one core; the log's writer and flusher, the group's feed and
          committer and the Herald worker share the other with whatever else runs, so events
          queue between the stages whenever one of them is descheduled. Each stage wakes the next
          (three hand-offs against the in-memory bus's one), and the p99 follows the worst waits.
          In loaded runs the in-memory baseline's own p99 is above 2 ms.
        - **Segment rolls stalled the writer.** Sealing a segment forced three files on the
          writer thread: 10–13 ms on this disk, every five seconds at 50,000 events/s, and a third
          of the events above the p99 in a probed run. Under `INTERVAL` the flusher now forces a
          segment the writer rolled away from, then moves the recovery point past it; recovery
          treats a torn tail at or past the recovery point as it does the active segment's.
        - **The JIT was still compiling.** After a one-second warm-up the compilers ran for
          0.2–1.1 s of the five measured seconds on a quiet machine (the JIT ms column), taking
          the core the log's threads share; the full run warms the durable path for 8 s.
        - **Garbage.** Decoding header names and repeating header values (type, source, content
          type) to cached strings (`TextCache`) and encoding names without a byte array took the
          codec path from about 4.3 to 2.8 KB per event: a young collection every 2.1 s instead of
          every 1.2 s at 50,000 events/s.
        - **The first measurement in a JVM** used to show the higher p50 whatever the setup:
          each setup now runs in a JVM of its own after an untimed round.
        """
        .formatted(LogReport.storage(), logSections);
  }

  private static String kafka(String kafkaSections) {
    if (kafkaSections.isEmpty()) {
      return "## Kafka\n\nNot measured in this run.\n";
    }
    return """
        ## Kafka

        Herald on `KafkaTransport` beside kafka-clients used directly, and the durable log beside a
        Kafka broker, on one Kafka 4.3 broker (KRaft, broker and controller in one node) started
        inside each benchmark's JVM from Kafka's own test kit: no Docker, no network hop, and the
        broker shares the two cores with the clients. The benchmarks are in
        `herald-bench/src/main/java/dev/herald/bench/kafka`.

        %s
        ### What is measured

        - **Produce** (`KafkaProduceOnePublisher`): one thread sends `Order` events (a record
          whose JSON is about 100 bytes) with up to 1,024 sends in flight; one JMH operation
          sends 10,000 and waits until every one is acknowledged, so the score counts
          acknowledged events. `herald` is `bus.publish(Event.of(type, order))` on
          `KafkaTransport` (its idempotent `acks=all` producer, `JsonPayloadCodec`, the default
          topic of 3 partitions, no key); the future completes when the store is acknowledged.
          `kafka-clients` is a `KafkaProducer` with the same settings (`acks=all`,
          `enable.idempotence`, `linger.ms` 5, `batch.size` 16 KiB, set on both) sending the
          CloudEvents binary-mode record an application would write by hand: `ce_id` (a random
          UUID), `ce_source`, `ce_specversion`, `ce_type`, `ce_time`, `content-type`, the JSON
          from a Jackson `ObjectMapper` (`PlainCloudEvents`). Herald writes the same plus its
          `herald_class` header. Both send with Kafka's default of 5 requests in flight per
          broker, set on both: Herald's transport defaults to 1 (lower latency in event flows,
          see `KafkaTransport`), and the comparison is of the clients' code, not of that setting.
        - **End to end** (`KafkaOnePublisherOneGroup`): the same publisher, and one consumer in a
          consumer group that decodes every event and counts it; an operation ends only when all
          10,000 have been counted (fully delivered). `herald` is a durable subscription
          (`SubscribeOptions.group`): the feed's poller and deliverer threads (the deliverer
          decodes a chunk of up to 256 records, then hands it over), the mailbox
          (65,536, `block`), a Herald worker running the handler, offsets committed every 4,096
          acknowledgements. `kafka-clients` is one thread that polls, decodes each record (every
          attribute, the time parsed, the JSON read into an `Order`) and commits each polled
          batch with `commitAsync`.
        - **The durable log against Kafka** (`StoreAppendOnePublisher`,
          `StoreOnePublisherOneReader`): 100-byte payloads without key or headers, 4,096 appends
          in flight, 10,000 per operation. The log: `Log.append` on a `herald-log` topic with
          default options and the row's flush policy, read back by a `LogReader` on its own
          thread. Kafka: a one-partition topic, a producer with `acks=1` (idempotence off, since
          it needs `acks=all`), read back by a consumer assigned the partition. The broker never
          forces its log (Kafka's default: `log.flush.interval.messages` and `.ms` unset), so
          Kafka acknowledges what is in the OS page cache, like `NEVER`; its durability comes
          from replication, which one node does not have. `INTERVAL` is the fairest comparison;
          `ALWAYS` promises more than Kafka does.
        - **B allocated/event** is JMH's `gc.alloc.rate.norm` over every thread of the JVM, the
          broker's included; the difference between the two clients is theirs.
        - Each trial (benchmark and parameter, per fork) starts its own broker, in its set-up,
          outside the measurement; its log directories are made under `java.io.tmpdir` and
          deleted when the trial ends.

        ### What costs Herald on Kafka (profiled with JFR and `-prof gc`)

        A JFR profile (`-XX:StartFlightRecording`, `jfr print`) of `herald` producing shows the
        publisher thread, not the broker, as the busiest: it allocates about two thirds of the
        JVM's bytes, and Herald's path allocates about 1.4 KB per event more than the plain
        client's in the same run (`-prof gc`). Of the publisher's allocation:

        - **Headers, built twice** (about 30%%): `CloudEventsBinary.encode` makes a
          `BinaryMessage.Header` per attribute (UTF-8 bytes), then `KafkaRecordDescriptor.toRecord`
          copies them into a new list of Kafka `RecordHeader`s; the plain client builds the
          `RecordHeader`s once. Proposed: let the codec write Kafka headers directly (a header
          sink, or `RecordHeader` from the start) and cache the bytes of the constant ones
          (`ce_specversion`, `ce_source`, `ce_type`, `content-type`, `herald_class`).
        - **One more header on the wire**: `herald_class` (the payload's class name, about 40
          bytes) makes every record larger, so batches hold fewer records.
        - **JSON encoding** (about 7%%), as for the plain client: `ObjectMapper` per event.
        - **Futures**: the producer callback completes Herald's `CompletableFuture`, the engine
          chains `whenComplete` (store failures) and `thenCombine` (with the in-process
          routing's tracker) onto it: three futures and a tracker per event where the plain
          client keeps the producer's own future. Proposed: return the store future directly
          when no in-process subscriber matched (the tracker is then already complete).
        - **End to end**, Herald adds two thread hand-offs the plain loop does not have
          (poller → deliverer → worker), each a park/unpark on a two-core machine that the
          broker, the producer's network thread and the publisher already share.

        These are proposals: `herald-kafka` and `herald-core` were not changed for this page.
        """
        .formatted(kafkaSections);
  }
}
