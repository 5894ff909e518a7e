package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop split over real processes on one broker, as the README's "The shop on Kafka" runs it: a
 * back office ({@code inventory,payment}) and a storefront ({@code orders,shipping,notification}),
 * each a JVM of its own. Back offices are killed with SIGKILL mid-run; the storefront must still
 * see every order end exactly once, no stock oversold, nothing lost, soon after the back office is
 * back. And the same seed gives the same business outcome in memory, on the log and on Kafka. One
 * broker for the class; each test's storefront is a run of its own (its run id), so runs never mix,
 * and each test stops the processes it started.
 */
class KafkaShopProcessesTest {
  static final String BACK_OFFICE = "inventory,payment";
  static final String STOREFRONT = "orders,shipping,notification";

  /** Whole seconds a storefront may take to finish once the killed back office is replaced. */
  static final long FINISH_AFTER_RESTART_SECONDS = 25;

  static EmbeddedKafka kafka;
  static Admin admin;

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
    admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (admin != null) {
      admin.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Process p : started) {
      p.toHandle()
          .destroy(); // SIGTERM: a back office leaves its groups, sparing the next test the wait
    }
    for (Process p : started) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void theReadmeSplitSetupLosesNothingAndExitsZero() throws Exception {
    // Exactly the README's two commands: no analytics anywhere, so no process takes every event.
    launch("back-office", "demo", "--kafka", kafka.bootstrapServers(), "--services", BACK_OFFICE);
    Process storefront =
        launch(
            "storefront",
            "demo",
            "--kafka",
            kafka.bootstrapServers(),
            "--services",
            STOREFRONT,
            "--json");
    assertThat(storefront.waitFor(3, TimeUnit.MINUTES)).as("storefront finished").isTrue();
    JsonNode report = report("storefront");
    assertThat(report.get("lost").asLong()).as("%s", report.get("lostDetail")).isZero();
    assertThat(storefront.exitValue()).as(stderr("storefront")).isZero();
    assertThat(report.get("ordersShipped").asLong() + report.get("ordersCancelled").asLong())
        .isEqualTo(1000);
    assertThat(report.get("ordersEndedTwice").asLong()).isZero();
    assertThat(report.get("oversoldUnits").asLong()).isZero();
  }

  @Test
  void aBackOfficeKilledAndRestartedLeavesEveryOrderEndedOnce() throws Exception {
    Process backOffice =
        launch(
            "back-office-1",
            "demo",
            "--kafka",
            kafka.bootstrapServers(),
            "--services",
            BACK_OFFICE);
    long before = eventsInTopic();
    Process storefront = storefront(300, 11);
    killMidRun(backOffice, before, storefront, 300);
    launch("back-office-2", "demo", "--kafka", kafka.bootstrapServers(), "--services", BACK_OFFICE);
    long restarted = System.nanoTime();

    assertFinishedOnce(storefront, 300, restarted);
    assertThat(stderr("storefront")).contains("no order has ended for");
    // The new back office read what the dead one had published before serving: it handled none of
    // those events again, so the topic holds no second copy of any event of the run.
    assertThat(copiesInTopic(summary("storefront").get("run").asText()))
        .as("events of the run stored twice under one id")
        .isZero();
  }

  @Test
  void oneOfTwoBackOfficesKilledLeavesEveryOrderEndedOnceAndNothingOversold() throws Exception {
    Process first =
        launch(
            "back-office-1",
            "demo",
            "--kafka",
            kafka.bootstrapServers(),
            "--services",
            BACK_OFFICE);
    launch("back-office-2", "demo", "--kafka", kafka.bootstrapServers(), "--services", BACK_OFFICE);
    long before = eventsInTopic();
    Process storefront = storefront(300, 12);
    killMidRun(first, before, storefront, 300);
    long killed = System.nanoTime();

    assertFinishedOnce(storefront, 300, killed);
  }

