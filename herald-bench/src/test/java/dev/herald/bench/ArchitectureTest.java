package dev.herald.bench;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import dev.herald.contract.ModuleLayering;
import org.junit.jupiter.api.Test;

/**
 * Guards the layering of herald-bench, an application: it runs on the class path, so it has no
 * module-info, and it may use Herald only through what Herald's modules export to everyone.
 */
class ArchitectureTest {
  private static final ModuleLayering MODULE = ModuleLayering.onClassPath(BusTargets.class);

  @Test
  void usesHeraldOnlyThroughWhatItExportsToEveryone() {
    // The queue A/B (dev.herald.bench.queue) measures core's internal mailboxes against JCTools on
    // purpose; everything else uses Herald as a user does.
    MODULE
        .usesOtherHeraldModulesOnlyThroughTheirExports()
        .check(
            MODULE
                .classes()
                .that(
                    DescribedPredicate.not(
                        JavaClass.Predicates.resideInAPackage("dev.herald.bench.queue"))));
  }
}
