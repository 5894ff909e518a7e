package dev.herald.spring.boot;

import dev.herald.EventBus;
import dev.herald.opentelemetry.HeraldTracing;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

/**
 * OpenTelemetry spans for the bus, when herald-opentelemetry is on the class path and the
 * application has an {@link OpenTelemetry} bean (its own, or Spring Boot's): a {@link
 * HeraldTracing} interceptor (order {@value #ORDER}, outermost, so a handler's process span covers
 * what the other interceptors do), with {@code herald.tracing.parent-child}.
 *
 * <p>When the application defines its own {@link EventBus} bean, no {@code HeraldTracing} bean is
 * made: an interceptor is installed only by the builder of the bus, which the starter does not
 * build then. The application declares its own and passes it to its bus's builder ({@code
 * docs/spring-boot.md}).
 */
@AutoConfiguration(
    before = HeraldAutoConfiguration.class,
    afterName =
        "org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration")
@ConditionalOnClass({HeraldTracing.class, OpenTelemetry.class})
@ConditionalOnBean(OpenTelemetry.class)
@EnableConfigurationProperties(HeraldProperties.class)
public class HeraldTracingAutoConfiguration {
  /** The interceptor order of the tracing bean: first, outermost. */
  public static final int ORDER = 0;

  /** Installed on the auto-configured bus; none beside a bus of the application's own. */
  @Bean
  @Order(ORDER)
  @ConditionalOnMissingBean({HeraldTracing.class, EventBus.class})
  HeraldTracing heraldTracing(OpenTelemetry openTelemetry, HeraldProperties properties) {
    return HeraldTracing.builder(openTelemetry)
        .parentChild(properties.getTracing().isParentChild())
        .build();
  }
}
