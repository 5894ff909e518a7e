package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.log.Log;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress bars of the long log operations: drawn on standard error with {@code --progress} (or
 * a terminal), never on standard output, and not at all otherwise.
 */
class ProgressTest {
  @TempDir Path dir;

  @BeforeEach
  void writeLog() throws IOException {
    try (LogDirectory d = LogDirectory.open(dir, LogOptions.defaults())) {
      Log events = d.topic("events");
      for (int i = 0; i < 100; i++) {
        events
            .append(
                LogRecord.of(
                    0L, null, List.of(), ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)))
            .join();
      }
    }
  }

  @Test
  void verifyDrawsItsBarOnStandardErrorWhenAsked() {
    Run quiet = Run.of("log", "verify", dir.toString());
    assertThat(quiet.status()).isZero();
    assertThat(quiet.err()).isEmpty();

    Run shown = Run.of("log", "verify", dir.toString(), "--progress");
    assertThat(shown.status()).as(shown.err()).isZero();
    assertThat(shown.err()).contains("verifying", "MiB");
    assertThat(shown.out()).contains("clean").doesNotContain("verifying");
  }

  @Test
  void repairDrawsBothPhases() {
    Run shown = Run.of("log", "repair", dir.toString(), "--progress");
    assertThat(shown.status()).as(shown.err()).isZero();
    assertThat(shown.err()).contains("repairing", "verifying");
    assertThat(shown.out()).contains("verified clean");
  }
}
