package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.LogGatewayStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code herald serve}'s refusals: one line each, the right exit status, no stack trace. */
class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void aPortInUseIsAFailureWithOneLine() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run run =
          Run.of("serve", "--port", String.valueOf(taken.getLocalPort()), "--data", dir.toString());
      assertThat(run.status()).isEqualTo(1);
      assertThat(run.err())
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "in use")
          .doesNotContain("\tat ");
      assertThat(run.err().strip().lines()).hasSize(1);
    }
    // The directory was closed again: the store opens.
    LogGatewayStore.open(dir).close();
  }

  @Test
  void aDirectoryOpenElsewhereIsAFailure() throws IOException {
    LogGatewayStore holder = LogGatewayStore.open(dir);
    try {
      Run run = Run.of("serve", "--port", "0", "--data", dir.toString());
      assertThat(run.status()).isEqualTo(1);
      assertThat(run.err()).contains("already open", dir.toString()).doesNotContain("\tat ");
    } finally {
      holder.close();
    }
  }

  @Test
  void verboseShowsTheStackTrace() throws IOException {
    LogGatewayStore holder = LogGatewayStore.open(dir);
    try {
      Run run = Run.of("serve", "--verbose", "--port", "0", "--data", dir.toString());
      assertThat(run.status()).isEqualTo(1);
      assertThat(run.err()).contains("\tat ");
    } finally {
      holder.close();
    }
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThat(Run.of("serve", "--port", "70000", "--data", dir.toString()).status()).isEqualTo(2);
    assertThat(Run.of("serve", "--port", "x").status()).isEqualTo(2);
    assertThat(Run.of("serve", "--data", dir.toString(), "--kafka", "localhost:9092").status())
        .isEqualTo(2);
    Run open = Run.of("serve", "--port", "0", "--host", "0.0.0.0", "--data", dir.toString());
    assertThat(open.status()).as(open.err()).isEqualTo(2);
    assertThat(open.err()).contains("loopback");
  }

  @Test
  void aMissingTokensFileIsAUsageError() {
    Path missing = dir.resolve("no-such-tokens");
    Run run =
        Run.of("serve", "--port", "0", "--data", dir.toString(), "--tokens", missing.toString());
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("--tokens").doesNotContain("\tat ");
    assertThat(Files.exists(missing)).isFalse();
  }
}
