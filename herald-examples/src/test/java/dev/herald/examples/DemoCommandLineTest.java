package dev.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.examples.shop.ShopDemo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code herald demo} as a separate process, as a shell runs it: what goes to standard output and
 * what to standard error, exit statuses, and what it leaves in its working directory. The child's
 * standard output is a pipe, as in {@code ./herald demo --json | jq .}: no terminal.
 */
class DemoCommandLineTest {
  @TempDir Path dir;

  /** A finished child: its exit status, standard output and standard error. */
  record Run(int status, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private Run herald(String... args) throws IOException, InterruptedException {
    Path cwd = Files.createDirectories(dir.resolve("cwd"));
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    Process child =
        ChildJvm.herald(args)
            .directory(cwd.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      assertThat(child.waitFor(3, TimeUnit.MINUTES)).as("the demo ended").isTrue();
    } finally {
      child.destroyForcibly();
    }
    return new Run(
        child.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Standard output as exactly one JSON object and nothing else, as {@code jq} would take it. */
  private static JsonNode theOneJsonObject(Run run) throws IOException {
    JsonNode json =
        new ObjectMapper()
            .readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .readValue(run.out());
    assertThat(json.isObject()).as("stdout: %s", run.out()).isTrue();
    assertThat(run.out()).as("nothing before the object").startsWith("{").endsWith("}\n");
    return json;
  }

  @Test
  void jsonOnTheInMemoryBusIsTheOnlyThingOnStdout() throws Exception {
    Run run = herald("demo", "--orders", "200", "--seed", "3", "--json");

    assertThat(run.status()).as("stderr: %s", run.err()).isZero();
    JsonNode json = theOneJsonObject(run);
    assertThat(json.get("transport").asText()).isEqualTo("memory");
    // The person's summary is still shown, on stderr.
    assertThat(run.err()).contains("started", "event type", "Latency", "Lost");
  }

  @Test
  void jsonOnTheDurableLogIsTheOnlyThingOnStdout() throws Exception {
    Path log = dir.resolve("shop");
    Run run = herald("demo", "--durable", log.toString(), "--orders", "200", "--json");

    assertThat(run.status()).as("stderr: %s", run.err()).isZero();
    JsonNode json = theOneJsonObject(run);
    assertThat(json.get("transport").asText()).isEqualTo("log");
    assertThat(run.err()).contains("started", "durable log in", "event type");
  }

  @Test
  void anEmptyDurableDirectoryIsRefusedAndNothingIsWritten() throws Exception {
    Run run = herald("demo", "--durable", "", "--orders", "10");

    assertThat(run.status()).isEqualTo(Main.USAGE);
    assertThat(run.errLines())
        .containsExactly(
            "herald demo: Invalid value for option '--durable': empty; name a directory for the log",
            "See './herald demo --help'.");
    try (Stream<Path> left = Files.list(dir.resolve("cwd"))) {
      assertThat(left).as("files left in the working directory").isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " "})
  void anEmptyKafkaAddressIsBadUsage(String bootstrap) throws Exception {
    Run run = herald("demo", "--kafka", bootstrap, "--orders", "10");

    assertThat(run.status()).as("stderr: %s", run.err()).isEqualTo(Main.USAGE);
    assertThat(run.errLines())
        .containsExactly(
            "herald demo: Invalid value for option '--kafka': empty; name the brokers"
                + " (host:port[,host:port...]) or 'embedded'",
            "See './herald demo --help'.");
  }

  @Test
  void aServicesListThatNamesNoServiceIsBadUsage() throws Exception {
    // Refused before connecting, so no broker is needed; before, the process went on with no
    // service and (given a broker) served nothing until killed.
    Run run = herald("demo", "--kafka", "127.0.0.1:1", "--services", ",");

    assertThat(run.status()).as("stderr: %s", run.err()).isEqualTo(Main.USAGE);
    assertThat(run.errLines())
        .containsExactly(
            "herald demo: Invalid value for option '--services': no service named; services: "
                + String.join(", ", ShopDemo.SERVICES),
            "See './herald demo --help'.");
  }

  @Test
  void withoutATerminalALongRunSaysItStartedAndReportsProgress() throws Exception {
    // A progress line every 20 ms: a run of this size lasts far longer, so lines must appear.
    Run run = herald("demo", "--orders", "20000", "--progress", "0.02");

    assertThat(run.status()).as("stderr: %s", run.err()).isZero();
    List<String> lines = run.errLines();
    assertThat(lines.get(0))
        .isEqualTo("herald demo: 20000 orders, seed 42, on the in-memory bus: started");
    assertThat(lines)
        .filteredOn(l -> l.startsWith("herald demo: progress: placed "))
        .as("stderr: %s", run.err())
        .isNotEmpty();
    assertThat(run.err()).as("no terminal: nothing redrawn in place").doesNotContain("\r");
    assertThat(run.out()).contains("event type").doesNotContain("progress");
  }

  @Test
  void aDirectoryThatTakesNoFilesIsAnEnvironmentErrorOnOneLine() throws Exception {
    // The tests run as root, whom permission bits never stop, so a read-only directory made with
    // chmod would take the probe file anyway. /proc takes no new file whoever asks.
    Path proc = Path.of("/proc");
    assumeTrue(Files.isDirectory(proc), "needs Linux's /proc");
    Run run = herald("demo", "--durable", proc.toString(), "--orders", "10");

    assertThat(run.status()).as("stderr: %s", run.err()).isEqualTo(Main.IO_ERROR);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err())
        .startsWith("herald demo: cannot use --durable /proc: cannot create files in it");
  }
}
