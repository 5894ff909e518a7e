package dev.herald.kafka;

import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;

/** Guards the layering of herald-kafka: it exports its API only. */
class ArchitectureTest extends ModuleContract {
  ArchitectureTest() {
    super(KafkaTransport.class, "dev.herald.kafka", Map.of("dev.herald.kafka", Set.of()), Map.of());
  }
}
