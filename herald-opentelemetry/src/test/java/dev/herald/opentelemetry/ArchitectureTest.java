package dev.herald.opentelemetry;

import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;

/** Guards the layering of herald-opentelemetry: it exports its API only. */
class ArchitectureTest extends ModuleContract {
  ArchitectureTest() {
    super(
        HeraldTracing.class,
        "dev.herald.opentelemetry",
        Map.of("dev.herald.opentelemetry", Set.of()),
        Map.of());
  }
}
