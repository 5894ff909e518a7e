package dev.herald.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;

/**
 * For the applications that route herald-core's {@link System.Logger} to SLF4J with {@code
 * slf4j-jdk-platform-logging} and log through slf4j-simple on standard error (the CLI, the demo): a
 * check that a bus's warning arrives there, in slf4j-simple's format (docs/logging.md).
 */
public final class PlatformLogging {
  private PlatformLogging() {}

  /**
   * Makes a bus give up on an event nobody else observes, with standard error captured, and checks
   * that its warning is slf4j-simple's line under {@code dev.herald.bus}, not java.util.logging's.
   */
  public static void assertABusWarningReachesSlf4jSimpleOnStandardError() throws Exception {
    assertThat(System.LoggerFinder.getLoggerFinder().getClass().getName())
        .isEqualTo("org.slf4j.jdk.platform.logging.SLF4JSystemLoggerFinder");

    PrintStream stderr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, UTF_8));
    EventBus bus = Herald.inMemory();
    try {
      bus.subscribe(
          "payment.requested",
          e -> {
            throw new IllegalStateException("card declined");
          },
          SubscribeOptions.defaults().name("payments"));
      bus.publish("payment.requested", 1).get(30, SECONDS);
    } finally {
      bus.close(Duration.ofSeconds(10));
      System.setErr(stderr);
    }

    // slf4j-simple's line ("[thread] LEVEL logger - message"), not java.util.logging's two lines.
    assertThat(err.toString(UTF_8))
        .containsPattern("\\] WARN dev\\.herald\\.bus - subscription 'payments' gave up on event")
        .contains("java.lang.IllegalStateException: card declined")
        .doesNotContain("WARNING:");
  }
}
