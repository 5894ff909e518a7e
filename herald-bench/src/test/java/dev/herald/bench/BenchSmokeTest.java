package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.bench.listener.ListenerPairedRatio;
import dev.herald.bench.listener.ListenerRatio;
import dev.herald.bench.log.DurableLatencyAtFixedRate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Proves the harness works, not how fast anything is: one tiny in-process iteration of every
 * benchmark and every library, one tiny latency run per library, the same for the durable log's
 * benchmarks, and the report built from them. Nothing here asserts a timing.
 */
class BenchSmokeTest {
  private static final String LOG_BENCHMARKS = "dev\\.herald\\.bench\\.log\\..*";
  private static final String KAFKA_BENCHMARKS = "dev\\.herald\\.bench\\.kafka\\..*";
  private static final String QUEUE_BENCHMARKS = "dev\\.herald\\.bench\\.queue\\..*";
  // The HTTP gateway's benchmarks start servers of their own; run on their own (docs/server.md).
  private static final String HTTP_BENCHMARKS = "dev\\.herald\\.bench\\.http\\..*";
  // An annotated listener against the same lambda: a section of its own (bench.sh, full run).
  private static final String LISTENER_BENCHMARKS = "dev\\.herald\\.bench\\.listener\\..*";
  // Herald's own cost on one thread (LaneTurn): run on demand, not part of the bus tables.
  private static final String LANE_BENCHMARKS = "dev\\.herald\\.bench\\.lane\\..*";

  @BeforeAll
  static void runBesideOtherJmhRuns() {
    // JMH refuses to start while another run on the machine holds /tmp/jmh.lock; a smoke test
    // measures nothing, so it need not wait for a colleague's benchmark to finish.
    System.setProperty("jmh.ignoreLock", "true");
  }

