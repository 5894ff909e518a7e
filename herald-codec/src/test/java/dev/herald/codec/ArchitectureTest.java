package dev.herald.codec;

import dev.herald.contract.LibraryLogging;
import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Guards the layering of herald-codec: it exports its API only. */
class ArchitectureTest extends ModuleContract {
  ArchitectureTest() {
    super(
        CloudEventsBinary.class,
        "dev.herald.codec",
        Map.of("dev.herald.codec", Set.of()),
        Map.of());
  }

  @Test
  void printsNothingAndLogsThroughSlf4j() {
    LibraryLogging.printsNothing().check(module().classes());
    LibraryLogging.logsThroughSlf4j().check(module().classes());
  }
}
