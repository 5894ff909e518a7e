package dev.herald.contract;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.conditions.ArchConditions;
import com.tngtech.archunit.library.GeneralCodingRules;

/**
 * The logging rules of Herald's library modules (docs/logging.md), for their ArchitectureTests:
 * library code never prints (no {@code System.out}, {@code System.err} or {@code
 * Throwable.printStackTrace()}), and logs through SLF4J, except herald-core, which has no
 * dependency and logs through {@link System.Logger}. The programs (herald-cli, herald-examples,
 * herald-bench) print by design and are not held to the first rule.
 */
public final class LibraryLogging {
  private LibraryLogging() {}

  /** No class touches {@code System.out}, {@code System.err} or {@code printStackTrace()}. */
  public static ArchRule printsNothing() {
    return GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.because(
        "library code logs; what it prints mixes with the application's output (docs/logging.md)");
  }

  /**
   * As {@link #printsNothing()}, but for the one method {@code method} of {@code owner}, which may
   * read and swap the standard streams for a stated reason (its Javadoc).
   */
  public static ArchRule printsNothingBut(Class<?> owner, String method) {
    DescribedPredicate<JavaAccess<?>> printing =
        DescribedPredicate.describe(
            "System.out, System.err or Throwable.printStackTrace() outside "
                + owner.getSimpleName()
                + "."
                + method,
            access ->
                isStandardStream(access.getTarget())
                    && !(access.getOriginOwner().isEquivalentTo(owner)
                        && access.getOrigin().getName().equals(method)));
    return noClasses()
        .should(ArchConditions.accessTargetWhere(printing))
        .because(
            "library code logs; what it prints mixes with the application's output (docs/logging.md)");
  }

  private static boolean isStandardStream(AccessTarget target) {
    String name = target.getName();
    if (target.getOwner().isEquivalentTo(System.class)) {
      return name.equals("out") || name.equals("err");
    }
    return target.getOwner().isAssignableTo(Throwable.class)
        && name.equals("printStackTrace")
        && target instanceof AccessTarget.MethodCallTarget call
        && call.getRawParameterTypes().isEmpty();
  }

  /** Logs through SLF4J only: neither java.util.logging nor the JDK's {@link System.Logger}. */
  public static ArchRule logsThroughSlf4j() {
    return noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("java.util.logging..")
        .orShould()
        .dependOnClassesThat()
        .belongToAnyOf(System.Logger.class, System.LoggerFinder.class)
        .because("every module but herald-core logs through SLF4J (docs/logging.md)");
  }

  /** herald-core: through {@link System.Logger} only, never java.util.logging directly. */
  public static ArchRule logsThroughPlatformLogging() {
    // Not GeneralCodingRules' JUL rule: it only sees JUL loggers kept in fields.
    return noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("java.util.logging..")
        .because(
            "herald-core logs through System.Logger, which an application routes (docs/logging.md)");
  }
}
