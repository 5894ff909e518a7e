package dev.herald.spring.boot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.GeneralCodingRules;
import org.junit.jupiter.api.Test;

/**
 * The auto-configuration uses Herald's API only, prints nothing and logs through SLF4J
 * (docs/logging.md).
 */
class ArchitectureTest {
  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.herald.spring.boot");

  @Test
  void usesHeraldsApiOnly() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.herald.internal..")
        .because("dev.herald.internal is not API")
        .check(classes);
  }

  @Test
  void printsNothingAndLogsThroughSlf4j() {
    GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(classes);
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("java.util.logging..")
        .orShould()
        .dependOnClassesThat()
        .belongToAnyOf(System.Logger.class, System.LoggerFinder.class)
        .check(classes);
  }
}
