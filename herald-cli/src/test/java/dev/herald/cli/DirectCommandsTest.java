package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.Event;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.server.GatewayStore;
import dev.herald.server.HeraldTypes;
import dev.herald.server.LogGatewayStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator commands on a log directory opened directly ({@code --data DIR}), no server. */
class DirectCommandsTest {
  static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void publishThenTailFromTheDirectory() throws IOException {
    LogGatewayStore.open(dir).close();
    Run one =
        Run.of(
            "events",
            "publish",
            "--type",
            "d.one",
            "--id",
            "d-1",
            "--payload",
            "{\"a\":1}",
            "--data",
            dir.toString(),
            "-o",
            "json");
    assertThat(one.status()).as(one.err()).isZero();
    assertThat(one.json().get("results").get(0).get("position").asText()).isEqualTo("0");

    Run many =
        Run.withInput(
            "\"x\"\n\n\"y\"\n",
            "events",
            "publish",
            "--type",
            "d.many",
            "-",
            "--data",
            dir.toString());
    assertThat(many.status()).as(many.err()).isZero();
    assertThat(many.out()).contains("2 stored, 0 refused, of 2");

    Run tail =
        Run.of(
            "events",
            "tail",
            "--from",
            "earliest",
            "--limit",
            "3",
            "--data",
            dir.toString(),
            "-o",
            "json");
    assertThat(tail.status()).as(tail.err()).isZero();
    JsonNode events = tail.json().get("events");
    assertThat(events).hasSize(3);
    assertThat(events.get(0).get("event").get("id").asText()).isEqualTo("d-1");
    assertThat(events.get(0).get("event").get("data").get("a").asInt()).isEqualTo(1);
    assertThat(events.get(2).get("event").get("data").asText()).isEqualTo("y");

    Run filtered =
        Run.of(
            "events",
            "tail",
            "--types",
            "d.many",
            "--from",
            "0",
            "--limit",
            "1",
            "--data",
            dir.toString());
    assertThat(filtered.out().strip()).startsWith("1  d.many  ").endsWith("\"x\"");
  }

  @Test
  void heraldsOwnTypesAreRefusedAsTheGatewayRefusesThem() throws Exception {
    LogGatewayStore.open(dir).close();
    Run forged =
        Run.of(
            "events",
            "publish",
            "--type",
            "herald.webhook",
            "--payload",
            "{\"action\":\"created\"}",
            "--data",
            dir.toString(),
            "-o",
            "json");
    assertThat(forged.status()).isEqualTo(1);
    JsonNode result = forged.json().get("results").get(0);
    assertThat(result.get("status").asInt()).isEqualTo(403);
    assertThat(result.get("detail").asText()).isEqualTo(HeraldTypes.REFUSAL);
    assertThat(result.get("attribute").asText()).isEqualTo("type");
    try (LogGatewayStore store = LogGatewayStore.open(dir)) {
      try (GatewayStore.Cursor c = store.cursor("earliest")) {
        assertThat(c.next(Duration.ZERO)).as("nothing stored").isEmpty();
      }
    }
  }

  @Test
  void groupsAndDeadLettersFromTheDirectory() throws IOException {
    try (LogGatewayStore store = LogGatewayStore.open(dir)) {
      store
          .bus()
          .subscribe(
              "d.pay",
              e -> {
                throw new IllegalStateException("declined " + e.data());
              },
              SubscribeOptions.defaults().name("d-pay").group("d-pay").retry(RetryPolicy.none()));
      store.append(Event.of("d.pay", 1)).join();
      store.append(Event.of("d.pay", 2)).join();
      await().atMost(PATIENCE).until(() -> store.deadLetters("d-pay", 10).size() == 2);
    }
    Run groups = Run.of("groups", "--data", dir.toString(), "-o", "json");
    assertThat(groups.status()).as(groups.err()).isZero();
    assertThat(OperatorCommandsTest.group(groups.json(), "d-pay")).isNotNull();

    Run list = Run.of("dlq", "list", "--group", "d-pay", "--data", dir.toString(), "-o", "json");
    assertThat(list.status()).as(list.err()).isZero();
    JsonNode dl = list.json().get("deadLetters");
    assertThat(dl).hasSize(2);
    assertThat(dl.get(0).get("causeMessage").asText()).isEqualTo("declined 1");
    // Without --group: every group's, as GET /v1/deadletters without group lists them.
    Run every = Run.of("dlq", "list", "--data", dir.toString(), "-o", "json");
    assertThat(every.status()).as(every.err()).isZero();
    assertThat(every.json().get("deadLetters")).hasSize(2);
    assertThat(Run.of("dlq", "list", "--group", "nobody", "--data", dir.toString()).out())
        .contains("No dead letters for group nobody.");

    Run all =
        Run.of(
            "dlq", "redrive", "--all", "--group", "d-pay", "--data", dir.toString(), "-o", "json");
    assertThat(all.status()).as(all.err()).isZero();
    assertThat(all.json().get("redriven").asInt()).isEqualTo(2);
    assertThat(
            Run.of("dlq", "list", "--group", "d-pay", "--data", dir.toString(), "-o", "json")
                .json()
                .get("deadLetters"))
        .isEmpty();
  }