  /**
   * One untimed pass, in this JVM, of the benchmarks {@code include} names, each measured for
   * {@code millis}, failing on any error: what every smoke run here starts from.
   */
  private static ChainedOptionsBuilder once(String include, long millis) {
    return new OptionsBuilder()
        .include(include)
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(millis))
        .shouldFailOnError(true);
  }

  @Test
  void everyBenchmarkRunsForEveryLibraryAndTheReportRendersIt(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("jmh.json");
    Options options =
        once("dev\\.herald\\.bench\\..*", 100)
            .exclude(LOG_BENCHMARKS)
            .exclude(KAFKA_BENCHMARKS)
            .exclude(QUEUE_BENCHMARKS)
            .exclude(HTTP_BENCHMARKS)
            .exclude(LISTENER_BENCHMARKS)
            .exclude(LANE_BENCHMARKS)
            .resultFormat(ResultFormatType.JSON)
            .result(json.toString())
            .build();

    Collection<RunResult> results = new Runner(options).run();

    int expected = Library.values().length * BenchReport.TOPOLOGIES.size();
    assertThat(results).hasSize(expected);
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getScore())
          .as(r.getParams().getBenchmark() + " " + r.getParams().getParam("library"))
          .isPositive();
    }

    List<ThroughputRow> rows =
        BenchReport.throughputRows(new ObjectMapper().readTree(json.toFile()));
    assertThat(rows).hasSize(expected);
    assertThat(rows).allSatisfy(row -> assertThat(row.eventsPerSecond()).isPositive());
    assertThat(BenchReport.throughputTable(rows)).contains("| 1→4 | herald-emit |");
    assertThat(ThroughputChart.render(rows, "smoke")).startsWith("<svg").contains("4→1");
  }

  @Test
  void latencyHarnessMeasuresEveryLibrary() {
    for (Library library : Library.values()) {
      // 10,000 events/s for 20 ms: two hundred events.
      LatencyAtFixedRate.Result r = LatencyAtFixedRate.measure(library, 10_000, 10, 20);
      assertThat(r.events()).as(library.id).isPositive();
      assertThat(r.p50Micros()).as(library.id).isPositive();
      assertThat(r.maxMicros()).as(library.id).isGreaterThanOrEqualTo(r.p99Micros());
    }
  }

  @Test
  void everyDurableLogBenchmarkRunsAndTheReportRendersIt(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("log-jmh.json");
    Collection<RunResult> results = runInProcess(LOG_BENCHMARKS, json, dir.resolve("scratch"));

    // LogAppendOnePublisher x 2 flush policies, 64 publishers, 2 FileChannel baselines, fsync.
    assertThat(results).hasSize(6);
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getScore())
          .as(r.getParams().getBenchmark() + " " + r.getParams().getParam("flush"))
          .isPositive();
    }
    assertScratchDeleted(dir.resolve("scratch"));

    JsonNode jmh = new ObjectMapper().readTree(json.toFile());
    List<LogReport.AppendRow> rows = LogReport.appendRows(jmh);
    assertThat(rows).hasSize(5).allSatisfy(row -> assertThat(row.perSecond()).isPositive());
    assertThat(LogReport.fsync(jmh).samples()).isPositive();
    DurableLatencyAtFixedRate.Row latency =
        DurableLatencyAtFixedRate.measure("herald-log-interval", 10_000, 1000, 8192, 0, 10, 20);
    JsonNode latencyJson = new ObjectMapper().valueToTree(List.of(latency));
    assertThat(LogReport.markdown(jmh, latencyJson))
        .contains("| `Log.append(..).join()` per thread | ALWAYS | 64 |")
        .contains("| herald-log-interval | 1→1 durable | 10,000 |")
        .contains("publish → durable subscriber");
  }

  @Test
  void everyKafkaBenchmarkRunsAndTheReportRendersIt(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("kafka-jmh.json");
    Collection<RunResult> results = runInProcess(KAFKA_BENCHMARKS, json, dir.resolve("scratch"));

    // Produce and end to end x 2 clients; append and append-read x 3 stores.
    assertThat(results).hasSize(10);
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getScore())
          .as(
              r.getParams().getBenchmark()
                  + " "
                  + r.getParams().getParam("client")
                  + r.getParams().getParam("store"))
          .isPositive();
    }
    assertScratchDeleted(dir.resolve("scratch"));

    JsonNode jmh = new ObjectMapper().readTree(json.toFile());
    assertThat(KafkaReport.clientRows(jmh)).hasSize(4);
    assertThat(KafkaReport.storeRows(jmh)).hasSize(6);
    assertThat(KafkaReport.targets(KafkaReport.clientRows(jmh))).hasSize(2);
    assertThat(KafkaReport.markdown(jmh, "1.0 at the start, 2.0 at the end"))
        .contains("| produce, acknowledged (`acks=all`, idempotent) | herald |")
        .contains("| publish → consumer group, fully delivered | kafka-clients |")
        .contains("| append → read | Kafka, `acks=1` |")
        .contains("overhead ≤ 10%");
  }

  /**
   * One tiny iteration of {@code include}, in this JVM (forks(0)), results as JSON in {@code json};
   * the benchmarks' scratch directories go under {@code scratch}, which they read from this JVM's
   * property.
   */
  private static Collection<RunResult> runInProcess(String include, Path json, Path scratch)
      throws Exception {
    Options options =
        once(include, 100).resultFormat(ResultFormatType.JSON).result(json.toString()).build();
    System.setProperty("herald.bench.dir", scratch.toString());
    try {
      return new Runner(options).run();
    } finally {
      System.clearProperty("herald.bench.dir");
    }
  }

  private static void assertScratchDeleted(Path scratch) throws Exception {
    try (Stream<Path> left = Files.list(scratch)) {
      assertThat(left).as("scratch directories are deleted").isEmpty();
    }
  }

  @Test
  void durableLatencyHarnessMeasuresEverySetup() {
    for (String setup : DurableLatencyAtFixedRate.SETUPS) {
      // 10,000 events/s for 20 ms: two hundred events.
      DurableLatencyAtFixedRate.Row r =
          DurableLatencyAtFixedRate.measure(setup, 10_000, 1000, 8192, 0, 10, 20);
      assertThat(r.events()).as(setup).isPositive();
      assertThat(r.p50Micros()).as(setup).isPositive();
      assertThat(r.maxMicros()).as(setup).isGreaterThanOrEqualTo(r.p99Micros());
    }
  }

  @Test
  void queueBenchmarksRunForEveryQueue() throws Exception {
    Options options = once(QUEUE_BENCHMARKS, 100).build();

    Collection<RunResult> results = new Runner(options).run();

    // Two groups (1 and 4 producers) for each of the four queues.
    assertThat(results).hasSize(8);
    for (RunResult r : results) {
      assertThat(r.getSecondaryResults().get("polled").getScore())
          .as(r.getParams().getBenchmark() + " " + r.getParams().getParam("queue"))
          .isPositive();
    }
  }

  @Test
  void theBatchPublishBenchmarkRunsEachWayAndItsSectionRendersEveryRatio(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("batch.json");
    Options options =
        once("dev\\.herald\\.batchpublish\\..*", 100)
            .resultFormat(ResultFormatType.JSON)
            .result(json.toString())
            .build();

    Collection<RunResult> results = new Runner(options).run();

    assertThat(results)
        .extracting(r -> r.getParams().getParam("contender"))
        .containsExactlyInAnyOrder(BatchReport.EMIT_ALL, BatchReport.EMIT, BatchReport.DISRUPTOR);
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getScore())
          .as(r.getParams().getParam("contender"))
          .isPositive();
    }
    String md = BatchReport.markdown(new ObjectMapper().readTree(json.toFile()));
    assertThat(md)
        .contains("## Batch publish, 1→1")
        .contains("| " + BatchReport.EMIT_ALL + " | ")
        .contains("| " + BatchReport.DISRUPTOR + " | ")
        .containsPattern(
            "`emitAll` delivered \\d+\\.\\d\\d× \\(\\d+\\.\\d\\d–[\\d.∞]+×\\) the rate of `emit`")
        .containsPattern(
            "and \\d+\\.\\d\\d× \\(\\d+\\.\\d\\d–[\\d.∞]+×\\) the rate of the Disruptor's");
  }

  /** One and four subscriptions, each with its own mailboxes (fail) and sharing a ring (block). */
  @Test
  void laneTurnDeliversEveryBatchOnOneThreadForOneAndFourSubscriptionsUnderEitherPolicy()
      throws Exception {
    Options options =
        once(LANE_BENCHMARKS, 200) // the benchmark throws if a batch was not wholly delivered
            .build();

    Collection<RunResult> results = new Runner(options).run();

    assertThat(results)
        .extracting(
            r ->
                r.getParams().getParam("subscribers")
                    + "/"
                    + r.getParams().getParam("backpressure"))
        .containsExactlyInAnyOrder("1/fail", "4/fail", "1/block", "4/block");
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getScore())
          .as(
              "subscribers %s, %s",
              r.getParams().getParam("subscribers"), r.getParams().getParam("backpressure"))
          .isPositive();
    }
  }

  @Test
  void theHttpPublishBenchmarksRunEachWay() throws Exception {
    Options options = once(HTTP_BENCHMARKS, 300).build();

    Collection<RunResult> results = new Runner(options).run();

    // single, singleWide, batch, direct, directBatch, directBatchTogether, bare, bareBatch;
    // StructuredEventToRecord's tree, onePass
    assertThat(results).hasSize(10);
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getScore()).as(r.getParams().getBenchmark()).isPositive();
    }
  }

  @Test
  void theAnnotatedListenerBenchmarkRunsEachHandlerAndTheRatioIsPrinted(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("listener-jmh.json");
    Collection<RunResult> results = runInProcess(LISTENER_BENCHMARKS, json, dir.resolve("scratch"));

    // lambda, annotated, annotated-method-handle
    assertThat(results).hasSize(3);
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getScore())
          .as(r.getParams().getParam("handler"))
          .isPositive();
    }
    Map<String, ListenerRatio.Score> scores =
        ListenerRatio.scores(new ObjectMapper().readTree(json.toFile()));
    assertThat(scores).containsOnlyKeys("lambda", "annotated", "annotated-method-handle");
    List<ListenerRatio.Ratio> ratios = ListenerRatio.ratios(scores);
    assertThat(ratios)
        .extracting(ListenerRatio.Ratio::handler)
        .containsExactly("annotated", "annotated-method-handle");
    assertThat(ratios).allSatisfy(r -> assertThat(r.ratio()).isPositive());
    assertThat(ListenerRatio.table(scores, ratios))
        .contains("| lambda | ")
        .contains("| 1 (the baseline) |")
        .containsPattern("\\| annotated \\| [0-9,]+ \\| [^|]+ \\| [0-9.]+ ± ([0-9.]+|–) \\|");
  }

  @Test
  void thePairedListenerComparisonMeasuresEveryHandler() {
    List<ListenerPairedRatio.Row> rows = ListenerPairedRatio.measure(0, 3, 1);

    assertThat(rows)
        .extracting(ListenerPairedRatio.Row::handler)
        .containsExactly("lambda", "annotated", "annotated-method-handle");
    assertThat(rows.get(0).ratio()).isEqualTo(1.0);
    assertThat(rows)
        .allSatisfy(
            r -> {
              assertThat(r.medianPerSecond()).as(r.handler()).isPositive();
              assertThat(r.ratioLow()).as(r.handler()).isPositive().isLessThanOrEqualTo(r.ratio());
              assertThat(r.ratioHigh()).as(r.handler()).isGreaterThanOrEqualTo(r.ratio());
            });
    assertThat(ListenerPairedRatio.table(rows)).contains("| annotated | ");
  }

  @Test
  void thePairedBusComparisonMeasuresEveryLibraryAgainstHerald() {
    BusPairedRatio.Result result =
        BusPairedRatio.measure(
            List.of(Library.HERALD_EMIT, Library.GUAVA_ASYNC, Library.DISRUPTOR),
            4,
            0,
            3,
            1,
            true,
            BusPairedRatio.NEAR_BELOW_NANOS);
    List<BusPairedRatio.Row> rows = result.rows();

    assertThat(rows)
        .extracting(BusPairedRatio.Row::library)
        .containsExactly("herald-emit", "guava-async", "disruptor");
    assertThat(rows.get(0).times()).isEqualTo(1.0);
    assertThat(rows)
        .allSatisfy(
            r -> {
              assertThat(r.medianPerSecond()).as(r.library()).isPositive();
              assertThat(r.low()).as(r.library()).isPositive().isLessThanOrEqualTo(r.times());
              assertThat(r.high()).as(r.library()).isGreaterThanOrEqualTo(r.times());
            });
    assertThat(result.tripBefore()).hasSize(3);
    int near = 0;
    int far = 0;
    for (int r = 0; r < 3; r++) {
      double before = result.tripBefore()[r];
      double after = result.tripAfter()[r];
      double limit = BusPairedRatio.NEAR_BELOW_NANOS;
      near += before < limit && after < limit ? 1 : 0;
      far += before >= limit && after >= limit ? 1 : 0;
    }
    // Each round is counted in the placement both its probes give, and only then.
    assertThat(result.near().rounds()).isEqualTo(near);
    assertThat(result.far().rounds()).isEqualTo(far);
    assertThat(BusPairedRatio.table(4, 3, result))
        .contains("1→4, paired over 3 rounds")
        .contains("| disruptor | ");
  }

  @Test
  void reportWritesJsonMarkdownAndChart(@TempDir Path dir) throws Exception {
    Path jmh = dir.resolve("jmh.json");
    Files.writeString(
        jmh,
        """
        [{"benchmark":"dev.herald.bench.OnePublisherOneSubscriber.deliver",
          "params":{"library":"herald-emit"},
          "primaryMetric":{"score":2000000.0,"scoreError":"NaN"},
          "secondaryMetrics":{"gc.alloc.rate.norm":{"score":64.0}}},
         {"benchmark":"dev.herald.bench.OnePublisherOneSubscriber.deliver",
          "params":{"library":"guava-async"},
          "primaryMetric":{"score":500000.0,"scoreError":1000.0},
          "secondaryMetrics":{}}]
        """);
    Path out = dir.resolve("results");

    BenchReport.main(
        new String[] {
          "--jmh", jmh.toString(), "--out", out.toString(), "--stamp", "t", "--mode", "quick"
        });

    assertThat(out.resolve("latest.json")).exists();
    assertThat(Files.readString(out.resolve("latest.md")))
        .contains("| 1→1 | herald-emit | 2,000,000 | – | 1.00 | 64.0 |")
        .contains("| 1→1 | guava-async | 500,000 | 1,000 | 0.25 | – |");
    assertThat(out.resolve("t-throughput.svg")).exists();
  }
}
