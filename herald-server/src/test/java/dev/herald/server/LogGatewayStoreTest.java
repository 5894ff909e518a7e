package dev.herald.server;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link GatewayStoreContract} on an embedded durable log, a fresh directory for each test. */
class LogGatewayStoreTest extends GatewayStoreContract {
  @TempDir Path dir;

  @Override
  protected GatewayStore newStore() throws Exception {
    return LogGatewayStore.open(dir);
  }
}
