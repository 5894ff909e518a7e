package dev.herald.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.BusClosedException;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.spi.Transport;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class HeraldHealthIndicatorTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  HeraldAutoConfiguration.class, HeraldHealthAutoConfiguration.class));

  @Test
  void upWithTheTransportAndTheSubscriptionsThenDownOnceClosed() {
    HealthIndicator[] indicator = new HealthIndicator[1];
    runner.run(
        context -> {
          indicator[0] = context.getBean("heraldHealthIndicator", HealthIndicator.class);
          EventBus bus = context.getBean(EventBus.class);
          bus.subscribe(String.class, s -> {});
          bus.subscribe(Integer.class, n -> {});
          Health health = indicator[0].health();
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails())
              .containsEntry("transport", "memory")
              .containsEntry("subscriptions", 2);
        });
    Health closed = indicator[0].health();
    assertThat(closed.getStatus()).isEqualTo(Status.DOWN);
    assertThat(closed.getDetails()).containsEntry("closed", true);
  }

  @Test
  void aBusOfTheApplicationsOwnIsDownOnceTheContextClosedIt() {
    HealthIndicator[] indicator = new HealthIndicator[1];
    EventBus[] bus = new EventBus[1];
    runner
        .withBean("myBus", EventBus.class, () -> Herald.builder().build())
        .run(
            context -> {
              indicator[0] = context.getBean("heraldHealthIndicator", HealthIndicator.class);
              bus[0] = context.getBean(EventBus.class);
              bus[0].subscribe(String.class, s -> {});
              Health health = indicator[0].health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails()).containsEntry("subscriptions", 1);
            });
    assertThatThrownBy(() -> bus[0].emit("greeting", "hello"))
        .isInstanceOf(BusClosedException.class);
    Health closed = indicator[0].health();
    assertThat(closed.getStatus()).isEqualTo(Status.DOWN);
    assertThat(closed.getDetails()).containsEntry("closed", true);
  }

  @Test
  void aBusOfTheApplicationsOwnIsDownOnceTheApplicationClosedIt() {
    runner
        .withBean("myBus", EventBus.class, () -> Herald.builder().build())
        .run(
            context -> {
              HealthIndicator indicator =
                  context.getBean("heraldHealthIndicator", HealthIndicator.class);
              EventBus bus = context.getBean(EventBus.class);
              assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
              bus.close(java.time.Duration.ofSeconds(5));
              Health closed = indicator.health();
              assertThat(closed.getStatus()).isEqualTo(Status.DOWN);
              assertThat(closed.getDetails()).containsEntry("closed", true);
            });
  }

  @Test
  void downWhileEveryStoreFailsAndUpAgainOnceOneSucceeds() {
    TestTransport transport = new TestTransport();
    runner
        .withBean(Transport.class, () -> transport)
        .run(
            context -> {
              HealthIndicator indicator =
                  context.getBean("heraldHealthIndicator", HealthIndicator.class);
              EventBus bus = context.getBean(EventBus.class);
              bus.publish("a", "ok").join();
              assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

              transport.failStores = true;
              assertThat(bus.publish("a", "lost"))
                  .failsWithin(java.time.Duration.ofSeconds(5))
                  .withThrowableOfType(java.util.concurrent.ExecutionException.class);
              Health failing = indicator.health();
              assertThat(failing.getStatus()).isEqualTo(Status.DOWN);
              assertThat(failing.getDetails())
                  .containsEntry("transport", "test")
                  .containsEntry("storeFailed", 1L);

              transport.failStores = false;
              bus.publish("a", "ok again").join();
              assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
            });
  }

  @Test
  void downWhenADurableFeedFailedForGood() {
    TestTransport transport = new TestTransport();
    downOnceTheFeedFails(runner.withBean(Transport.class, () -> transport), transport);
  }

  @Test
  void aBusOfTheApplicationsOwnIsDownWhenADurableFeedFailedForGood() {
    TestTransport transport = new TestTransport();
    downOnceTheFeedFails(
        runner.withBean(
            "myBus", EventBus.class, () -> Herald.builder().transport(transport).build()),
        transport);
  }

  /**
   * The context's bus (the auto-configured one on {@code transport}, or one of the application's
   * own) has a durable subscription whose feed fails for good: the indicator goes DOWN naming it
   * and its cause.
   */
  private static void downOnceTheFeedFails(
      ApplicationContextRunner configured, TestTransport transport) {
    configured.run(
        context -> {
          HealthIndicator indicator =
              context.getBean("heraldHealthIndicator", HealthIndicator.class);
          context
              .getBean(EventBus.class)
              .subscribe(
                  String.class,
                  s -> {},
                  SubscribeOptions.defaults().group("billing").name("billing"));
          assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
          transport.failFeed("billing");
          Health health = indicator.health();
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.getDetails().get("failedFeeds"))
              .isEqualTo(java.util.Map.of("billing", "java.io.IOException: log corrupt"));
        });
  }

  @Test
  void noIndicatorWithoutActuatorOrWhenDisabled() {
    runner
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(
            context -> {
              assertThat(context).hasSingleBean(EventBus.class);
              assertThat(context).doesNotHaveBean("heraldHealthIndicator");
            });
    runner
        .withPropertyValues("management.health.herald.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("heraldHealthIndicator"));
  }
}
