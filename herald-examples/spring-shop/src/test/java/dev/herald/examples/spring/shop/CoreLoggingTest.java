package dev.herald.examples.spring.shop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.EventBus;
import dev.herald.SubscribeOptions;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * herald-core logs through {@link System.Logger}; the starter's slf4j-jdk-platform-logging routes
 * it to SLF4J, so a core warning shows in Spring Boot's log like the application's own.
 */
@ExtendWith(OutputCaptureExtension.class)
class CoreLoggingTest {
  @Test
  void aCoreWarningReachesSpringBootsLogging(CapturedOutput output) {
    try (ConfigurableApplicationContext shop =
        new SpringApplicationBuilder(ShopApplication.class)
            .run("--herald.transport=memory", "--logging.level.root=WARN")) {
      EventBus bus = shop.getBean(EventBus.class);
      bus.subscribe(
          "audit.failed",
          event -> {
            throw new IllegalStateException("the audit trail is full");
          },
          SubscribeOptions.defaults().name("audit"));
      // Nothing takes the dead letter: core logs it at WARNING, through System.Logger.
      bus.publish("audit.failed", "entry-1");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(output.getOut() + output.getErr())
                      .contains("WARN")
                      .contains("the audit trail is full"));
    }
  }
}
