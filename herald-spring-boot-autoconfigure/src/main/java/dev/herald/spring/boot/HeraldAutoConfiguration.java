package dev.herald.spring.boot;

import dev.herald.BusListener;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.codec.JsonPayloadCodec;
import dev.herald.codec.PayloadCodec;
import dev.herald.kafka.KafkaTransport;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import dev.herald.spi.Interceptor;
import dev.herald.spi.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Herald in a Spring Boot application: an {@link EventBus} bean on the transport that {@code
 * herald.transport} names, with every {@link Interceptor} bean installed in {@code @Order}, every
 * bean with {@code @Subscribe} methods registered once the context is refreshed, and the bus closed
 * gracefully when the context closes. Each bean backs off when the application defines its own
 * ({@code EventBus}, {@code Transport}, {@code PayloadCodec}).
 */
@AutoConfiguration
@EnableConfigurationProperties(HeraldProperties.class)
public class HeraldAutoConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.spring");

  /**
   * The bus, built from the properties, with every interceptor bean in {@code @Order}. Closed by
   * {@link HeraldBusState}, after every bean that uses it, with {@code herald.close-timeout}.
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  EventBus eventBus(
      HeraldProperties properties,
      ObjectProvider<Transport> transport,
      ObjectProvider<Interceptor> interceptors,
      HeraldBusState heraldBusState,
      ConfigurableListableBeanFactory beanFactory) {
    properties.check();
    Transport t = transport.getIfAvailable();
    if (t == null) {
      requireTransportModule(properties.getTransport());
    } else {
      closeTransportsAfterTheBus(beanFactory);
    }
    List<Interceptor> installed = interceptors.orderedStream().toList();
    Herald.Builder b = Herald.builder().listener(heraldBusState.listener());
    if (properties.getWorkerThreads() != null) {
      b.workerThreads(properties.getWorkerThreads());
    }
    if (t != null) {
      b.transport(t);
    }
    installed.forEach(b::interceptor);
    EventBus bus = b.build();
    heraldBusState.manage(bus, properties.getCloseTimeout());
    LOG.info(
        "Herald bus started: transport {}, interceptors {}",
        t == null ? "memory" : t.name(),
        installed.stream().map(i -> i.getClass().getSimpleName()).toList());
    return bus;
  }

  /**
   * Makes Spring destroy every transport bean after the bean that closes the bus: the bus drains as
   * it closes, and what its handlers publish meanwhile must still be stored. A transport reached
   * through an {@link ObjectProvider} is no dependency Spring knows of, so it was destroyed first,
   * in reverse order of creation, and every store of the drain failed ("log events is closed").
   */
  private static void closeTransportsAfterTheBus(ConfigurableListableBeanFactory beanFactory) {
    for (String transportName : beanFactory.getBeanNamesForType(Transport.class, false, false)) {
      for (String stateName : beanFactory.getBeanNamesForType(HeraldBusState.class, false, false)) {
        beanFactory.registerDependentBean(transportName, stateName);
      }
    }
  }

  /** The bus's listener and what the health indicator reads. */
  @Bean
  @ConditionalOnMissingBean
  HeraldBusState heraldBusState(ObjectProvider<BusListener> listener) {
    return new HeraldBusState(listener.getIfAvailable(BusListener::none));
  }

  /**
   * Registers the {@code @Subscribe} beans with the bus, whichever bus bean there is, with the
   * {@code herald.subscription.*} options where the annotation sets none.
   */
  @Bean
  HeraldListenerRegistrar heraldListenerRegistrar(
      ConfigurableListableBeanFactory beanFactory,
      ObjectProvider<EventBus> bus,
      HeraldProperties properties,
      Environment environment) {
    properties.check();
    return new HeraldListenerRegistrar(
        beanFactory,
        bus,
        properties.getSubscription().toOptions(),
        environment.getProperty("spring.main.lazy-initialization", Boolean.class, false));
  }

  /** Why no transport bean exists although {@code herald.transport} asks for one. */
  private static void requireTransportModule(HeraldProperties.Transport wanted) {
    String artifact =
        switch (wanted) {
          case MEMORY -> null;
          case LOG -> "herald-log";
          case KAFKA -> "herald-kafka";
        };
    if (artifact != null) {
      throw new IllegalStateException(
          "herald.transport="
              + wanted.name().toLowerCase(java.util.Locale.ROOT)
              + " needs dev.herald:"
              + artifact
              + " on the class path: add that dependency (or set herald.transport=memory)");
    }
  }

  /** The JSON payload codec of the storing transports. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(JsonPayloadCodec.class)
  static class CodecConfiguration {
    @Bean
    @ConditionalOnMissingBean
    PayloadCodec heraldPayloadCodec(HeraldProperties properties, BeanFactory beanFactory) {
      List<String> packages = new ArrayList<>(properties.getCodec().getAllowedPackages());
      if (packages.isEmpty() && AutoConfigurationPackages.has(beanFactory)) {
        packages.addAll(AutoConfigurationPackages.get(beanFactory));
      }
      return JsonPayloadCodec.builder().allowPackages(packages.toArray(String[]::new)).build();
    }
  }

  /** {@code herald.transport=log}: the durable log in {@code herald.log.directory}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(LogTransport.class)
  @Conditional(OnLogTransport.class)
  @ConditionalOnMissingBean(EventBus.class)
  static class LogTransportConfiguration {
    /**
     * Closed by the bus once it has drained; Spring's close after that is a no-op, and releases the
     * transport when the context failed before the bus was built.
     */
    @Bean
    @ConditionalOnMissingBean(Transport.class)
    LogTransport heraldLogTransport(HeraldProperties properties, PayloadCodec codec) {
      try {
        LogDirectory directory =
            LogDirectory.open(properties.getLog().getDirectory(), LogOptions.defaults());
        try {
          return LogTransport.builder(directory).codec(codec).build();
        } catch (IOException | RuntimeException e) {
          directory.close();
          throw e;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "herald.log.directory: cannot open the log in " + properties.getLog().getDirectory(),
            e);
      }
    }
  }

  /** {@code herald.transport=kafka}: Apache Kafka at {@code herald.kafka.bootstrap-servers}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(KafkaTransport.class)
  @Conditional(OnKafkaTransport.class)
  @ConditionalOnMissingBean(EventBus.class)
  static class KafkaTransportConfiguration {
    /**
     * Closed by the bus once it has drained; Spring's close after that is a no-op, and releases the
     * transport when the context failed before the bus was built.
     */
    @Bean
    @ConditionalOnMissingBean(Transport.class)
    KafkaTransport heraldKafkaTransport(HeraldProperties properties, PayloadCodec codec) {
      HeraldProperties.Kafka kafka = properties.getKafka();
      KafkaTransport.Builder b =
          KafkaTransport.builder(kafka.getBootstrapServers())
              .codec(codec)
              .eventsTopic(kafka.getEventsTopic())
              .deadLetterTopic(kafka.getDeadLetterTopic())
              .groupIdPrefix(kafka.getGroupIdPrefix())
              .partitions(kafka.getPartitions());
      kafka.getProperties().forEach(b::clientProperty);
      return b.build();
    }
  }

  /**
   * Whether {@code herald.transport} names one transport, read as {@link HeraldProperties} binds it
   * (surrounding blanks ignored, any case: {@code "log "} and {@code LOG} are {@code log}), so that
   * the transport bean exists whenever the bound property asks for it. A value that does not bind
   * matches none; binding the properties then fails the start naming the property.
   */
  abstract static class TransportCondition extends SpringBootCondition {
    private final HeraldProperties.Transport wanted;

    TransportCondition(HeraldProperties.Transport wanted) {
      this.wanted = wanted;
    }

    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      HeraldProperties.Transport bound;
      try {
        bound =
            Binder.get(context.getEnvironment())
                .bind("herald.transport", HeraldProperties.Transport.class)
                .orElse(HeraldProperties.Transport.MEMORY);
      } catch (BindException e) {
        return ConditionOutcome.noMatch("herald.transport does not bind: " + e.getMessage());
      }
      String name = wanted.name().toLowerCase(java.util.Locale.ROOT);
      return bound == wanted
          ? ConditionOutcome.match("herald.transport is " + name)
          : ConditionOutcome.noMatch("herald.transport is not " + name);
    }
  }

  /** {@code herald.transport=log}, as bound. */
  static final class OnLogTransport extends TransportCondition {
    OnLogTransport() {
      super(HeraldProperties.Transport.LOG);
    }
  }

  /** {@code herald.transport=kafka}, as bound. */
  static final class OnKafkaTransport extends TransportCondition {
    OnKafkaTransport() {
      super(HeraldProperties.Transport.KAFKA);
    }
  }
}
