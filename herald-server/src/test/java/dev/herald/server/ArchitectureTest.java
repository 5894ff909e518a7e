package dev.herald.server;

import dev.herald.contract.LibraryLogging;
import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Guards the layering of herald-server: it exports its API, not dev.herald.server.internal. */
class ArchitectureTest extends ModuleContract {
  ArchitectureTest() {
    super(HeraldServer.class, "dev.herald.server", Map.of("dev.herald.server", Set.of()), Map.of());
  }

  @Test
  void printsNothingAndLogsThroughSlf4j() {
    LibraryLogging.printsNothing().check(module().classes());
    LibraryLogging.logsThroughSlf4j().check(module().classes());
  }
}
