package dev.herald.kafka;

import dev.herald.contract.LibraryLogging;
import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Guards the layering of herald-kafka: it exports its API only. */
class ArchitectureTest extends ModuleContract {
  ArchitectureTest() {
    super(KafkaTransport.class, "dev.herald.kafka", Map.of("dev.herald.kafka", Set.of()), Map.of());
  }

  @Test
  void printsNothingAndLogsThroughSlf4j() {
    LibraryLogging.printsNothing().check(module().classes());
    LibraryLogging.logsThroughSlf4j().check(module().classes());
  }
}
