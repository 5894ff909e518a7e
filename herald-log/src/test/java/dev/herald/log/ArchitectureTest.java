package dev.herald.log;

import dev.herald.contract.LibraryLogging;
import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Guards the layering of herald-log: it exports its API, not dev.herald.log.internal. */
class ArchitectureTest extends ModuleContract {
  ArchitectureTest() {
    super(LogTransport.class, "dev.herald.log", Map.of("dev.herald.log", Set.of()), Map.of());
  }

  @Test
  void printsNothingAndLogsThroughSlf4j() {
    LibraryLogging.printsNothing().check(module().classes());
    LibraryLogging.logsThroughSlf4j().check(module().classes());
  }
}
