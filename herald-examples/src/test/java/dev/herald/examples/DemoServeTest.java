package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herald demo --serve} in a process of its own: it prints the dashboard's address, the
 * gateway serves the page and the live shop's figures, and SIGTERM (as Ctrl-C) stops it cleanly.
 */
class DemoServeTest {
  @TempDir Path dir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void servesTheLiveShopOnTheDashboardUntilStopped() throws Exception {
    Path log = dir.resolve("shop");
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    Process child =
        ChildJvm.herald(
                "demo", "--serve", "--port", "0", "--durable", log.toString(), "--rate", "50")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      URI dashboard =
          await()
              .atMost(Duration.ofMinutes(2))
              .until(() -> dashboardAddress(out, child), a -> a != null);
      assertThat(Files.readString(out)).contains("the shop on the durable log in " + log);

      HttpResponse<String> page = get(dashboard);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("id=\"throughput-chart\"");

      long first = published(dashboard);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(published(dashboard)).isGreaterThan(first));

      child.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook stops the shop
      assertThat(child.waitFor(1, TimeUnit.MINUTES)).as("the demo stopped").isTrue();
      // 143 = 128 + SIGTERM, the JVM's status after a signal, whatever its hooks did.
      assertThat(child.exitValue()).as(Files.readString(err)).isIn(0, 143);
      assertThat(Files.readString(out))
          .containsPattern("Stopped\\. This run placed \\d+ orders; during it \\d+ orders shipped");
      assertThat(log).isNotEmptyDirectory();
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void serveRefusesOptionsThatDoNotApply() {
    assertThat(usage("demo", "--serve", "--json")).contains("--json does not apply");
    assertThat(usage("demo", "--serve", "--kafka", "embedded")).contains("--kafka");
    assertThat(usage("demo", "--serve", "--port", "70000")).contains("--port");
    assertThat(usage("demo", "--serve", "--rate", "0")).contains("--rate");
    assertThat(usage("demo", "--port", "8081")).contains("--port needs --serve");
  }

  /**
   * A port in use is said in one line, exit 74, before anything is made: no log directory, no run
   * record in the one given.
   */
  @Test
  void aPortInUseIsSaidInOneLineAndLeavesNothingBehind() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Path log = dir.resolve("never");
      StringWriter err = new StringWriter();
      int status =
          Main.run(
              new String[] {
                "demo",
                "--serve",
                "--port",
                Integer.toString(taken.getLocalPort()),
                "--durable",
                log.toString()
              },
              new PrintWriter(new StringWriter()),
              new PrintWriter(err));
      assertThat(status).as(err.toString()).isEqualTo(Main.IO_ERROR);
      assertThat(err.toString().strip())
          .contains("the address is in use (another server there?); pick another --port")
          .doesNotContain("Exception")
          .hasLineCount(1);
      assertThat(log).doesNotExist();
    }
  }

  /** Runs {@code args} in this JVM, expecting bad usage; its standard error. */
  private static String usage(String... args) {
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(status).as(err.toString()).isEqualTo(Main.USAGE);
    return err.toString();
  }

  /** The address the demo printed, or null while it has printed none. */
  private static URI dashboardAddress(Path out, Process child) throws IOException {
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      if (line.startsWith("Dashboard: ")) {
        return URI.create(line.substring("Dashboard: ".length()).trim());
      }
    }
    if (!child.isAlive()) {
      throw new AssertionError(
          "the demo ended without a dashboard address:\n" + Files.readString(out));
    }
    return null;
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Events the shop's bus has published so far, from the gateway's stats. */
  private static long published(URI dashboard) throws Exception {
    HttpResponse<String> r = get(dashboard.resolve("/v1/stats"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode stats = new ObjectMapper().readTree(r.body());
    return stats.path("bus").path("published").asLong();
  }
}
