package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs {@code herald demo} in-process, as the launcher would, and checks what it prints. */
class DemoCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  /** The report's figures: off the log, one run is all there is, and allRuns is null. */
  private JsonNode thisRun() throws Exception {
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).isNotEmpty();
    JsonNode report = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    assertThat(report.get("allRuns").isNull()).isTrue();
    return report.get("thisRun");
  }

  @Test
  void demoAccountsForEveryOrderAndLosesNothing() throws Exception {
    int status = run("demo", "--orders", "300", "--seed", "7", "--json");

    assertThat(status).as("stderr: %s", err).isZero();
    // With --json the table is for a person, on stderr; stdout holds the JSON alone.
    assertThat(err.toString()).contains("event type", "service", "Latency", "Close");
    assertThat(out.toString().lines()).hasSize(1);
    JsonNode json = thisRun();
    for (String field :
        List.of(
            "ordersPlaced",
            "ordersShipped",
            "ordersCancelled",
            "eventsPublished",
            "deadLetters",
            "lost",
            "retries",
            "analyticsDropped",
            "latencyP50Ms",
            "latencyP99Ms",
            "elapsedMs",
            "readyMs")) {
      assertThat(json.has(field)).as(field).isTrue();
    }
    long placed = json.get("ordersPlaced").asLong();
    assertThat(placed).isEqualTo(300);
    assertThat(json.get("ordersShipped").asLong() + json.get("ordersCancelled").asLong())
        .isEqualTo(placed);
    assertThat(json.get("lost").asLong()).as("lost: %s", json.get("lostDetail")).isZero();
    assertThat(json.get("cancelledPaymentDeclined").asLong()).isPositive();
    assertThat(json.get("deadLetters").asLong())
        .isEqualTo(json.get("cancelledPaymentDeclined").asLong());
    assertThat(json.get("retries").asLong()).isPositive();
    assertThat(json.get("customersNotified").asLong()).isEqualTo(placed);
    assertThat(json.get("closeDrained").asBoolean()).isTrue();
  }

  @Test
  void sameSeedSameBusinessOutcome() throws Exception {
    run("demo", "--orders", "200", "--seed", "11", "--json");
    JsonNode first = thisRun();
    out.getBuffer().setLength(0);
    run("demo", "--orders", "200", "--seed", "11", "--json");
    JsonNode second = thisRun();

    for (String field :
        List.of(
            "ordersShipped",
            "cancelledOutOfStock",
            "cancelledPaymentDeclined",
            "retries",
            "eventsPublished")) {
      assertThat(second.get(field)).as(field).isEqualTo(first.get(field));
    }
  }

  /** A usage error: exactly the error's line and where the help is, not the whole help. */
  private void assertUsageError(String errorLine, String... args) {
    err.getBuffer().setLength(0);
    out.getBuffer().setLength(0);
    assertThat(run(args)).as("stderr: %s", err).isEqualTo(Main.USAGE);
    assertThat(err.toString().lines())
        .as("stderr")
        .containsExactly(errorLine, "See './herald demo --help'.");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void badOptionValuesGetOneLineAndAHint() {
    assertUsageError(
        "herald demo: Invalid value for option '--orders': 'abc' is not an int",
        "demo",
        "--orders",
        "abc");
    assertUsageError(
        "herald demo: Invalid value for option '--orders': must be within [1, 10000000], was -5",
        "demo",
        "--orders",
        "-5");
    assertUsageError(
        "herald demo: Invalid value for option '--orders': must be within [1, 10000000], was 0",
        "demo",
        "--orders",
        "0");
    assertUsageError(
        "herald demo: Invalid value for option '--seed': 'x' is not a long", "demo", "--seed", "x");
    assertUsageError(
        "herald demo: Invalid value for option '--progress': must be within [0.001, 3600] seconds,"
            + " was 0.0",
        "demo",
        "--progress",
        "0");
  }

  @Test
  void unknownOptionIsUsageError() {
    assertThat(run("demo", "--bogus")).isEqualTo(Main.USAGE);
    assertThat(err.toString()).contains("Unknown option: '--bogus'", "See './herald demo --help'.");
    assertThat(err.toString()).doesNotContain("Usage:");
  }

  @Test
  void versionIsTheProjectVersion() {
    String expected = "herald " + System.getProperty("herald.project.version");
    assertThat(expected).doesNotEndWith("null");

    assertThat(run("demo", "--version")).isZero();
    assertThat(out.toString()).isEqualTo(expected + System.lineSeparator());
    out.getBuffer().setLength(0);
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).isEqualTo(expected + System.lineSeparator());
  }

  @Test
  void noCommandOrUnknownCommandIsUsageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(run("nope")).isEqualTo(2);
    assertThat(err.toString()).contains("Usage: herald");
  }
}
