package dev.herald.spring.boot;

import dev.herald.EventBus;
import dev.herald.micrometer.HeraldMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Micrometer meters for the bus, when herald-micrometer is on the class path and the application
 * has a {@link MeterRegistry} bean: a {@link HeraldMetrics} bean, installed on the bus as an
 * interceptor (order {@value #ORDER}, inside tracing) and bound to the registries. With Spring Boot
 * Actuator's metrics auto-configuration, Boot binds it as it binds every {@code MeterBinder} bean;
 * without it (a registry bean of the application's own), this configuration binds it to each {@code
 * MeterRegistry} bean once every singleton is built.
 *
 * <p>When the application defines its own {@link EventBus} bean, no {@code HeraldMetrics} bean is
 * made: an interceptor is installed only by the builder of the bus, which the starter does not
 * build then, and meters of a bus they do not watch would read 0 for good. The application declares
 * its own {@code HeraldMetrics} bean and passes it to its bus's builder ({@code
 * docs/spring-boot.md}); this configuration still binds it where Boot does not.
 */
@AutoConfiguration(
    before = HeraldAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass({HeraldMetrics.class, MeterRegistry.class})
@ConditionalOnBean(MeterRegistry.class)
public class HeraldMetricsAutoConfiguration {
  /** The interceptor order of the metrics bean: after tracing, so inside its spans. */
  public static final int ORDER = 100;

  /** Installed on the auto-configured bus; none beside a bus of the application's own. */
  @Bean
  @Order(ORDER)
  @ConditionalOnMissingBean({HeraldMetrics.class, EventBus.class})
  HeraldMetrics heraldMetrics() {
    return new HeraldMetrics();
  }

  /** Binds the meters where Spring Boot's metrics auto-configuration does not. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(
      type = "org.springframework.boot.actuate.autoconfigure.metrics.MeterRegistryPostProcessor")
  static class BindingConfiguration {
    @Bean
    SmartInitializingSingleton heraldMetricsBinding(
        ObjectProvider<HeraldMetrics> metrics, ObjectProvider<MeterRegistry> registries) {
      return () -> metrics.ifAvailable(m -> registries.orderedStream().forEach(m::bindTo));
    }
  }
}