  /**
   * A longer run, whose orders keep coming after the back offices have committed some of their
   * decisions: the survivor takes over SKUs another back office reserved units of, and must not
   * promise those units again.
   */
  @Test
  void theSurvivorOfTwoBackOfficesTakesOverTheDeadOnesStock() throws Exception {
    Process first =
        launch(
            "back-office-1",
            "demo",
            "--kafka",
            kafka.bootstrapServers(),
            "--services",
            BACK_OFFICE);
    launch("back-office-2", "demo", "--kafka", kafka.bootstrapServers(), "--services", BACK_OFFICE);
    long before = eventsInTopic();
    int orders = 3000;
    Process storefront = storefront(orders, 13);
    // About half the orders in: the window (1024 open orders) paces the rest behind completions.
    killMidRun(first, before, storefront, 2L * orders);
    long killed = System.nanoTime();

    assertFinishedOnce(storefront, orders, killed);
    // And as one inventory deciding every order in sequence would have: the seed's outcome.
    JsonNode onKafka = report("storefront");
    JsonNode memory = inProcess(new String[] {"--orders", "" + orders, "--seed", "13", "--json"});
    for (String field : List.of("ordersShipped", "cancelledOutOfStock")) {
      assertThat(onKafka.get(field)).as(field).isEqualTo(memory.get(field));
    }
  }

  @Test
  void theSameSeedGivesTheSameOutcomeOnEveryTransport() throws Exception {
    // Seed 42's 1000 orders: before inventory owned stock per SKU, Kafka shipped 925 where the
    // in-memory bus and the log shipped 927, as arrival across partitions decided who came first.
    String[] scenario = {"--orders", "1000", "--seed", "42", "--json"};
    JsonNode memory = inProcess(scenario);
    JsonNode log = inProcess(scenario, "--durable", dir.resolve("log").toString());
    JsonNode onKafka = inProcess(scenario, "--kafka", kafka.bootstrapServers());
    for (String field :
        List.of(
            "ordersShipped",
            "ordersCancelled",
            "cancelledOutOfStock",
            "cancelledPaymentDeclined",
            "cancelledFailed")) {
      assertThat(log.get(field)).as("log " + field).isEqualTo(memory.get(field));
      assertThat(onKafka.get(field)).as("kafka " + field).isEqualTo(memory.get(field));
    }
    for (JsonNode r : List.of(memory, log, onKafka)) {
      assertThat(r.get("lost").asLong()).as("%s", r.get("lostDetail")).isZero();
      assertThat(r.get("ordersEndedTwice").asLong()).isZero();
      assertThat(r.get("oversoldUnits").asLong()).isZero();
    }
  }

