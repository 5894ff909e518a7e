package dev.herald.spring.boot;

import dev.herald.EventBus;
import dev.herald.spi.Transport;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The Actuator health indicator {@code herald} ({@link HeraldHealthIndicator}), when Actuator is on
 * the class path; {@code management.health.herald.enabled=false} turns it off.
 */
@AutoConfiguration(after = HeraldAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean({EventBus.class, HeraldBusState.class})
@ConditionalOnEnabledHealthIndicator("herald")
public class HeraldHealthAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean(name = "heraldHealthIndicator")
  HeraldHealthIndicator heraldHealthIndicator(
      EventBus bus, ObjectProvider<Transport> transport, HeraldBusState state) {
    Transport t = transport.getIfAvailable();
    return new HeraldHealthIndicator(bus, t == null ? "memory" : t.name(), state);
  }
}
