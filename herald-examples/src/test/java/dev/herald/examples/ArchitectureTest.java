package dev.herald.examples;

import dev.herald.contract.ModuleLayering;
import org.junit.jupiter.api.Test;

/**
 * Guards the layering of herald-examples, an application: it runs on the class path, so it has no
 * module-info, and it may use Herald only through what Herald's modules export to everyone.
 */
class ArchitectureTest {
  private static final ModuleLayering MODULE = ModuleLayering.onClassPath(Main.class);

  @Test
  void usesHeraldOnlyThroughWhatItExportsToEveryone() {
    MODULE.usesOtherHeraldModulesOnlyThroughTheirExports().check(MODULE.classes());
  }
}
