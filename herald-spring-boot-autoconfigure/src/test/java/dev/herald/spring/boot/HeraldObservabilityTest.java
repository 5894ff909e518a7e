package dev.herald.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.micrometer.HeraldMetrics;
import dev.herald.opentelemetry.HeraldTracing;
import dev.herald.spi.Interceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Micrometer and OpenTelemetry interceptors: present only when their classes and beans are. */
class HeraldObservabilityTest {
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  HeraldAutoConfiguration.class,
                  HeraldMetricsAutoConfiguration.class,
                  HeraldTracingAutoConfiguration.class));

  private OpenTelemetry openTelemetry() {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  @Test
  void neitherWithoutARegistryOrAnOpenTelemetryBean() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(EventBus.class);
          assertThat(context).doesNotHaveBean(HeraldMetrics.class);
          assertThat(context).doesNotHaveBean(HeraldTracing.class);
        });
  }

  @Test
  void neitherWithoutTheirModules() {
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(OpenTelemetry.class, this::openTelemetry)
        .withClassLoader(new FilteredClassLoader(HeraldMetrics.class, HeraldTracing.class))
        .run(
            context -> {
              assertThat(context).hasSingleBean(EventBus.class);
              assertThat(context).doesNotHaveBean(HeraldMetrics.class);
              assertThat(context).doesNotHaveBean(HeraldTracing.class);
            });
  }

  @Test
  void bothInstalledTracingOutermostWhenTheirBeansArePresent() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    runner
        .withBean(MeterRegistry.class, () -> registry)
        .withBean(OpenTelemetry.class, this::openTelemetry)
        .run(
            context -> {
              assertThat(context).hasSingleBean(HeraldMetrics.class);
              assertThat(context).hasSingleBean(HeraldTracing.class);
              assertThat(context.getBeanProvider(Interceptor.class).orderedStream().toList())
                  .extracting(i -> (Object) i.getClass())
                  .containsExactly(HeraldTracing.class, HeraldMetrics.class);

              EventBus bus = context.getBean(EventBus.class);
              CountDownLatch got = new CountDownLatch(1);
              bus.subscribe(String.class, s -> got.countDown());
              bus.publish("greeting", "hello").join();
              assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();

              Awaitility.await()
                  .atMost(Duration.ofSeconds(5))
                  .untilAsserted(
                      () -> {
                        List<SpanData> finished = spans.getFinishedSpanItems();
                        assertThat(finished)
                            .extracting(SpanData::getKind)
                            .contains(SpanKind.PRODUCER, SpanKind.CONSUMER);
                        assertThat(registry.find("herald.events.published").meters()).isNotEmpty();
                      });
            });
  }

  @Test
  void theApplicationsOwnBeansWinAndTheParentChildPropertyIsRead() {
    HeraldMetrics own = new HeraldMetrics();
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(HeraldMetrics.class, () -> own)
        .withBean(OpenTelemetry.class, this::openTelemetry)
        .withPropertyValues("herald.tracing.parent-child=true")
        .run(
            context -> {
              assertThat(context.getBean(HeraldMetrics.class)).isSameAs(own);
              assertThat(context.getBean(HeraldTracing.class).toString())
                  .contains("parentChild=true");
            });
  }

  @Test
  void neitherBesideABusOfTheApplicationsOwnWhichTheStarterCannotInstallThemOn() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    runner
        .withBean(MeterRegistry.class, () -> registry)
        .withBean(OpenTelemetry.class, this::openTelemetry)
        .withBean("myBus", EventBus.class, () -> Herald.builder().build())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(HeraldMetrics.class);
              assertThat(context).doesNotHaveBean(HeraldTracing.class);
              assertThat(registry.find("herald.events.published").meters()).isEmpty();
            });
  }

  /** A bus of the application's own, with the interceptor beans passed to its builder. */
  @Configuration(proxyBeanMethods = false)
  static class OwnBusWithInterceptors {
    @Bean
    HeraldMetrics myMetrics() {
      return new HeraldMetrics();
    }

    @Bean
    EventBus myBus(ObjectProvider<Interceptor> interceptors) {
      Herald.Builder b = Herald.builder();
      interceptors.orderedStream().forEach(b::interceptor);
      return b.build();
    }
  }

  @Test
  void aBusOfTheApplicationsOwnGetsTheMetricsItIsBuiltWithBoundToTheRegistry() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    runner
        .withBean(MeterRegistry.class, () -> registry)
        .withUserConfiguration(OwnBusWithInterceptors.class)
        .run(
            context -> {
              EventBus bus = context.getBean(EventBus.class);
              CountDownLatch got = new CountDownLatch(3);
              bus.subscribe(String.class, s -> got.countDown());
              for (int i = 0; i < 3; i++) {
                bus.publish("greeting", "hello").join();
              }
              assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
              Awaitility.await()
                  .atMost(Duration.ofSeconds(5))
                  .untilAsserted(
                      () ->
                          assertThat(
                                  registry.get("herald.events.published").functionCounter().count())
                              .isEqualTo(3.0));
            });
  }
}
