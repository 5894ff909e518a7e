package dev.herald.spring.boot;

import dev.herald.BusListener;
import dev.herald.BusStats;
import dev.herald.CloseReport;
import dev.herald.DeadLetter;
import dev.herald.DropReason;
import dev.herald.Event;
import dev.herald.EventBus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * The auto-configured bus's life beyond its {@link BusStats}: it closes the bus, and knows what the
 * health indicator reads, whether the bus was closed and which durable feeds failed for good. It
 * hears of feed failures through the bus's {@link BusListener} ({@link #listener()}), which
 * forwards every call to the application's own {@code BusListener} bean, if there is one.
 *
 * <p>The bus bean depends on this one, so Spring destroys this one after the bus bean, which it
 * destroys after every bean that uses the bus: {@link #destroy()} closes the bus then, and a bean
 * may still publish from its own {@code @PreDestroy}. Closing waits up to {@code
 * herald.close-timeout} for the events in flight and logs the {@link CloseReport} on logger {@value
 * #LOGGER}: at INFO when every event was delivered, at WARN with what was not. Thread-safe.
 */
public class HeraldBusState implements DisposableBean {
  /** The logger of the Spring integration. */
  public static final String LOGGER = "dev.herald.spring";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private final BusListener delegate;
  private final Map<String, String> failedFeeds = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private EventBus bus; // guarded by this
  private Duration closeTimeout; // guarded by this

  HeraldBusState(BusListener delegate) {
    this.delegate = delegate;
  }

  /** Makes this state close {@code bus} with {@code timeout} when the context closes. */
  synchronized void manage(EventBus bus, Duration timeout) {
    this.bus = bus;
    this.closeTimeout = timeout;
  }

  /** Closes the bus it manages, if any, and logs the report. */
  @Override
  public void destroy() {
    EventBus closing;
    Duration timeout;
    synchronized (this) {
      closing = bus;
      timeout = closeTimeout;
      bus = null;
    }
    if (closing == null) {
      return;
    }
    CloseReport report;
    try {
      report = closing.close(timeout);
    } finally {
      closed = true;
    }
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

  /** Whether the bus was closed by {@link #destroy()}. */
  public boolean closed() {
    return closed;
  }

  /** The durable subscriptions whose feed failed for good, with the cause. */
  public Map<String, String> failedFeeds() {
    return Map.copyOf(failedFeeds);
  }

  /**
   * The listener to install on the bus. The bus times every handler call only for a listener that
   * overrides {@link BusListener#onHandled}, so this one forwards that call only when the
   * application's listener overrides it.
   */
  BusListener listener() {
    return overridesOnHandled(delegate) ? new TimingListener() : new Listener();
  }

  private class Listener implements BusListener {
    @Override
    public void onFeedFailed(String subscription, Throwable cause) {
      failedFeeds.put(subscription, String.valueOf(cause));
      delegate.onFeedFailed(subscription, cause);
    }

    @Override
    public void onUnrouted(Event<?> event) {
      delegate.onUnrouted(event);
    }

    @Override
    public void onDropped(String subscription, Event<?> event, DropReason reason) {
      delegate.onDropped(subscription, event, reason);
    }

    @Override
    public void onHandlerFailure(
        String subscription, Event<?> event, Throwable cause, int attempt, boolean willRetry) {
      delegate.onHandlerFailure(subscription, event, cause, attempt, willRetry);
    }

    @Override
    public void onStoreFailed(Event<?> event, Throwable cause) {
      delegate.onStoreFailed(event, cause);
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter) {
      delegate.onDeadLetter(deadLetter);
    }
  }

  private final class TimingListener extends Listener {
    @Override
    public void onHandled(String subscription, Event<?> event, int attempts, long latencyNanos) {
      delegate.onHandled(subscription, event, attempts, latencyNanos);
    }
  }

  private static boolean overridesOnHandled(BusListener listener) {
    try {
      return listener
              .getClass()
              .getMethod("onHandled", String.class, Event.class, int.class, long.class)
              .getDeclaringClass()
          != BusListener.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError("BusListener.onHandled", e);
    }
  }
}
