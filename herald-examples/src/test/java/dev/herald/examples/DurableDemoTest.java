package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herald demo --durable DIR}, in-process: a run, a second run on the same log, bad usage.
 */
class DurableDemoTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private JsonNode lastLineAsJson() throws Exception {
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).as("stderr: %s", err).isNotEmpty();
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }

  private static final List<String> ORDER_FIGURES =
      List.of(
          "ordersPlaced",
          "ordersShipped",
          "ordersCancelled",
          "cancelledOutOfStock",
          "cancelledPaymentDeclined",
          "cancelledFailed",
          "customersNotified");

  @Test
  void theShopRunsOnTheLogAndASecondRunFindsEverythingDone() throws Exception {
    Path log = dir.resolve("shop");
    assertThat(run("demo", "--durable", log.toString(), "--orders", "300", "--seed", "7", "--json"))
        .as("stderr: %s", err)
        .isZero();
    JsonNode first = lastLineAsJson();
    assertThat(first.get("transport").asText()).isEqualTo("log");
    JsonNode firstRun = first.get("thisRun");
    JsonNode firstAll = first.get("allRuns");
    assertThat(firstRun.get("lost").asLong()).as("%s", firstRun.get("lostDetail")).isZero();
    assertThat(firstRun.get("ordersPlaced").asLong()).isEqualTo(300);
    assertThat(firstRun.get("ordersShipped").asLong() + firstRun.get("ordersCancelled").asLong())
        .isEqualTo(300);
    assertThat(firstRun.get("customersNotified").asLong()).isEqualTo(300);
    assertThat(firstAll.get("runs").asInt()).isEqualTo(1);
    assertThat(firstAll.get("duplicateOutcomes").asLong()).isZero();
    assertThat(firstAll.get("unfinishedOrders").asLong()).isZero();
    // On a new log the first run is every run: both scopes agree.
    for (String field : ORDER_FIGURES) {
      assertThat(firstAll.get(field)).as(field).isEqualTo(firstRun.get(field));
    }
    assertThat(firstAll.get("eventsStored").asLong())
        .isEqualTo(firstRun.get("eventsPublished").asLong());
    // Durable subscriptions count in the bus's stats like in-process ones.
    assertThat(firstRun.get("services").get("inventory").get("handled").asLong()).isEqualTo(300);

    // The same business outcome as on the in-memory bus: the log changes where events live, not
    // what the shop decides.
    assertThat(run("demo", "--orders", "300", "--seed", "7", "--json")).isZero();
    JsonNode memory = lastLineAsJson().get("thisRun");
    for (String field :
        List.of(
            "ordersShipped", "cancelledOutOfStock", "cancelledPaymentDeclined", "deadLetters")) {
      assertThat(firstRun.get(field)).as(field).isEqualTo(memory.get(field));
    }

    assertThat(run("demo", "--durable", log.toString(), "--orders", "300", "--seed", "7", "--json"))
        .as("stderr: %s", err)
        .isZero();
    JsonNode second = lastLineAsJson();
    JsonNode secondRun = second.get("thisRun");
    JsonNode secondAll = second.get("allRuns");
    assertThat(secondAll.get("runs").asInt()).isEqualTo(2);
    assertThat(secondRun.get("lost").asLong()).as("%s", secondRun.get("lostDetail")).isZero();
    // Each figure over one scope: this run found the shop finished and did nothing but start...
    for (String field : ORDER_FIGURES) {
      assertThat(secondRun.get(field).asLong()).as("this run's " + field).isZero();
    }
    assertThat(secondRun.get("eventsPublished").asLong())
        .as("only the run's own start")
        .isEqualTo(1);
    // ...while every run on the log adds up to the first run's and this one's.
    for (String field : ORDER_FIGURES) {
      assertThat(secondAll.get(field).asLong())
          .as("every run's " + field)
          .isEqualTo(firstAll.get(field).asLong() + secondRun.get(field).asLong());
    }
    assertThat(secondAll.get("eventsStored").asLong())
        .isEqualTo(firstAll.get("eventsStored").asLong() + 1);
    assertThat(err.toString())
        .contains(
            "durable log in",
            "This run (run 2 on this log; the runs before it placed 300 orders and ended 300)",
            "Orders   placed 0; ended 0: shipped 0, cancelled 0",
            "Every run on this log (2 runs, this one included)",
            "Orders   placed 300; ended 300: shipped " + secondAll.get("ordersShipped").asLong());
  }

  @Test
  void aLogOfAnotherScenarioIsRefusedWithUsage() throws Exception {
    Path log = dir.resolve("shop");
    assertThat(run("demo", "--durable", log.toString(), "--orders", "50", "--seed", "1")).isZero();

    assertThat(run("demo", "--durable", log.toString(), "--orders", "60", "--seed", "1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("holds the shop of --orders 50 --seed 1");
  }

  @Test
  void aFileIsNotADirectory() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThat(run("demo", "--durable", file.toString())).isEqualTo(Main.IO_ERROR);
    assertThat(err.toString())
        .isEqualTo(
            "herald demo: cannot use --durable "
                + file
                + ": not a directory"
                + System.lineSeparator());
  }

  @Test
  void aDirectoryUnderAFileCannotBeCreated() throws Exception {
    // Fails for root too, unlike a directory made read-only with chmod.
    Path file = Files.writeString(dir.resolve("file"), "x");
    Path under = file.resolve("shop");
    assertThat(run("demo", "--durable", under.toString())).isEqualTo(Main.IO_ERROR);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString())
        .startsWith("herald demo: cannot use --durable " + under + ": cannot create it: ");
  }

  @Test
  void aDamagedLogIsAnEnvironmentErrorOnOneLineWithWhereToLook() throws Exception {
    Path log = dir.resolve("shop");
    assertThat(run("demo", "--durable", log.toString(), "--orders", "20")).isZero();
    Path offsets = log.resolve("consumer-offsets");
    byte[] bytes = Files.readAllBytes(offsets);
    bytes[bytes.length - 1] ^= 0x20; // the log's checksum finds any flipped bit in this file
    Files.write(offsets, bytes);

    assertThat(run("demo", "--durable", log.toString(), "--orders", "20"))
        .as("stderr: %s", err)
        .isEqualTo(Main.IO_ERROR);
    List<String> lines = err.toString().lines().toList();
    assertThat(lines).as("the run's start, then the error alone").hasSize(2);
    assertThat(lines.get(0)).endsWith(": started");
    assertThat(lines.get(1))
        .startsWith("herald demo: cannot use the log in " + log + ": corrupt data in " + offsets)
        .contains("see './herald log verify " + log + "'");
  }
}
