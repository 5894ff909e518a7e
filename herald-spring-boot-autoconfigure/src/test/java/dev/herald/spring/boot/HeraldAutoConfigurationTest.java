package dev.herald.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Backpressure;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.codec.PayloadCodec;
import dev.herald.kafka.KafkaTransport;
import dev.herald.log.LogTransport;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;

@ExtendWith(OutputCaptureExtension.class)
class HeraldAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class));

  @Test
  void anInMemoryBusByDefault() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(EventBus.class);
          assertThat(context).doesNotHaveBean(Transport.class);
          EventBus bus = context.getBean(EventBus.class);
          CountDownLatch got = new CountDownLatch(1);
          bus.subscribe(String.class, s -> got.countDown());
          bus.publish("greeting", "hello").join();
          assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
          assertThat(bus.stats().stored()).isZero();
        });
  }

  @Test
  void theApplicationsBusWins() {
    runner
        .withUserConfiguration(OwnBus.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(EventBus.class);
              assertThat(context.getBean(EventBus.class)).isSameAs(OwnBus.BUS);
            });
  }

  @Test
  void theApplicationsCodecWins() {
    PayloadCodec own = dev.herald.codec.JsonPayloadCodec.defaults();
    runner
        .withBean(PayloadCodec.class, () -> own)
        .run(context -> assertThat(context.getBean(PayloadCodec.class)).isSameAs(own));
  }

  @Test
  void propertiesAreBound() {
    runner
        .withPropertyValues(
            "herald.worker-threads=3",
            "herald.close-timeout=2s",
            "herald.log.directory=/tmp/x",
            "herald.kafka.bootstrap-servers=k1:9092,k2:9092",
            "herald.kafka.properties.security.protocol=SSL",
            "herald.subscription.mailbox-capacity=64",
            "herald.subscription.backpressure=block",
            "herald.subscription.block-timeout=250ms",
            "herald.subscription.retry.max-attempts=4",
            "herald.subscription.retry.initial-delay=10ms",
            "herald.subscription.retry.max-delay=1s",
            "herald.tracing.parent-child=true")
        .run(
            context -> {
              HeraldProperties p = context.getBean(HeraldProperties.class);
              assertThat(p.getWorkerThreads()).isEqualTo(3);
              assertThat(p.getCloseTimeout()).isEqualTo(Duration.ofSeconds(2));
              assertThat(p.getLog().getDirectory()).hasToString("/tmp/x");
              assertThat(p.getKafka().getBootstrapServers()).isEqualTo("k1:9092,k2:9092");
              assertThat(p.getKafka().getProperties()).containsEntry("security.protocol", "SSL");
              assertThat(p.getTracing().isParentChild()).isTrue();
              SubscribeOptions o = p.getSubscription().toOptions();
              assertThat(o.mailboxCapacity()).isEqualTo(64);
              assertThat(o.backpressure().kind()).isEqualTo(Backpressure.Kind.BLOCK);
              assertThat(o.backpressure().timeout()).isEqualTo(Duration.ofMillis(250));
              assertThat(o.retry().maxAttempts()).isEqualTo(4);
            });
  }

  @Test
  void badValuesFailTheStartNamingTheProperty() {
    assertFailsNaming("herald.transport=carrier-pigeon", "herald.transport");
    assertFailsNaming("herald.worker-threads=0", "herald.worker-threads");
    assertFailsNaming("herald.close-timeout=-1s", "herald.close-timeout");
    assertFailsNaming(
        "herald.subscription.mailbox-capacity=1", "herald.subscription.mailbox-capacity");
    assertFailsNaming(
        "herald.subscription.backpressure=explode", "herald.subscription.backpressure");
    assertFailsNaming(
        "herald.subscription.retry.max-attempts=0", "herald.subscription.retry.max-attempts");
    assertFailsNaming("herald.subscription.retry.jitter=2", "herald.subscription.retry.jitter");
    assertFailsNaming("herald.kafka.bootstrap-servers= ", "herald.kafka.bootstrap-servers");
    // A name that is no property: a typo would leave the bus on another transport or directory.
    assertFailsNaming("herald.transprot=log", "herald.transprot");
    assertFailsNaming("herald.log.dir=/tmp/x", "herald.log.dir");
    // System properties (and environment variables) are not checked for unknown names.
    runner
        .withSystemProperties("herald.not-a-property=1")
        .run(context -> assertThat(context).hasNotFailed());
    // The Kafka client's own properties are free-form.
    runner
        .withPropertyValues("herald.kafka.properties.linger.ms=5")
        .run(context -> assertThat(context).hasNotFailed());
    runner
        .withPropertyValues(
            "herald.subscription.retry.initial-delay=2s", "herald.subscription.retry.max-delay=1s")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("herald.subscription.retry.max-delay")
                    .hasMessageContaining("herald.subscription.retry.initial-delay"));
  }

  private void assertFailsNaming(String property, String name) {
    runner
        .withPropertyValues(property)
        .run(
            context ->
                assertThat(messages(context.getStartupFailure())).as(property).contains(name));
  }

  /** The messages of a failure and its causes, one a line. */
  static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  @Test
  void aTransportWhoseModuleIsMissingSaysWhichDependencyToAdd() {
    runner
        .withClassLoader(new FilteredClassLoader(LogTransport.class))
        .withPropertyValues("herald.transport=log")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("herald.transport=log")
                    .hasMessageContaining("dev.herald:herald-log"));
    runner
        .withClassLoader(new FilteredClassLoader(KafkaTransport.class))
        .withPropertyValues("herald.transport=kafka")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("dev.herald:herald-kafka"));
  }

  @Test
  void theBusIsClosedWithTheContextAndItsReportLogged(CapturedOutput output) {
    AtomicInteger handled = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch closing = new CountDownLatch(1);
    runner
        .withPropertyValues("herald.close-timeout=10s")
        .withInitializer(
            c ->
                c.addApplicationListener(
                    (ApplicationListener<ContextClosedEvent>) e -> closing.countDown()))
        .run(
            context -> {
              EventBus bus = context.getBean(EventBus.class);
              bus.subscribe(
                  Integer.class,
                  n -> {
                    started.countDown();
                    release.await();
                    handled.incrementAndGet();
                  });
              for (int i = 0; i < 5; i++) {
                bus.emit("n", i);
              }
              assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
              // The handler goes on only once the context is closing: the close must wait for it.
              Thread releaser =
                  new Thread(
                      () -> {
                        try {
                          closing.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        } finally {
                          release.countDown();
                        }
                      });
              releaser.start();
            });
    assertThat(closing.getCount()).isZero();
    assertThat(handled).hasValue(5);
    assertThat(output).contains("Herald bus closed: every event in flight was delivered");
  }

  @Test
  void aCloseThatCannotDrainIsLoggedAtWarn(CapturedOutput output) {
    CountDownLatch release = new CountDownLatch(1);
    runner
        .withPropertyValues("herald.close-timeout=100ms")
        .run(
            context -> {
              EventBus bus = context.getBean(EventBus.class);
              bus.subscribe(
                  Integer.class, n -> release.await(), SubscribeOptions.defaults().name("stuck"));
              for (int i = 0; i < 3; i++) {
                bus.emit("n", i);
              }
            });
    release.countDown();
    assertThat(output)
        .contains("WARN")
        .contains("Herald bus closed without draining within PT0.1S")
        .contains("stuck=");
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBus {
    static final EventBus BUS = Herald.inMemory();

    @Bean
    EventBus myBus() {
      return BUS;
    }
  }
}
