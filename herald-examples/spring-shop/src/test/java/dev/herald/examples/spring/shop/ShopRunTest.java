package dev.herald.examples.spring.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop run as docs/spring-boot.md says, in a JVM of its own: {@code ShopApplication.main} with
 * the properties as command-line arguments. It places its orders, prints how they ended, keeps
 * running (a service, {@code spring.main.keep-alive}), and on SIGTERM closes the bus with every
 * event delivered and exits.
 */
class ShopRunTest {
  @TempDir Path dir;
  private Process shop;

  @AfterEach
  void stop() throws InterruptedException {
    if (shop != null && shop.isAlive()) {
      shop.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void runsOnTheLogUntilSigtermThenClosesTheBusWithEverythingDelivered() throws Exception {
    Path output = dir.resolve("shop.out");
    shop =
        shop(
                "--herald.transport=log",
                "--herald.log.directory=" + dir.resolve("log"),
                "--shop.orders=20")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();

    Awaitility.await("the run's result")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .failFast("the shop exited", () -> !shop.isAlive())
        .until(() -> read(output).contains("20 orders ended: {shipped=20}"));
    assertThat(shop.isAlive()).as("still running after its orders: a service").isTrue();

    shop.destroy(); // SIGTERM, as Ctrl-C or a process manager would
    assertThat(shop.waitFor(40, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    assertThat(read(output))
        .contains("Herald bus started: transport log")
        .contains("Herald bus closed: every event in flight was delivered")
        .doesNotContain("failed to store");
  }

  /** With {@code shop.traces=log} the spans of the run are printed by the logging exporter. */
  @Test
  void printsItsSpansWithShopTracesLog() throws Exception {
    Path output = dir.resolve("traces.out");
    shop =
        shop("--herald.transport=memory", "--shop.orders=1", "--shop.traces=log")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    // The run's result line and the last handler's span are printed by different threads, in
    // either order: wait for both.
    Awaitility.await("the run's result and the spans of the order's last handler")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .failFast("the shop exited", () -> !shop.isAlive())
        .until(
            () -> {
              String out = read(output);
              return out.contains("'process customer.notified'")
                  && out.contains("1 orders ended: {shipped=1}");
            });
    assertThat(read(output))
        .contains(
            "Herald bus started: transport memory, interceptors [HeraldTracing, HeraldMetrics]")
        .contains("1 orders ended: {shipped=1}")
        .contains("LoggingSpanExporter")
        .contains("'send order.placed'")
        .contains("'process order.placed'");
  }

  /** Spring Boot refuses {@code shop.orders} below 1 before any order is placed. */
  @Test
  void refusesABadOrderCount() throws Exception {
    Path output = dir.resolve("bad.out");
    shop =
        shop("--herald.transport=memory", "--shop.orders=-5")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(shop.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(shop.exitValue()).isNotZero();
    assertThat(read(output))
        .contains("APPLICATION FAILED TO START")
        .contains("shop.orders must be at least 1, was -5")
        .doesNotContain("orders ended");
  }

  /** {@code java ShopApplication args...} on the test's class path, small and quick to start. */
  private static ProcessBuilder shop(String... args) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                ShopApplication.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }
}