  private static JsonNode inProcess(String[] scenario, String... transport) throws Exception {
    List<String> args = new ArrayList<>(List.of("demo"));
    args.addAll(List.of(transport));
    args.addAll(List.of(scenario));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        Main.run(
            args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(status).as("%s%nstdout: %s%nstderr: %s", args, out, err).isZero();
    List<String> lines = out.toString().lines().toList();
    return new ObjectMapper().readTree(lines.get(lines.size() - 1)).get("thisRun");
  }

  private Process storefront(int orders, long seed) throws IOException {
    return launch(
        "storefront",
        "demo",
        "--kafka",
        kafka.bootstrapServers(),
        "--services",
        STOREFRONT,
        "--orders",
        "" + orders,
        "--seed",
        "" + seed,
        "--json");
  }

  /**
   * SIGKILL once the run has stored its orders and the back office has answered about a third of
   * them (a record count, at no moment the processes choose): mid-run for the back office.
   */
  private void killMidRun(Process backOffice, long eventsBefore, Process storefront, int orders)
      throws Exception {
    killMidRun(backOffice, eventsBefore, storefront, (long) (orders + orders / 3));
  }

  /** SIGKILL once the run has stored {@code events} events. */
  private void killMidRun(Process backOffice, long eventsBefore, Process storefront, long events)
      throws Exception {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> !storefront.isAlive() || eventsInTopic() - eventsBefore >= events);
    assertThat(storefront.isAlive())
        .as("storefront still running when the back office is killed")
        .isTrue();
    backOffice.toHandle().destroyForcibly(); // SIGKILL: no hook, no commit, no leaving the group
    assertThat(backOffice.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  private void assertFinishedOnce(Process storefront, int orders, long sinceNanos)
      throws Exception {
    assertThat(storefront.waitFor(2, TimeUnit.MINUTES)).as("storefront finished").isTrue();
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sinceNanos);
    JsonNode report = report("storefront");
    System.out.printf(
        "killed back office: storefront done %d s later; shipped %d, cancelled %d, ended twice %d,"
            + " oversold %d, lost %d%n",
        seconds,
        report.get("ordersShipped").asLong(),
        report.get("ordersCancelled").asLong(),
        report.get("ordersEndedTwice").asLong(),
        report.get("oversoldUnits").asLong(),
        report.get("lost").asLong());
    SoftAssertions.assertSoftly(
        softly -> {
          softly
              .assertThat(report.get("ordersEndedTwice").asLong())
              .as("orders ended twice")
              .isZero();
          softly.assertThat(report.get("oversoldUnits").asLong()).as("units oversold").isZero();
          softly
              .assertThat(report.get("lost").asLong())
              .as("%s", report.get("lostDetail"))
              .isZero();
          softly
              .assertThat(
                  report.get("ordersShipped").asLong() + report.get("ordersCancelled").asLong())
              .as("orders ended")
              .isEqualTo(orders);
          softly.assertThat(report.get("customersNotified").asLong()).isEqualTo(orders);
          softly.assertThat(storefront.exitValue()).as(stderr("storefront")).isZero();
          softly
              .assertThat(seconds)
              .as("seconds from the back office's death to the run's end")
              .isLessThanOrEqualTo(FINISH_AFTER_RESTART_SECONDS);
        });
  }

  private Process launch(String name, String... args) throws IOException {
    Process p =
        ChildJvm.herald(args)
            .redirectOutput(dir.resolve(name + "-stdout.txt").toFile())
            .redirectError(dir.resolve(name + "-stderr.txt").toFile())
            .start();
    started.add(p);
    return p;
  }

  /** The figures of what {@code name}'s process did: its JSON summary's {@code thisRun}. */
  private JsonNode report(String name) throws IOException {
    return summary(name).get("thisRun");
  }

  private JsonNode summary(String name) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve(name + "-stdout.txt"));
    assertThat(lines).as(stderr(name)).isNotEmpty();
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }

  /** The id of the run a process reported (the report's {@code run}, beside {@code thisRun}). */
  private String runOf(String name) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve(name + "-stdout.txt"));
    return new ObjectMapper().readTree(lines.get(lines.size() - 1)).get("run").asText();
  }

  private String stderr(String name) {
    try {
      return Files.readString(dir.resolve(name + "-stderr.txt"));
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }

  /** Records of {@code run} in the shop's events topic whose event id an earlier record has. */
  private static long copiesInTopic(String run) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    Set<String> ids = new HashSet<>();
    long copies = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor("shop.events").stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertThat(System.nanoTime() - deadline).as("read the topic within a minute").isNegative();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Header correlation = r.headers().lastHeader("ce_correlationid");
          if (correlation != null
              && new String(correlation.value(), StandardCharsets.UTF_8).startsWith(run + "/")
              && !ids.add(
                  new String(r.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8))) {
            copies++;
          }
        }
      }
    }
    return copies;
  }

  /** Records in the shop's events topic, every run so far. */
  private static long eventsInTopic() throws Exception {
    if (!admin.listTopics().names().get().contains("shop.events")) {
      return 0;
    }
    var partitions =
        admin
            .describeTopics(List.of("shop.events"))
            .allTopicNames()
            .get()
            .get("shop.events")
            .partitions()
            .stream()
            .collect(
                Collectors.toMap(
                    p -> new TopicPartition("shop.events", p.partition()),
                    p -> OffsetSpec.latest()));
    return admin.listOffsets(partitions).all().get().values().stream()
        .mapToLong(o -> o.offset())
        .sum();
  }
}
