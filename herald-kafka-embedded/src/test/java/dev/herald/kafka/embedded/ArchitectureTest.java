package dev.herald.kafka.embedded;

import dev.herald.contract.LibraryLogging;
import dev.herald.contract.ModuleLayering;
import org.junit.jupiter.api.Test;

/**
 * Guards the layering of herald-kafka-embedded, a broker for the demo and the benchmarks: it runs
 * on the class path, so it has no module-info, and it may use Herald only through what Herald's
 * modules export to everyone.
 */
class ArchitectureTest {
  private static final ModuleLayering MODULE = ModuleLayering.onClassPath(EmbeddedKafka.class);

  @Test
  void usesHeraldOnlyThroughWhatItExportsToEveryone() {
    MODULE.usesOtherHeraldModulesOnlyThroughTheirExports().check(MODULE.classes());
  }

  /** Only the formatting of the broker's storage swaps standard output, to log what it prints. */
  @Test
  void printsNothingAndLogsThroughSlf4j() {
    LibraryLogging.printsNothingBut(EmbeddedKafka.class, "formatLogged").check(MODULE.classes());
    LibraryLogging.logsThroughSlf4j().check(MODULE.classes());
  }
}
