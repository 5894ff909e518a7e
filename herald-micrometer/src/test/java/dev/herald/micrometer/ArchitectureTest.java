package dev.herald.micrometer;

import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;

/** Guards the layering of herald-micrometer: it exports its API only. */
class ArchitectureTest extends ModuleContract {
  ArchitectureTest() {
    super(
        HeraldMetrics.class,
        "dev.herald.micrometer",
        Map.of("dev.herald.micrometer", Set.of()),
        Map.of());
  }
}
