package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher: {@code ./herald serve} as a child process, used with the CLI, then stopped
 * with SIGTERM. The launcher runs the CLI from this test's class path ({@code
 * HERALD_CLI_CLASSPATH}) rather than building the jar in the middle of the build.
 */
class LauncherTest {
  static final long PATIENCE_SECONDS = 60;

  @TempDir Path dir;

  @Test
  void serveRunsUntilSigtermAndExitsCleanly() throws Exception {
    Path launcher = Path.of(System.getProperty("user.dir")).getParent().resolve("herald");
    assertThat(launcher).isExecutable();
    Path data = dir.resolve("data");
    ProcessBuilder pb =
        new ProcessBuilder(launcher.toString(), "serve", "--port", "0", "--data", data.toString())
            .redirectErrorStream(true);
    pb.environment().put("HERALD_CLI_CLASSPATH", System.getProperty("java.class.path"));
    Process serve = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    StringBuilder all = new StringBuilder();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (all) {
                    all.append(line).append('\n');
                  }
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("read failed: " + e);
              }
            },
            "serve-output");
    reader.start();
    try {
      String url = null;
      while (url == null) {
        String line = lines.poll(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertThat(line).as("the 'listening' line; output so far: %s", all).isNotNull();
        if (line.contains("listening on ")) {
          url = line.substring(line.indexOf("listening on ") + "listening on ".length()).strip();
        }
      }
      Run publish =
          Run.of(
              "events",
              "publish",
              "--type",
              "launcher.ping",
              "--payload",
              "{\"ok\":true}",
              "--url",
              url,
              "-o",
              "json");
      assertThat(publish.status()).as(publish.err()).isZero();
      String position = publish.json().get("results").get(0).get("position").asText();

      Run tail =
          Run.of(
              "events", "tail", "--from", "earliest", "--limit", "1", "--url", url, "-o", "json");
      assertThat(tail.status()).as(tail.err()).isZero();
      assertThat(tail.json().get("events").get(0).get("position").asText()).isEqualTo(position);

      // SIGTERM through the handle: Process.destroy() would also close our end of its output.
      assertThat(serve.toHandle().destroy()).isTrue();
      assertThat(serve.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
      assertThat(serve.exitValue()).as(all.toString()).isZero();
      assertThat(all.toString()).contains("development mode", "stopping", "stopped:");
      assertThat(Files.isDirectory(data)).isTrue();
    } finally {
      serve.destroyForcibly();
    }
  }
}
