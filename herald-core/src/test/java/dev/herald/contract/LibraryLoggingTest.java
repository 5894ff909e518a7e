package dev.herald.contract;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** The logging rules catch what they forbid, and let through what they allow. */
class LibraryLoggingTest {
  static final class PrintsOnStandardOutput {
    void run() {
      System.out.println("hello");
    }
  }

  static final class PrintsAStackTrace {
    void run(Exception e) {
      e.printStackTrace();
    }
  }

  static final class PrintsAStackTraceWhereItIsTold {
    void run(Exception e, PrintStream where) {
      e.printStackTrace(where);
    }
  }

  static final class SwapsStandardOutput {
    void swap(PrintStream replacement) {
      PrintStream old = System.out;
      System.setOut(replacement);
      System.setOut(old);
    }

    void print() {
      System.err.println("hello");
    }
  }

  static final class LogsThroughTheJdk {
    void run() {
      System.getLogger("dev.herald.test").log(System.Logger.Level.INFO, "hello");
    }
  }

  static final class LogsThroughJul {
    void run() {
      java.util.logging.Logger.getLogger("dev.herald.test").info("hello");
    }
  }

  private static JavaClasses of(Class<?>... classes) {
    return new ClassFileImporter().importClasses(classes);
  }

  @Test
  void printingOnAStandardStreamOrAStackTraceThereIsCaught() {
    assertThatThrownBy(() -> LibraryLogging.printsNothing().check(of(PrintsOnStandardOutput.class)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("System.out");
    assertThatThrownBy(() -> LibraryLogging.printsNothing().check(of(PrintsAStackTrace.class)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("printStackTrace");
    assertThatCode(
            () -> LibraryLogging.printsNothing().check(of(PrintsAStackTraceWhereItIsTold.class)))
        .doesNotThrowAnyException();
  }

  @Test
  void theOneMethodAllowedMaySwapTheStreamAndNoOtherMayPrint() {
    assertThatThrownBy(
            () ->
                LibraryLogging.printsNothingBut(SwapsStandardOutput.class, "swap")
                    .check(of(SwapsStandardOutput.class)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("print()")
        .hasMessageNotContaining("swap(");
    // The exception names a method of one class: the same name in another class prints.
    assertThatThrownBy(
            () ->
                LibraryLogging.printsNothingBut(SwapsStandardOutput.class, "run")
                    .check(of(PrintsOnStandardOutput.class)))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void loggingAroundSlf4jIsCaught() {
    assertThatThrownBy(() -> LibraryLogging.logsThroughSlf4j().check(of(LogsThroughTheJdk.class)))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> LibraryLogging.logsThroughSlf4j().check(of(LogsThroughJul.class)))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(
            () -> LibraryLogging.logsThroughPlatformLogging().check(of(LogsThroughJul.class)))
        .isInstanceOf(AssertionError.class);
    assertThatCode(
            () -> LibraryLogging.logsThroughPlatformLogging().check(of(LogsThroughTheJdk.class)))
        .doesNotThrowAnyException();
  }
}
