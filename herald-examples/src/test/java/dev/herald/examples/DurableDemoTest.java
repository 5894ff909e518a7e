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

/** {@code herald demo --durable DIR}, in-process: a run, a second run on the same log, bad usage. */
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

  @Test
  void theShopRunsOnTheLogAndASecondRunFindsEverythingDone() throws Exception {
    Path log = dir.resolve("shop");
    assertThat(run("demo", "--durable", log.toString(), "--orders", "300", "--seed", "7", "--json"))
        .as("stderr: %s", err)
        .isZero();
    JsonNode first = lastLineAsJson();
    assertThat(first.get("transport").asText()).isEqualTo("log");
    assertThat(first.get("lost").asLong()).as("%s", first.get("lostDetail")).isZero();
    assertThat(first.get("ordersPlaced").asLong()).isEqualTo(300);
    assertThat(first.get("ordersShipped").asLong() + first.get("ordersCancelled").asLong())
        .isEqualTo(300);
    assertThat(first.get("customersNotified").asLong()).isEqualTo(300);
    assertThat(first.get("durable").get("runs").asInt()).isEqualTo(1);
    assertThat(first.get("durable").get("duplicateOutcomes").asLong()).isZero();
    // Durable subscriptions count in the bus's stats like in-process ones.
    assertThat(first.get("services").get("inventory").get("handled").asLong()).isEqualTo(300);

    // The same business outcome as on the in-memory bus: the log changes where events live, not
    // what the shop decides.
    assertThat(run("demo", "--orders", "300", "--seed", "7", "--json")).isZero();
    JsonNode memory = lastLineAsJson();
    for (String field :
        List.of("ordersShipped", "cancelledOutOfStock", "cancelledPaymentDeclined", "deadLetters")) {
      assertThat(first.get(field)).as(field).isEqualTo(memory.get(field));
    }

    assertThat(run("demo", "--durable", log.toString(), "--orders", "300", "--seed", "7", "--json"))
        .as("stderr: %s", err)
        .isZero();
    JsonNode second = lastLineAsJson();
    JsonNode d = second.get("durable");
    assertThat(d.get("runs").asInt()).isEqualTo(2);
    assertThat(d.get("resumedOrders").asLong()).isEqualTo(300);
    assertThat(d.get("eventsThisRun").asLong()).as("only the run's own start").isEqualTo(1);
    assertThat(second.get("lost").asLong()).as("%s", second.get("lostDetail")).isZero();
    for (String field :
        List.of("ordersPlaced", "ordersShipped", "ordersCancelled", "customersNotified")) {
      assertThat(second.get(field)).as(field).isEqualTo(first.get(field));
    }
    assertThat(second.get("eventsPublished").asLong())
        .isEqualTo(first.get("eventsPublished").asLong() + 1);
    assertThat(err.toString()).contains("durable log in", "Run 2");
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
        .isEqualTo("herald demo: cannot use --durable " + file + ": not a directory" + System.lineSeparator());
  }

  @Test
  void aDirectoryUnderAFileCannotBeCreated() throws Exception {
    // Fails for root too, unlike a directory made read-only with chmod.
    Path file = Files.writeString(dir.resolve("file"), "x");
    Path under = file.resolve("shop");
    assertThat(run("demo", "--durable", under.toString())).isEqualTo(Main.IO_ERROR);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("herald demo: cannot use --durable " + under + ": cannot create it: ");
  }
}
