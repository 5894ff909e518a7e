package dev.herald.cli;

import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;

/**
 * Guards the layering of herald-cli: an application, it exports nothing and opens its commands to
 * picocli only.
 */
class ArchitectureTest extends ModuleContract {
  ArchitectureTest() {
    super(Main.class, "dev.herald.cli", Map.of(), Map.of("dev.herald.cli", Set.of("info.picocli")));
  }
}
