package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.Event;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.server.HeraldServer;
import dev.herald.server.LogGatewayStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator commands (events publish|tail, groups, dlq) in-process against one real gateway on a
 * free loopback port over a log store in a temporary directory, shared by the class's tests.
 */
class OperatorCommandsTest {
  static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir static Path dir;

  static LogGatewayStore store;
  static HeraldServer server;
  static String url;

  @BeforeAll
  static void start() throws IOException {
    store = LogGatewayStore.open(dir.resolve("gateway"));
    server = HeraldServer.builder(store).port(0).start();
    url = server.uri().toString();
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  static Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--url");
    all.add(url);
    return Run.of(all.toArray(String[]::new));
  }

  @Test
  void publishPrintsTheIdAndPositionAndTheEventIsStored() throws IOException {
    Run table =
        cli(
            "events",
            "publish",
            "--type",
            "cli.one",
            "--id",
            "e-1",
            "--key",
            "k",
            "--payload",
            "{\"n\":1}");
    assertThat(table.status()).as(table.err()).isZero();
    assertThat(table.out()).containsPattern("e-1\\s+202\\s+\\d+");

    Run json =
        cli("events", "publish", "--type", "cli.one", "--payload", "{\"n\":2}", "-o", "json");
    assertThat(json.status()).as(json.err()).isZero();
    JsonNode result = json.json().get("results").get(0);
    assertThat(result.get("status").asInt()).isEqualTo(202);
    String position = result.get("position").asText();

    // What was published reads back through the store: type, key, data.
    Run tail =
        cli(
            "events",
            "tail",
            "--types",
            "cli.one",
            "--from",
            "earliest",
            "--limit",
            "2",
            "-o",
            "json");
    assertThat(tail.status()).as(tail.err()).isZero();
    JsonNode events = tail.json().get("events");
    assertThat(events).hasSize(2);
    assertThat(events.get(0).get("event").get("id").asText()).isEqualTo("e-1");
    assertThat(events.get(0).get("event").get("partitionkey").asText()).isEqualTo("k");
    assertThat(events.get(0).get("event").get("data").get("n").asInt()).isEqualTo(1);
    assertThat(events.get(1).get("position").asText()).isEqualTo(position);
  }

