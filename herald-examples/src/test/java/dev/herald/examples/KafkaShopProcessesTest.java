package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop split over real processes on one broker, as the README's "The shop on Kafka" runs it: a
 * back office ({@code inventory,payment}) and a storefront ({@code orders,shipping,notification}),
 * each a JVM of its own. One broker for the class; each test's storefront is a run of its own (its
 * run id), so runs never mix, and each test stops the processes it started.
 */
class KafkaShopProcessesTest {
  static final String BACK_OFFICE = "inventory,payment";
  static final String STOREFRONT = "orders,shipping,notification";

  static EmbeddedKafka kafka;

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Process p : started) {
      p.toHandle().destroy(); // SIGTERM: a back office leaves its groups, sparing the next test the wait
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
            "demo", "--kafka", kafka.bootstrapServers(), "--services", STOREFRONT, "--json");
    assertThat(storefront.waitFor(3, TimeUnit.MINUTES)).as("storefront finished").isTrue();
    JsonNode report = report("storefront");
    assertThat(report.get("lost").asLong()).as("%s", report.get("lostDetail")).isZero();
    assertThat(storefront.exitValue()).as(stderr("storefront")).isZero();
    assertThat(report.get("ordersShipped").asLong() + report.get("ordersCancelled").asLong())
        .isEqualTo(1000);
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

  private JsonNode report(String name) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve(name + "-stdout.txt"));
    assertThat(lines).as(stderr(name)).isNotEmpty();
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }

  private String stderr(String name) {
    try {
      return Files.readString(dir.resolve(name + "-stderr.txt"));
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }
}
