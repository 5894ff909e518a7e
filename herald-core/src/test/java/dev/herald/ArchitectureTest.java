package dev.herald;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noConstructors;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.herald.contract.LibraryLogging;
import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Guards the layering of herald-core. */
class ArchitectureTest extends ModuleContract {
  /** The API and the SPI; the helpers of Herald's own codec and transports to those only. */
  ArchitectureTest() {
    super(
        Herald.class,
        "dev.herald",
        Map.of(
            "dev.herald",
            Set.of(),
            "dev.herald.spi",
            Set.of(),
            "dev.herald.internal.transport",
            Set.of("dev.herald.codec", "dev.herald.log", "dev.herald.kafka")),
        Map.of());
  }

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.herald");

  @Test
  void coreDependsOnNothingButTheJdk() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("dev.herald..", "java..")
        .check(CORE);
  }

  @Test
  void printsNothingAndLogsThroughPlatformLogging() {
    LibraryLogging.printsNothing().check(CORE);
    LibraryLogging.logsThroughPlatformLogging().check(CORE);
  }

  @Test
  void theApiUsesTheEngineOnlyThroughItsFactoryAndValidation() {
    noClasses()
        .that()
        .resideInAPackage("dev.herald")
        .and()
        .doNotHaveSimpleName("Herald")
        .and()
        .doNotHaveSimpleName("Event")
        .and()
        .doNotHaveSimpleName("Builder")
        .and()
        .doNotHaveSimpleName("TypePattern") // validates with the engine's rules
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.herald.internal")
        .check(CORE);
  }

  @Test
  void internalIsPublicOnlyWhereTheApiReachesIn() {
    // Herald builds the engine through Engine.create; Event validates with Names, takes ids from
    // EventIds and times from EventClock, and hands the engine its routing count through
    // RoutingMarks. The two mailbox queues are public for herald-bench's A/B against JCTools only:
    // the module exports dev.herald.internal to nobody.
    classes()
        .that()
        .resideInAPackage("dev.herald.internal")
        .and()
        .areTopLevelClasses()
        .and()
        .arePublic()
        .should()
        .haveNameMatching(
            "dev\\.herald\\.internal\\.(Engine|Names|EventIds|EventClock|RoutingMarks|MpscArrayQueue|MpmcArrayQueue)")
        .check(CORE);
    noConstructors()
        .that()
        .areDeclaredInClassesThat()
        .resideInAPackage("dev.herald.internal")
        .and()
        .areDeclaredInClassesThat()
        .haveNameNotMatching("dev\\.herald\\.internal\\.Mp[sm]cArrayQueue")
        .should()
        .bePublic()
        .check(CORE);
  }
}
