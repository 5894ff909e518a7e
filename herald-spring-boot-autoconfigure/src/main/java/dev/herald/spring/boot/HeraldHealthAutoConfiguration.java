package dev.herald.spring.boot;

import dev.herald.EventBus;
import dev.herald.spi.Transport;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
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
      EventBus bus,
      ObjectProvider<Transport> transport,
      HeraldBusState state,
      ConfigurableListableBeanFactory beanFactory) {
    if (!state.manages(bus)) {
      watchApplicationBus(bus, state, beanFactory);
    }
    Transport t = transport.getIfAvailable();
    return new HeraldHealthIndicator(bus, t == null ? "memory" : t.name(), state);
  }

  /**
   * A bus of the application's own is closed by Spring when the context closes, not by {@code
   * state}: its bean is made to depend on the state's, so Spring closes it first and then destroys
   * the state, which records it closed ({@link HeraldBusState#watch}).
   */
  private static void watchApplicationBus(
      EventBus bus, HeraldBusState state, ConfigurableListableBeanFactory beanFactory) {
    String stateName = singletonName(beanFactory, HeraldBusState.class, state);
    String busName = singletonName(beanFactory, EventBus.class, bus);
    if (stateName != null && busName != null) {
      state.watch(bus);
      beanFactory.registerDependentBean(stateName, busName);
    }
  }

  private static <T> String singletonName(
      ConfigurableListableBeanFactory beanFactory, Class<T> type, T instance) {
    for (String name : beanFactory.getBeanNamesForType(type, false, false)) {
      if (beanFactory.containsSingleton(name) && beanFactory.getSingleton(name) == instance) {
        return name;
      }
    }
    return null;
  }
}
