package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herald demo --kafka}: the whole shop on an embedded broker, and the shop split over two
 * processes sharing one broker, as the README shows scaling out.
 */
class KafkaDemoTest {
  @TempDir Path dir;

  private static JsonNode run(StringWriter out, StringWriter err, String... args) throws Exception {
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(status).as("stdout: %s%nstderr: %s", out, err).isZero();
    List<String> lines = out.toString().lines().toList();
    JsonNode report = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    assertThat(report.get("allRuns").isNull()).as("off the log, a run is all there is").isTrue();
    return report;
  }

  @Test
  void theWholeShopRunsOnAnEmbeddedBroker() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    JsonNode whole =
        run(out, err, "demo", "--kafka", "embedded", "--orders", "200", "--seed", "3", "--json");
    // With --json, the person's text is on stderr and stdout is the JSON alone.
    assertThat(err.toString()).contains("Kafka broker at", "kafka, run s3-n200-");
    assertThat(out.toString().lines()).hasSize(1);
    assertThat(whole.get("transport").asText()).isEqualTo("kafka");
    JsonNode report = whole.get("thisRun");
    assertThat(report.get("lost").asLong()).as("%s", report.get("lostDetail")).isZero();
    assertThat(report.get("ordersShipped").asLong() + report.get("ordersCancelled").asLong())
        .isEqualTo(200);
    assertThat(report.get("customersNotified").asLong()).isEqualTo(200);
    // The clock started once every consumer group had formed; the wait is reported on its own.
    assertThat(report.get("readyMs").asLong()).isPositive();
    assertThat(err.toString()).contains("Ready ");
    // Inventory serves orders in their sequence, whatever partition brings them first: the same
    // business outcome as on the in-memory bus.
    JsonNode memory =
        run(
                new StringWriter(),
                new StringWriter(),
                "demo",
                "--orders",
                "200",
                "--seed",
                "3",
                "--json")
            .get("thisRun");
    for (String field :
        List.of("ordersShipped", "cancelledOutOfStock", "cancelledPaymentDeclined")) {
      assertThat(report.get(field)).as(field).isEqualTo(memory.get(field));
    }
    assertThat(report.get("ordersEndedTwice").asLong()).isZero();
    assertThat(report.get("oversoldUnits").asLong()).isZero();
  }

  @Test
  void theShopSplitOverTwoProcessesLosesNothing() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      String bootstrap = kafka.bootstrapServers();
      Process services = launch(bootstrap, "inventory,payment,shipping");
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(services.getInputStream(), StandardCharsets.UTF_8))) {
        // The service process says when it serves; orders placed before would wait for it anyway
        // (its consumer groups start from the earliest offset), but the run should not time out.
        assertThat(lines.readLine()).startsWith("Serving inventory, payment, shipping on Kafka");

        StringWriter out = new StringWriter();
        JsonNode whole =
            run(
                out,
                new StringWriter(),
                "demo",
                "--kafka",
                bootstrap,
                "--services",
                "orders,notification,analytics",
                "--orders",
                "150",
                "--seed",
                "9",
                "--json");
        assertThat(whole.get("servicesHere").toString())
            .doesNotContain("inventory", "payment", "shipping");
        JsonNode report = whole.get("thisRun");
        assertThat(report.get("lost").asLong()).as("%s", report.get("lostDetail")).isZero();
        assertThat(report.get("ordersShipped").asLong() + report.get("ordersCancelled").asLong())
            .isEqualTo(150);
        assertThat(report.get("customersNotified").asLong()).isEqualTo(150);
        assertThat(report.get("cancelledPaymentDeclined").asLong()).isPositive();

        // SIGTERM, through the handle: Process.destroy() would also close our end of its stdout.
        // The process closes its bus, commits, leaves its groups.
        services.toHandle().destroy();
        assertThat(services.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // 143 = 128 + SIGTERM, the JVM's status after a signal, whatever its hooks did.
        assertThat(services.exitValue()).isIn(0, 143);
        // The stop hook let the service process close cleanly and account for what it handled.
        List<String> rest = lines.lines().toList();
        assertThat(rest)
            .anySatisfy(l -> assertThat(l).startsWith("inventory").contains("handled 150"));
      } finally {
        services.destroyForcibly();
      }
    }
  }

  @Test
  void anUnreachableBrokerIsAnEnvironmentErrorOnOneLine() {
    // Nothing listens on port 1: the transport gives up after its bootstrap timeout (10 s).
    assertThat(theOneErrorLineFor("127.0.0.1:1"))
        .startsWith("herald demo: no Kafka broker answered at 127.0.0.1:1");
  }

  @Test
  void aMalformedBrokerAddressIsAnEnvironmentErrorOnOneLineNamingTheCause() {
    assertThat(theOneErrorLineFor("127.0.0.1:99999"))
        .startsWith("herald demo: invalid Kafka bootstrap servers '127.0.0.1:99999': ")
        .contains("99999");
  }

  /**
   * Runs the demo on {@code bootstrap}, expecting exit status 74, one line on stderr, no stdout.
   */
  private static String theOneErrorLineFor(String bootstrap) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        Main.run(
            new String[] {"demo", "--kafka", bootstrap, "--orders", "5"},
            new PrintWriter(out, true),
            new PrintWriter(err, true));

    assertThat(status).as("stderr: %s", err).isEqualTo(Main.IO_ERROR);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines().toList()).hasSize(1);
    return err.toString().lines().findFirst().orElseThrow();
  }

  private Process launch(String bootstrap, String services) throws Exception {
    return ChildJvm.herald("demo", "--kafka", bootstrap, "--services", services)
        .redirectError(
            ProcessBuilder.Redirect.appendTo(dir.resolve("services-stderr.txt").toFile()))
        .start();
  }
}
