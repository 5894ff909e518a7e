package dev.herald.spring.boot;

import dev.herald.CloseReport;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.spi.Interceptor;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.FactoryBean;

/**
 * Builds the auto-configured {@link EventBus} and closes it when the context closes, after the
 * beans that use it: a bean that publishes from its own {@code @PreDestroy} still can. Closing
 * waits up to {@code herald.close-timeout} for the events in flight and logs the {@link
 * CloseReport} on logger {@value #LOGGER}: at INFO when every event was delivered, at WARN with
 * what was not.
 */
class HeraldBusFactoryBean implements FactoryBean<EventBus>, DisposableBean {
  /** The logger of the Spring integration. */
  static final String LOGGER = "dev.herald.spring";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private final HeraldProperties properties;
  private final Transport transport;
  private final List<Interceptor> interceptors;
  private final HeraldBusState state;
  private EventBus bus; // guarded by this

  HeraldBusFactoryBean(
      HeraldProperties properties,
      Transport transport,
      List<Interceptor> interceptors,
      HeraldBusState state) {
    this.properties = properties;
    this.transport = transport;
    this.interceptors = List.copyOf(interceptors);
    this.state = state;
  }

  @Override
  public synchronized EventBus getObject() {
    if (bus == null) {
      bus = build();
    }
    return bus;
  }

  private EventBus build() {
    properties.check();
    Herald.Builder b = Herald.builder().listener(state.listener());
    if (properties.getWorkerThreads() != null) {
      b.workerThreads(properties.getWorkerThreads());
    }
    if (transport != null) {
      b.transport(transport);
    }
    interceptors.forEach(b::interceptor);
    EventBus built = b.build();
    LOG.info(
        "Herald bus started: transport {}, interceptors {}",
        transport == null ? "memory" : transport.name(),
        interceptors.stream().map(i -> i.getClass().getSimpleName()).toList());
    return built;
  }

  @Override
  public Class<?> getObjectType() {
    return EventBus.class;
  }

  @Override
  public void destroy() {
    EventBus closing;
    synchronized (this) {
      closing = bus;
    }
    if (closing == null) {
      state.markClosed();
      return;
    }
    Duration timeout = properties.getCloseTimeout();
    CloseReport report;
    try {
      report = closing.close(timeout);
    } finally {
      state.markClosed();
    }
    log(report, timeout);
  }

  static void log(CloseReport report, Duration timeout) {
    if (report.drained() && report.threadsStopped()) {
      LOG.info("Herald bus closed: every event in flight was delivered");
    } else {
      LOG.warn(
          "Herald bus closed without draining within {}: {} events undelivered {}, threads"
              + " stopped: {}",
          timeout,
          report.totalUndelivered(),
          report.undelivered(),
          report.threadsStopped());
    }
  }
}
