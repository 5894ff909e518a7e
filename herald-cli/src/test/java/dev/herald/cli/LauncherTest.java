package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher: {@code ./herald serve} as a child process, used with the CLI, then stopped.
 */
class LauncherTest {
  @TempDir Path dir;

  @Test
  void serveRunsUntilSigtermAndExitsCleanly() throws Exception {
    Path data = dir.resolve("data");
    try (ServeProcess serve = ServeProcess.start(data)) {
      String url = serve.url();
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

      assertThat(serve.stop()).as(serve.output()).isZero();
      assertThat(serve.output()).contains("development mode", "stopping", "stopped:");
      assertThat(Files.isDirectory(data)).isTrue();
    }
  }
}
