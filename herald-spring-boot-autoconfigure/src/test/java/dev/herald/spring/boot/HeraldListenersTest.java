package dev.herald.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Subscribe;
import dev.herald.SubscriptionStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/** Beans with {@code @Subscribe} methods, registered with the bus by the auto-configuration. */
class HeraldListenersTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class));

  record Greeting(String text) {}

  static class Greeter {
    final List<String> heard = new CopyOnWriteArrayList<>();
    final CountDownLatch twice = new CountDownLatch(2);

    @Subscribe
    void on(Greeting greeting) {
      heard.add(greeting.text());
      twice.countDown();
    }

    @Subscribe(type = "greeting.*", name = "greetings-by-type")
    void any(Event<Object> event) {
      heard.add(event.type());
      twice.countDown();
    }
  }

  @Test
  void aListenerBeanIsRegisteredOnceTheContextIsRefreshedAndReceives() {
    runner
        .withBean(Greeter.class)
        .run(
            context -> {
              EventBus bus = context.getBean(EventBus.class);
              assertThat(bus.stats().subscriptions())
                  .extracting(SubscriptionStats::name)
                  .contains("Greeter.on", "greetings-by-type");
              bus.publish("greeting.morning", new Greeting("hello")).join();
              Greeter greeter = context.getBean(Greeter.class);
              assertThat(greeter.twice.await(5, TimeUnit.SECONDS)).isTrue();
              assertThat(greeter.heard).containsExactlyInAnyOrder("hello", "greeting.morning");
            });
  }

  /**
   * Stands in for Spring Boot's web server: its {@code WebServerStartStopLifecycle} (servlet and
   * reactive) runs in phase 2147481599 ({@code DEFAULT_PHASE - 2048}, read from spring-boot 3.5.7's
   * class). Records whether the listeners are registered when it starts and stops.
   */
  static class WebServerStandIn implements SmartLifecycle {
    static final int WEB_SERVER_START_STOP_PHASE = 2147481599;

    private final EventBus bus;
    volatile Boolean listenersLiveAtStart;
    volatile Boolean listenersLiveAtStop;
    private volatile boolean running;

    WebServerStandIn(EventBus bus) {
      this.bus = bus;
    }

    private boolean listenersLive() {
      return bus.stats().subscription("Greeter.on") != null;
    }

    @Override
    public void start() {
      listenersLiveAtStart = listenersLive();
      running = true;
    }

    @Override
    public void stop() {
      listenersLiveAtStop = listenersLive();
      running = false;
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      return WEB_SERVER_START_STOP_PHASE;
    }
  }

  @Test
  void theListenersAreRegisteredBeforeTheWebServerStartsAndUnregisteredAfterItStops() {
    WebServerStandIn[] server = new WebServerStandIn[1];
    runner
        .withBean(WebServerStandIn.class)
        .withBean(Greeter.class)
        .run(context -> server[0] = context.getBean(WebServerStandIn.class));
    assertThat(server[0].listenersLiveAtStart).isTrue();
    assertThat(server[0].listenersLiveAtStop).isTrue();
    assertThat(HeraldListenerRegistrar.PHASE)
        .isLessThan(WebServerStandIn.WEB_SERVER_START_STOP_PHASE);
  }

  /** What a lazy listener bean is declared as: no @Subscribe method to see before it is made. */
  interface Handler {}

  static class LazyGreeter implements Handler {
    final CountDownLatch got = new CountDownLatch(1);

    @Subscribe
    void on(Greeting greeting) {
      got.countDown();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class LazyListenerDeclaredAsAnInterface {
    @Bean
    @Lazy
    Handler lazyByInterface() {
      return new LazyGreeter();
    }
  }

  @Test
  void aLazyListenerBeanDeclaredAsAnInterfaceIsRegistered() {
    runner
        .withUserConfiguration(LazyListenerDeclaredAsAnInterface.class)
        .run(
            context -> {
              EventBus bus = context.getBean(EventBus.class);
              assertThat(bus.stats().subscriptions())
                  .extracting(SubscriptionStats::name)
                  .contains("LazyGreeter.on");
              bus.publish("greeting.morning", new Greeting("hello")).join();
              LazyGreeter greeter = (LazyGreeter) context.getBean("lazyByInterface");
              assertThat(greeter.got.await(5, TimeUnit.SECONDS)).isTrue();
            });
  }

  @Test
  void stoppingTheContextUnregistersTheListenersAndStartingRegistersThemAgain() {
    runner
        .withBean(Greeter.class)
        .run(
            context -> {
              EventBus bus = context.getBean(EventBus.class);
              context.stop();
              assertThat(bus.stats().subscriptions())
                  .extracting(SubscriptionStats::name)
                  .doesNotContain("Greeter.on", "greetings-by-type");
              context.start();
              assertThat(bus.stats().subscriptions())
                  .extracting(SubscriptionStats::name)
                  .contains("Greeter.on", "greetings-by-type");
            });
  }

  static class Flaky {
    final AtomicInteger attempts = new AtomicInteger();

    @Subscribe
    void on(Greeting greeting) throws Exception {
      attempts.incrementAndGet();
      throw new Exception("not today");
    }
  }

  static class DeadLetters {
    final CountDownLatch one = new CountDownLatch(1);

    @Subscribe
    void on(DeadLetter dead) {
      one.countDown();
    }
  }

  @Test
  void thePropertiesGiveTheOptionsTheAnnotationDoesNotSet() {
    runner
        .withBean(Flaky.class)
        .withBean(DeadLetters.class)
        .withPropertyValues(
            "herald.subscription.retry.max-attempts=3",
            "herald.subscription.retry.initial-delay=1ms",
            "herald.subscription.retry.max-delay=5ms")
        .run(
            context -> {
              context.getBean(EventBus.class).publish("greeting", new Greeting("hi"));
              assertThat(context.getBean(DeadLetters.class).one.await(5, TimeUnit.SECONDS))
                  .isTrue();
              assertThat(context.getBean(Flaky.class).attempts).hasValue(3);
            });
  }

  static class Invalid {
    @Subscribe
    void on(Greeting a, Greeting b) {}
  }

  @Test
  void anInvalidListenerFailsTheStartNamingTheMethod() {
    runner
        .withBean(Invalid.class)
        .run(
            context ->
                assertThat(HeraldAutoConfigurationTest.messages(context.getStartupFailure()))
                    .contains("Invalid.on"));
  }

  static class Durable {
    final CountDownLatch got = new CountDownLatch(1);

    @Subscribe(group = "billing")
    void on(Greeting greeting) {
      got.countDown();
    }
  }

  @Test
  void aDurableListenerOnTheApplicationsTransport() {
    TestTransport transport = new TestTransport();
    runner
        .withBean(dev.herald.spi.Transport.class, () -> transport)
        .withBean(Durable.class)
        .run(
            context -> {
              Awaitility.await()
                  .atMost(Duration.ofSeconds(5))
                  .until(() -> transport.sinks.containsKey("billing"));
            });
  }
}