  @Test
  void publishFromStandardInputSendsOneEventPerLineInBatches() throws IOException {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 2500; i++) {
      lines.append("{\"i\":").append(i).append("}\n");
    }
    Run run =
        Run.withInput(
            lines.toString(),
            "events",
            "publish",
            "--type",
            "cli.many",
            "-",
            "--url",
            url,
            "-o",
            "json");
    assertThat(run.status()).as(run.err()).isZero();
    JsonNode results = run.json().get("results");
    assertThat(results).hasSize(2500);
    Set<String> positions = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < results.size(); i++) {
      assertThat(results.get(i).get("index").asInt()).isEqualTo(i);
      assertThat(results.get(i).get("status").asInt()).isEqualTo(202);
      positions.add(results.get(i).get("position").asText());
    }
    assertThat(positions).hasSize(2500);

    Run tail =
        cli(
            "events",
            "tail",
            "--types",
            "cli.many",
            "--from",
            "earliest",
            "--limit",
            "2500",
            "-o",
            "json");
    JsonNode events = tail.json().get("events");
    for (int i = 0; i < 2500; i++) {
      assertThat(events.get(i).get("event").get("data").get("i").asInt()).isEqualTo(i);
    }
  }

  @Test
  void anInvalidEventIsRefusedNamingTheAttribute() {
    Run run = cli("events", "publish", "--type", "", "--payload", "1");
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.out()).contains("400").contains("type");
    assertThat(run.err()).doesNotContain("\tat ");
  }

  @Test
  void aSingleRefusedEventGetsItsResultRowAsInABatch() throws IOException {
    Run json = cli("events", "publish", "--type", "bad..t", "--payload", "{}", "-o", "json");
    assertThat(json.status()).isEqualTo(1);
    JsonNode results = json.json().get("results");
    assertThat(results).hasSize(1);
    assertThat(results.get(0).get("index").asInt()).isZero();
    assertThat(results.get(0).get("status").asInt()).isEqualTo(400);
    assertThat(results.get(0).get("attribute").asText()).isEqualTo("type");
    assertThat(results.get(0).get("detail").asText()).isNotEmpty();

    Run line =
        Run.withInput("{\"a\":1}\n", "events", "publish", "--type", "bad..t", "-", "--url", url);
    assertThat(line.status()).isEqualTo(1);
    assertThat(line.out()).containsPattern("\\s400\\s").contains("(attribute type)");
  }

  @Test
  void anUnresolvableHostIsSaidSoNotConnectionRefused() {
    Run run = Run.of("groups", "--url", "http://no-such-host.invalid:8080");
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err())
        .contains("cannot resolve the host no-such-host.invalid")
        .doesNotContain("connection refused");
  }

  @Test
  void tailOfAGroupWithALimitLeavesTheEventsItDidNotPrintToTheGroup() throws Exception {
    for (int i = 1; i <= 5; i++) {
      store.append(Event.of("cli.lim", "lim-" + i)).join();
    }
    List<String> printed = new ArrayList<>();
    for (int n : new int[] {2, 3}) {
      Live tail =
          new Live(
              "events",
              "tail",
              "--types",
              "cli.lim",
              "--group",
              "cli-lim",
              "--limit",
              String.valueOf(n),
              "--url",
              url);
      try {
        assertThat(tail.join(PATIENCE)).as(tail.err()).isZero();
      } finally {
        tail.interrupt(PATIENCE);
      }
      List<String> lines = tail.out().lines().toList();
      assertThat(lines).hasSize(n);
      for (String l : lines) {
        printed.add(l.substring(l.lastIndexOf(' ') + 1));
      }
    }
    assertThat(printed)
        .as("the second tail prints what the first did not: none lost, none twice")
        .containsExactlyInAnyOrder("\"lim-1\"", "\"lim-2\"", "\"lim-3\"", "\"lim-4\"", "\"lim-5\"");
  }

  @Test
  void redriveAllEndsWhenTheTargetStillFailsAndRedrivesEachDeadLetterOnce() throws Exception {
    java.util.Map<Object, java.util.concurrent.atomic.AtomicInteger> attempts =
        new ConcurrentHashMap<>();
    Subscription s =
        store
            .bus()
            .subscribe(
                "cli.never",
                e -> {
                  attempts
                      .computeIfAbsent(
                          e.data(), k -> new java.util.concurrent.atomic.AtomicInteger())
                      .incrementAndGet();
                  throw new IllegalStateException("still down");
                },
                SubscribeOptions.defaults()
                    .name("cli-never")
                    .group("cli-never")
                    .retry(RetryPolicy.none()));
    try {
      for (int i = 0; i < 30; i++) {
        store.append(Event.of("cli.never", i)).join();
      }
      await().atMost(PATIENCE).until(() -> store.deadLetters("cli-never", 1000).size() == 30);
      Live all = new Live("dlq", "redrive", "--all", "--group", "cli-never", "--url", url);
      int status;
      try {
        status = all.join(PATIENCE);
      } finally {
        all.interrupt(PATIENCE);
      }
      assertThat(status).as("it ends: " + all.err()).isZero();
      assertThat(all.out()).contains("redriven 30");
      // Each original went back once: its first delivery and its redrive, dead-lettered again.
      await().atMost(PATIENCE).until(() -> store.deadLetters("cli-never", 1000).size() == 30);
      assertThat(attempts).hasSize(30);
      assertThat(attempts.values()).allSatisfy(a -> assertThat(a.get()).isEqualTo(2));
    } finally {
      s.close();
    }
  }

  @Test
  void badPublishOptionsAreUsageErrors() throws IOException {
    // '-' reads standard input on its own; as --payload's value it is a usage error that says so.
    Run dash = cli("events", "publish", "--type", "t", "--payload", "-");
    assertThat(dash.status()).isEqualTo(2);
    assertThat(dash.err()).contains("give '-' alone, without --payload");
    Run sign = cli("events", "publish", "--type", "t", "--payload", "-x");
    assertThat(sign.status()).isEqualTo(2);
    assertThat(sign.err()).contains("--payload is not JSON").doesNotContain("inputNo");
    assertThat(cli("events", "publish", "--type", "t", "--payload", "{not json").status())
        .isEqualTo(2);
    Run both = cli("events", "publish", "--type", "t", "--payload", "1", "--file", "x");
    assertThat(both.status()).isEqualTo(2);
    assertThat(both.err()).contains("--payload", "--file", "mutually exclusive");
    Run twoStores = Run.of("groups", "--kafka", "localhost:9", "--data", dir.toString());
    assertThat(twoStores.status()).isEqualTo(2);
    assertThat(twoStores.err())
        .contains("--kafka", "--data", "exclude each other")
        .doesNotContain("expected only one match");
    assertThat(
            cli("events", "publish", "--type", "t", "--file", dir.resolve("none").toString())
                .status())
        .isEqualTo(2);
    Path big = dir.resolve("big.json");
    Files.writeString(big, "\"" + "x".repeat(PublishCommand.MAX_DATA_BYTES) + "\"");
    Run tooBig = cli("events", "publish", "--type", "t", "--file", big.toString());
    assertThat(tooBig.status()).isEqualTo(2);
    assertThat(tooBig.err()).contains("larger than");
  }

  @Test
  void tailFromAPositionGivesExactlyTheEventsAfterIt() throws IOException {
    List<String> positions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Run p =
          cli(
              "events",
              "publish",
              "--type",
              "cli.after",
              "--payload",
              String.valueOf(i),
              "-o",
              "json");
      positions.add(p.json().get("results").get(0).get("position").asText());
    }
    Run tail =
        cli("events", "tail", "--types", "cli.after", "--from", positions.get(0), "--limit", "2");
    assertThat(tail.status()).as(tail.err()).isZero();
    List<String> lines = tail.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith(positions.get(1) + "  cli.after  ").endsWith("  1");
    assertThat(lines.get(1)).startsWith(positions.get(2) + "  cli.after  ").endsWith("  2");
  }

  /**
   * A position the gateway answers 400 is a usage error, as over a store directly: exit 2 and the
   * option named, not "the gateway answered 400".
   */
  @Test
  void aPositionTheGatewayRefusesIsAUsageError() {
    Run tail = cli("events", "tail", "--from", "banana", "--limit", "1");
    assertThat(tail.status()).as(tail.err()).isEqualTo(2);
    assertThat(DirectCommandsTest.firstLine(tail))
        .startsWith("--from: ")
        .contains("earliest, latest or a decimal offset", "'banana'");
    for (String command : new String[] {"show", "redrive"}) {
      Run dlq = cli("dlq", command, "banana");
      assertThat(dlq.status()).as(dlq.err()).isEqualTo(2);
      assertThat(DirectCommandsTest.firstLine(dlq))
          .startsWith("POSITION: ")
          .contains("decimal offset", "'banana'");
    }
  }

  @Test
  void tailResumesAfterTheConnectionDropsWithNoGapAndNoDuplicate() throws Exception {
    LogGatewayStore resumeStore = LogGatewayStore.open(dir.resolve("resume"));
    HeraldServer first = HeraldServer.builder(resumeStore).port(0).start();
    int port = first.port();
    HeraldServer second = null;
    Live tail =
        new Live(
            "events",
            "tail",
            "--types",
            "cli.resume",
            "--from",
            "earliest",
            "--limit",
            "4",
            "--url",
            first.uri().toString());
    try {
      for (int i = 0; i < 2; i++) {
        resumeStore.append(Event.of("cli.resume", i)).join();
      }
      await().atMost(PATIENCE).until(() -> tail.out().lines().count() == 2);
      first.close(); // the stream drops
      for (int i = 2; i < 4; i++) {
        resumeStore.append(Event.of("cli.resume", i)).join();
      }
      second = HeraldServer.builder(resumeStore).port(port).start();
      assertThat(tail.join(PATIENCE)).as(tail.err()).isZero();
    } finally {
      if (second != null) {
        second.close();
      }
      first.close();
      tail.interrupt(PATIENCE);
      resumeStore.close();
    }
    List<String> data = new ArrayList<>();
    for (String line : tail.out().lines().toList()) {
      data.add(line.substring(line.lastIndexOf(' ') + 1));
    }
    assertThat(data).containsExactly("0", "1", "2", "3");
    assertThat(tail.err()).contains("reconnecting");
  }

  @Test
  void tailFollowsUntilInterrupted() throws Exception {
    String position =
        store.append(Event.of("cli.follow", "before")).join(); // the tail starts after it
    Live tail =
        new Live("events", "tail", "--types", "cli.follow", "--from", position, "--url", url);
    store.append(Event.of("cli.follow", "after")).join();
    await().atMost(PATIENCE).until(() -> tail.out().contains("\"after\""));
    assertThat(tail.interrupt(PATIENCE)).as(tail.err()).isZero();
    assertThat(tail.out()).doesNotContain("before");
    assertThat(tail.err()).doesNotContain("unexpected");
  }

  @Test
  void groupsShowLagPerPartition() throws IOException {
    AtomicBoolean hold = new AtomicBoolean(false);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    Subscription s =
        store
            .bus()
            .subscribe(
                "cli.grouped",
                e -> {
                  seen.add(e.id());
                  if (hold.get()) {
                    throw new IllegalStateException("held");
                  }
                },
                SubscribeOptions.defaults().name("cli-billing").group("cli-billing"));
    try {
      for (int i = 0; i < 3; i++) {
        store.append(Event.of("cli.grouped", i)).join();
      }
      await().atMost(PATIENCE).until(() -> seen.size() == 3);
      await()
          .atMost(PATIENCE)
          .untilAsserted(
              () -> {
                Run run = cli("groups", "-o", "json");
                assertThat(run.status()).as(run.err()).isZero();
                JsonNode group = group(run.json(), "cli-billing");
                assertThat(group).isNotNull();
                assertThat(group.get("lag").asLong()).isZero();
              });
      Run table = cli("groups");
      assertThat(table.out())
          .containsPattern("GROUP\\s+PARTITION\\s+COMMITTED\\s+END\\s+LAG")
          .containsPattern("cli-billing\\s+\\S+\\s+\\d+\\s+\\d+\\s+0");
    } finally {
      s.close();
    }
  }

  static JsonNode group(JsonNode root, String name) {
    for (JsonNode g : root.get("groups")) {
      if (g.get("group").asText().equals(name)) {
        return g;
      }
    }
    return null;
  }

  @Test
  void deadLettersAreListedShownAndRedrivenOneAndAll() throws IOException {
    AtomicBoolean failing = new AtomicBoolean(true);
    Set<Object> handled = ConcurrentHashMap.newKeySet();
    Subscription s =
        store
            .bus()
            .subscribe(
                "cli.pay",
                e -> {
                  if (failing.get()) {
                    throw new IllegalStateException("card declined");
                  }
                  handled.add(e.data());
                },
                SubscribeOptions.defaults()
                    .name("cli-payments")
                    .group("cli-payments")
                    .retry(RetryPolicy.none()));
    try {
      for (int i = 0; i < 3; i++) {
        store.append(Event.of("cli.pay", i)).join();
      }
      await()
          .atMost(PATIENCE)
          .until(
              () ->
                  cli("dlq", "list", "--group", "cli-payments", "-o", "json")
                          .json()
                          .get("deadLetters")
                          .size()
                      == 3);
      Run list = cli("dlq", "list", "--group", "cli-payments");
      assertThat(list.status()).as(list.err()).isZero();
      assertThat(list.out())
          .contains("POSITION", "cli-payments", "IllegalStateException: card declined", "cli.pay");

      JsonNode dl =
          cli("dlq", "list", "--group", "cli-payments", "-o", "json").json().get("deadLetters");
      String first = dl.get(0).get("position").asText();
      // Without --group, every group's: these among them.
      assertThat(cli("dlq", "list", "-o", "json").json().get("deadLetters"))
          .extracting(d -> d.get("position").asText())
          .contains(first);
      Run show = cli("dlq", "show", first, "-o", "json");
      assertThat(show.status()).as(show.err()).isZero();
      assertThat(show.json().get("causeMessage").asText()).isEqualTo("card declined");
      assertThat(show.json().get("event").get("type").asText()).isEqualTo("cli.pay");
      assertThat(cli("dlq", "show", first).out()).contains("subscription  cli-payments");

      failing.set(false);
      Run one = cli("dlq", "redrive", first, "-o", "json");
      assertThat(one.status()).as(one.err()).isZero();
      assertThat(one.json().get("redriven").asInt()).isEqualTo(1);
      await().atMost(PATIENCE).until(() -> handled.size() == 1);

      Run all = cli("dlq", "redrive", "--all", "--group", "cli-payments", "--progress");
      assertThat(all.status()).as(all.err()).isZero();
      assertThat(all.out()).contains("redriven 2");
      assertThat(all.err()).contains("redriving cli-payments");
      await().atMost(PATIENCE).until(() -> handled.size() == 3);
      assertThat(
              cli("dlq", "list", "--group", "cli-payments", "-o", "json").json().get("deadLetters"))
          .isEmpty();

      Run gone = cli("dlq", "show", first);
      assertThat(gone.status()).isEqualTo(1);
      assertThat(cli("dlq", "redrive", "999999").status()).isEqualTo(1);
      // Not a position at all: the gateway answers 400, a usage error.
      assertThat(cli("dlq", "redrive", "no-such-position").status()).isEqualTo(2);
    } finally {
      s.close();
    }
  }

  @Test
  void dlqUsageErrors() {
    assertThat(cli("dlq", "redrive", "--all").status()).isEqualTo(2);
    assertThat(cli("dlq", "redrive").status()).isEqualTo(2);
    assertThat(cli("dlq", "list", "--group", "g", "--limit", "0").status()).isEqualTo(2);
  }

  @Test
  void anUnreachableGatewayIsOneLineAndStatus1() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Run run = Run.of("groups", "--url", "http://127.0.0.1:" + port);
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).contains("cannot reach the gateway").doesNotContain("\tat ");
  }

  @Test
  void jsonOutputIsExactlyOneDocument() throws IOException {
    for (Run run :
        List.of(
            cli("groups", "-o", "json"),
            cli("dlq", "list", "--group", "nobody", "-o", "json"),
            cli("events", "publish", "--type", "cli.doc", "-o", "json"))) {
      assertThat(run.status()).as(run.err()).isZero();
      assertThat(run.out().strip().lines()).hasSize(1);
      assertThat(run.json().isObject()).isTrue();
    }
  }

  @Test
  void replayPrintsARangeOfTheStoredEventsAndEnds() throws IOException {
    ReplayChecks replay =
        new ReplayChecks(
            args -> {
              List<String> all = new ArrayList<>(args);
              all.addAll(List.of("--url", url));
              return Run.of(all.toArray(String[]::new));
            },
            "cli.replay");
    replay.publish().rangesAndBadBounds();
    // The gateway serves no end position: without --to, a replay over it would not know where to
    // stop.
    Run unbounded = cli("events", "replay", "--from", replay.positions.get(0));
    ReplayChecks.usageError(unbounded, "--to latest needs --data or --kafka");
  }
}
