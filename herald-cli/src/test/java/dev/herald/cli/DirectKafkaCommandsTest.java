package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.Event;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.kafka.embedded.EmbeddedKafka;
import dev.herald.server.KafkaGatewayStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator commands on a Kafka cluster opened directly ({@code --kafka BOOTSTRAP}), against a
 * real broker: an application whose transport uses topics and a group prefix of its own (as the
 * demo on Kafka does) is seen with {@code --events-topic}, {@code --dead-letter-topic} and {@code
 * --group-prefix}.
 */
class DirectKafkaCommandsTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String EVENTS = "app.events";
  private static final String DEAD = "app.deadletter";
  private static final String PREFIX = "app.";

  private static EmbeddedKafka kafka;
  private static KafkaGatewayStore app;

  @BeforeAll
  static void startBrokerAndApplication() {
    kafka = EmbeddedKafka.start();
    app = KafkaGatewayStore.open(kafka.bootstrapServers(), EVENTS, DEAD, PREFIX);
    app.bus()
        .subscribe(
            "k.pay",
            e -> {
              throw new IllegalStateException("declined " + e.data());
            },
            SubscribeOptions.defaults().name("k-pay").group("k-pay").retry(RetryPolicy.none()));
    app.append(Event.of("k.pay", 1)).join();
    app.append(Event.of("k.pay", 2)).join();
    await().atMost(PATIENCE).until(() -> app.deadLetters("k-pay", 10).size() == 2);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** The command line, on the broker, with the application's topics and prefix. */
  private static Run onTheApplicationsTopics(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(theApplicationsCluster());
    all.addAll(List.of("-o", "json"));
    return Run.of(all.toArray(String[]::new));
  }

  /** The options that name the broker and the application's topics and prefix. */
  private static List<String> theApplicationsCluster() {
    return List.of(
        "--kafka",
        kafka.bootstrapServers(),
        "--events-topic",
        EVENTS,
        "--dead-letter-topic",
        DEAD,
        "--group-prefix",
        PREFIX);
  }

  @Test
  void groupsDeadLettersAndEventsOfTopicsOfItsOwn() throws IOException {
    Run groups = onTheApplicationsTopics("groups");
    assertThat(groups.status()).as(groups.err()).isZero();
    assertThat(OperatorCommandsTest.group(groups.json(), "k-pay")).isNotNull();

    Run list = onTheApplicationsTopics("dlq", "list", "--group", "k-pay");
    assertThat(list.status()).as(list.err()).isZero();
    JsonNode dl = list.json().get("deadLetters");
    assertThat(dl).hasSize(2);
    assertThat(dl.get(0).get("causeMessage").asText()).isEqualTo("declined 1");

    Run tail = onTheApplicationsTopics("events", "tail", "--from", "earliest", "--limit", "2");
    assertThat(tail.status()).as(tail.err()).isZero();
    assertThat(tail.json().get("events")).hasSize(2);

    // On the default topics, the application's group and dead letters are not there.
    Run defaults = Run.of("groups", "--kafka", kafka.bootstrapServers(), "-o", "json");
    assertThat(defaults.status()).as(defaults.err()).isZero();
    assertThat(OperatorCommandsTest.group(defaults.json(), "k-pay")).isNull();
  }

  /**
   * The read-only commands leave a cluster as they found it: on topics nobody made yet they make
   * none, and say what is there (nothing). A publish still makes them.
   */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void readOnlyCommandsCreateNoTopic() throws Exception {
    String events = "fresh.events";
    String dead = "fresh.deadletter";
    List<String> fresh =
        List.of(
            "--kafka",
            kafka.bootstrapServers(),
            "--events-topic",
            events,
            "--dead-letter-topic",
            dead);

    Run groups = Run.of(with(fresh, "groups"));
    assertThat(groups.status()).as(groups.err()).isZero();
    assertThat(groups.out()).contains("No consumer groups");
    Run groupsJson = Run.of(with(fresh, "groups", "-o", "json"));
    assertThat(groupsJson.status()).as(groupsJson.err()).isZero();
    assertThat(groupsJson.json().get("groups")).isEmpty();

    Run list = Run.of(with(fresh, "dlq", "list"));
    assertThat(list.status()).as(list.err()).isZero();
    assertThat(list.out()).contains("No dead letters.");

    Run show = Run.of(with(fresh, "dlq", "show", "1.0.0"));
    assertThat(show.status()).isEqualTo(1);
    assertThat(show.err()).contains("no dead letter at position 1.0.0");

    assertThat(topics()).doesNotContain(events, dead);

    // Were the topics made, this tail would wait for an event: the test's timeout ends it.
    Run tail = Run.of(with(fresh, "events", "tail", "--from", "earliest", "--limit", "1"));
    assertThat(tail.status()).isEqualTo(1);
    assertThat(tail.err().strip())
        .hasLineCount(1)
        .isEqualTo(
            "herald: no topic '"
                + events
                + "' on "
                + kafka.bootstrapServers()
                + ": nothing published there yet (--events-topic names another)");

    assertThat(topics()).doesNotContain(events, dead);

    Run publish = Run.of(with(fresh, "events", "publish", "--type", "f.one", "--payload", "1"));
    assertThat(publish.status()).as(publish.err()).isZero();
    assertThat(topics()).contains(events, dead);
  }

  /** A malformed position is a usage error on Kafka too, named as --from. */
  @Test
  void aMalformedPositionIsAUsageError() {
    Run tail = onTheApplicationsTopics("events", "tail", "--from", "banana");
    assertThat(tail.status()).as(tail.err()).isEqualTo(2);
    assertThat(DirectCommandsTest.firstLine(tail))
        .startsWith("--from: ")
        .contains("'banana'", "earliest, latest");
    Run show = onTheApplicationsTopics("dlq", "show", "banana");
    assertThat(show.status()).as(show.err()).isEqualTo(2);
    assertThat(DirectCommandsTest.firstLine(show)).startsWith("POSITION: ").contains("'banana'");
  }

  private static String[] with(List<String> options, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(options);
    return all.toArray(String[]::new);
  }

  private static Set<String> topics() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      return admin.listTopics().names().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** The real launcher, on this test's class path; its output and errors to files. */
  private static Process launch(Path out, Path err, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ServeProcess.ROOT.resolve("herald").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("HERALD_CLI_CLASSPATH", System.getProperty("java.class.path"));
    return pb.start();
  }

  /** A cluster nobody answers at: the one line that says so, not the client's retries. */
  @Test
  void anUnreachableClusterIsOneLine(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    Process p = launch(out, err, "groups", "--kafka", "127.0.0.1:1");
    assertThat(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(Files.readAllLines(err))
        .singleElement(InstanceOfAssertFactories.STRING)
        .contains("cannot use the Kafka cluster at 127.0.0.1:1");
  }

  /** A tail stopped as Ctrl-C stops it (the JVM's shutdown hooks) ends without an error. */
  @Test
  void aTailStoppedAsCtrlCStopsItEndsQuietly(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    List<String> args = new ArrayList<>(List.of("events", "tail", "--from", "earliest"));
    args.addAll(theApplicationsCluster());
    Process p = launch(out, err, args.toArray(String[]::new));
    try {
      await().atMost(PATIENCE).until(() -> Files.readString(out).contains("k.pay"));
      assertThat(p.toHandle().destroy()).isTrue(); // SIGTERM: the same hooks as Ctrl-C's SIGINT
      assertThat(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(err)).doesNotContain("ERROR").doesNotContain("Exception");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void topicOptionsNeedKafka() {
    Run run = Run.of("groups", "--url", "http://127.0.0.1:1", "--events-topic", EVENTS);
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("--events-topic needs --kafka");
    Run serve = Run.of("serve", "--data", "/nonexistent/never", "--group-prefix", PREFIX);
    assertThat(serve.status()).isEqualTo(2);
    assertThat(serve.err()).contains("--group-prefix needs --kafka");
  }

  /** Cluster options Kafka would refuse are usage errors, named, before anything connects. */
  @Test
  void malformedClusterOptionsAreUsageErrors() {
    Run bootstrap = Run.of("groups", "--kafka", "banana");
    assertThat(bootstrap.status()).as(bootstrap.err()).isEqualTo(2);
    assertThat(DirectCommandsTest.firstLine(bootstrap)).startsWith("--kafka: ").contains("banana");
    // A host that does not resolve is the network's answer: a failure, as for --url.
    Run unknown = Run.of("groups", "--kafka", "no-such-host.invalid:9092");
    assertThat(unknown.status()).as(unknown.err()).isEqualTo(1);
    assertThat(unknown.err().strip())
        .hasLineCount(1)
        .startsWith("herald: cannot use the Kafka cluster at no-such-host.invalid:9092");
    Run blank = Run.of("groups", "--kafka", "127.0.0.1:1", "--events-topic", " ");
    assertThat(blank.status()).as(blank.err()).isEqualTo(2);
    assertThat(DirectCommandsTest.firstLine(blank)).startsWith("--events-topic: ");
  }

  @Test
  void replayPrintsARangeOfTheClusterAndEnds() throws IOException {
    // Topics of this test's own, so that earliest to latest is exactly what it published.
    List<String> topics =
        List.of(
            "--kafka",
            kafka.bootstrapServers(),
            "--events-topic",
            "replay.events",
            "--dead-letter-topic",
            "replay.deadletter",
            "--group-prefix",
            "replay.");
    ReplayChecks replay =
        new ReplayChecks(
            args -> {
              List<String> all = new ArrayList<>(args);
              all.addAll(topics);
              return Run.of(all.toArray(String[]::new));
            },
            "k.replay");
    replay.publish().rangesAndBadBounds();
    assertThat(replay.ids(replay.run("events", "replay", "-o", "json")))
        .containsExactly("a0", "a1", "a2", "b0", "b1");
    ReplayChecks.usageError(replay.run("events", "replay", "--to", "0.0.99"), "beyond");
  }
}
