package dev.herald.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** {@link WebhookCloseContract} on the durable log, in a directory of each test's. */
class LogWebhookCloseTest extends WebhookCloseContract {
  @TempDir Path dir;

  @Override
  protected GatewayStore openStore() throws IOException {
    return LogGatewayStore.open(dir);
  }

  @Override
  protected Duration patience() {
    return Duration.ofSeconds(10);
  }
}
