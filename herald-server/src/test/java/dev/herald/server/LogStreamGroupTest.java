package dev.herald.server;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link StreamGroupTest} on the durable log, in a directory of the class's. */
class LogStreamGroupTest extends StreamGroupTest {
  @TempDir static Path dir;

  @Override
  protected GatewayStore openStore() throws IOException {
    return LogGatewayStore.open(dir);
  }

  @Override
  protected void awaitMembers(String group, int members) {
    // A log group's members share its events from the moment they join.
  }
}
