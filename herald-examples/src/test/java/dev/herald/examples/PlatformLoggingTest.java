package dev.herald.examples;

import dev.herald.contract.PlatformLogging;
import org.junit.jupiter.api.Test;

/**
 * The demo's run-time class path routes herald-core's {@link System.Logger} to SLF4J ({@code
 * slf4j-jdk-platform-logging}), so the bus's warnings reach its backend, slf4j-simple on standard
 * error, in its format (docs/logging.md).
 */
class PlatformLoggingTest {
  @Test
  void aWarningOfTheBusReachesSlf4jSimpleOnStandardError() throws Exception {
    PlatformLogging.assertABusWarningReachesSlf4jSimpleOnStandardError();
  }
}
