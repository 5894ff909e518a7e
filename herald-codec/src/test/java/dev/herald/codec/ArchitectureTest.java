package dev.herald.codec;

import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;

/** Guards the layering of herald-codec: it exports its API only. */
class ArchitectureTest extends ModuleContract {
  ArchitectureTest() {
    super(
        CloudEventsBinary.class,
        "dev.herald.codec",
        Map.of("dev.herald.codec", Set.of()),
        Map.of());
  }
}
