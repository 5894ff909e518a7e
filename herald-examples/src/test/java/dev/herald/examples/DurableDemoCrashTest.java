package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.examples.shop.ShopDemo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable shop killed with SIGKILL at random moments, then run again until it finishes: every
 * order ends exactly once from its customer's point of view, nothing is lost, and the outcome is
 * the one the in-memory bus gives for the same seed. {@code -Dherald.demo.kills=N} sets the number
 * of kills (the {@code stress} profile raises it).
 */
class DurableDemoCrashTest {
  static final int KILLS = Integer.getInteger("herald.demo.kills", 6);
  static final int ORDERS = 2000;
  static final long SEED = 5;

  @TempDir Path dir;

  @Test
  void killedRunsAreFinishedByTheNextOneAndEveryOrderEndsOnce() throws Exception {
    Path log = dir.resolve("shop");
    Path stderr = dir.resolve("child-stderr.txt");
    Random random = new Random();
    int killedMidRun = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      long before = logBytes(log);
      // Kill somewhere within roughly the next fifth of the run's log, at a moment the child does
      // not choose: the file size crossing a random mark.
      long mark = before + 1 + random.nextInt(300_000);
      Process child = launch(log, stderr);
      try {
        await()
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(1))
            .until(() -> !child.isAlive() || logBytes(log) >= mark);
        if (child.isAlive()) {
          child.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook, no close, no flush
          killedMidRun++;
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        child.destroyForcibly();
      }
    }
    assertThat(killedMidRun).as("runs killed before they finished").isPositive();

    // The last run, in-process, finishes the shop.
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        Main.run(args(log, "--json"), new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(status).as("stdout: %s%nstderr: %s", out, err).isZero();
    JsonNode thisRun = lastLine(out).get("thisRun");
    JsonNode report = lastLine(out).get("allRuns");
    JsonNode durable = report;
    assertThat(thisRun.get("lost").asLong()).as("%s", thisRun.get("lostDetail")).isZero();
    assertThat(report.get("ordersPlaced").asLong()).isEqualTo(ORDERS);
    assertThat(report.get("ordersShipped").asLong() + report.get("ordersCancelled").asLong())
        .isEqualTo(ORDERS);
    assertThat(report.get("customersNotified").asLong()).isEqualTo(ORDERS);
    assertThat(report.get("ordersEndedTwice").asLong()).isZero();
    assertThat(report.get("oversoldUnits").asLong()).isZero();
    // The last run finishes what the killed ones left within seconds, not a stall timeout.
    assertThat(thisRun.get("elapsedMs").asLong()).isLessThan(ShopDemo.STALL_TIMEOUT.toMillis());
    assertThat(durable.get("duplicateOutcomes").asLong()).isZero();
    assertThat(durable.get("duplicateNotifications").asLong()).isZero();
    assertThat(durable.get("foreignEvents").asLong()).isZero();
    assertThat(durable.get("runs").asInt()).isGreaterThan(1);

    // Same business outcome as an uninterrupted in-memory run of the same scenario.
    StringWriter memoryOut = new StringWriter();
    assertThat(
            Main.run(
                new String[] {"demo", "--orders", "" + ORDERS, "--seed", "" + SEED, "--json"},
                new PrintWriter(memoryOut, true),
                new PrintWriter(new StringWriter(), true)))
        .isZero();
    JsonNode memory = lastLine(memoryOut).get("thisRun");
    for (String field :
        List.of("ordersShipped", "cancelledOutOfStock", "cancelledPaymentDeclined")) {
      assertThat(report.get(field)).as(field).isEqualTo(memory.get(field));
    }
    System.out.printf(
        "durable demo crash test: %d runs (%d killed mid-run), %d events in the log, %d redeliveries"
            + " skipped in the last run%n",
        durable.get("runs").asInt(),
        killedMidRun,
        report.get("eventsStored").asLong(),
        thisRun.get("redeliveriesSkipped").asLong());
  }

  private static String[] args(Path log, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "demo", "--durable", log.toString(), "--orders", "" + ORDERS, "--seed", "" + SEED));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  private static Process launch(Path log, Path stderr) throws IOException {
    return ChildJvm.herald(args(log))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
        .start();
  }

  /** Bytes in the log's segment files; read without the lock, which the child holds. */
  private static long logBytes(Path log) {
    if (!Files.isDirectory(log)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(log)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".log"))
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // deleted or renamed meanwhile
                }
              })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      return 0; // a directory vanished during the walk
    }
  }

  private static JsonNode lastLine(StringWriter out) throws IOException {
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).isNotEmpty();
    return new ObjectMapper()
        .readTree(lines.get(lines.size() - 1).getBytes(StandardCharsets.UTF_8));
  }
}