  /**
   * A position the store cannot read is a usage error: exit 2, the first line names the option and
   * what it takes, no stack trace; as the gateway answers such a position 400.
   */
  @Test
  void aPositionTheStoreCannotReadIsAUsageError() throws IOException {
    LogGatewayStore.open(dir).close();
    String data = dir.toString();
    Run banana = Run.of("events", "tail", "--from", "banana", "--data", data);
    assertThat(banana.status()).as(banana.err()).isEqualTo(2);
    assertThat(firstLine(banana))
        .startsWith("--from: ")
        .contains("earliest, latest or a decimal offset", "'banana'");
    assertThat(banana.err()).doesNotContain("\tat ").doesNotContain("Exception");
    Run beyond = Run.of("events", "tail", "--from", "99", "--data", data);
    assertThat(beyond.status()).as(beyond.err()).isEqualTo(2);
    assertThat(firstLine(beyond)).startsWith("--from: ").contains("beyond the end of the log");

    for (String command : new String[] {"show", "redrive"}) {
      Run dlq = Run.of("dlq", command, "banana", "--data", data);
      assertThat(dlq.status()).as(dlq.err()).isEqualTo(2);
      assertThat(firstLine(dlq)).startsWith("POSITION: ").contains("decimal offset", "'banana'");
    }
    // A well-formed position with no dead letter there is not a usage error: none is there.
    Run none = Run.of("dlq", "show", "99", "--data", data);
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.err()).contains("no dead letter at position 99");
  }

  static String firstLine(Run run) {
    return run.err().lines().findFirst().orElse("");
  }

  @Test
  void aDirectoryInUseOrMissingIsRefused() throws IOException {
    try (LogGatewayStore held = LogGatewayStore.open(dir)) {
      Run run = Run.of("groups", "--data", dir.toString());
      assertThat(run.status()).isEqualTo(1);
      assertThat(run.err()).contains("already open", "--url").doesNotContain("\tat ");
      assertThat(held.name()).isEqualTo("log");
    }
    Run missing = Run.of("groups", "--data", dir.resolve("missing").toString());
    assertThat(missing.status()).isEqualTo(2);
    assertThat(missing.err()).contains("no such directory");
    assertThat(Run.of("events", "tail", "--group", "g", "--data", dir.toString()).status())
        .isEqualTo(2);
    assertThat(Run.of("groups", "--data", dir.toString(), "--url", "http://x").status())
        .isEqualTo(2);
  }

  /**
   * Commands that only read create nothing in a directory that holds no log: it stays as it was,
   * and they say that nothing was published there.
   */
  @Test
  void readOnlyCommandsLeaveADirectoryWithoutALogAsItWas() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    String note =
        "herald: no Herald log in "
            + empty
            + " (no topics/ inside): nothing published there yet (--data names another)";

    Run groups = Run.of("groups", "--data", empty.toString());
    assertThat(groups.status()).as(groups.err()).isZero();
    assertThat(groups.out()).contains("No consumer groups");
    assertThat(groups.err().strip()).isEqualTo(note);
    Run list = Run.of("dlq", "list", "--data", empty.toString());
    assertThat(list.status()).as(list.err()).isZero();
    assertThat(list.out()).contains("No dead letters.");
    Run show = Run.of("dlq", "show", "0", "--data", empty.toString());
    assertThat(show.status()).isEqualTo(1);
    assertThat(show.err()).contains("no dead letter at position 0");
    for (String[] read :
        List.of(
            new String[] {"events", "tail", "--from", "earliest", "--limit", "1"},
            new String[] {"events", "replay"})) {
      List<String> args = new ArrayList<>(List.of(read));
      args.addAll(List.of("--data", empty.toString()));
      Run run = Run.of(args.toArray(String[]::new));
      assertThat(run.status()).as(run.err()).isEqualTo(1);
      assertThat(run.err().strip()).isEqualTo(note);
    }
    try (var left = Files.list(empty)) {
      assertThat(left).as("what the commands left in the directory").isEmpty();
    }

    // Publishing makes the log; the same commands then read it.
    Run publish =
        Run.of(
            "events", "publish", "--type", "e.one", "--payload", "1", "--data", empty.toString());
    assertThat(publish.status()).as(publish.err()).isZero();
    Run replay = Run.of("events", "replay", "-o", "json", "--data", empty.toString());
    assertThat(replay.status()).as(replay.err()).isZero();
    assertThat(replay.out()).contains("e.one");
  }

  @Test
  void replayPrintsARangeOfTheDirectoryAndEnds() throws IOException {
    LogGatewayStore.open(dir).close();
    ReplayChecks replay =
        new ReplayChecks(
            args -> {
              List<String> all = new ArrayList<>(args);
              all.addAll(List.of("--data", dir.toString()));
              return Run.of(all.toArray(String[]::new));
            },
            "d.replay");
    replay.publish().rangesAndBadBounds();
    // By default, everything stored when the command began.
    assertThat(replay.ids(replay.run("events", "replay", "-o", "json")))
        .containsExactly("a0", "a1", "a2", "b0", "b1");
    ReplayChecks.usageError(replay.run("events", "replay", "--to", "5"), "beyond the end");
  }
}
