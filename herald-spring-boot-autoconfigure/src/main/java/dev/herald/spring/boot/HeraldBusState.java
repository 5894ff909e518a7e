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
 * health indicator reads: which durable feeds failed for good (whether the bus is closed, it asks
 * the bus). It hears of feed failures through the bus's {@link BusListener} ({@link #listener()}),
 * which forwards every call to the application's own {@code BusListener} bean, if there is one.
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
    CloseReport report = closing.close(timeout);
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

  /** The durable subscriptions whose feed failed for good, with the cause. */
  public Map<String, String> failedFeeds() {
    return Map.copyOf(failedFeeds);
  }

  /**
   * The listener to install on the bus: it records feed failures and forwards every call to the
   * application's listener. The bus treats three methods as observing only when a listener
   * overrides them: {@link BusListener#onHandled} (the bus then times every handler call), {@link
   * BusListener#onDeadLetter} and {@link BusListener#onStoreFailed} (the bus then no longer logs a
   * dead letter or store failure that nothing else takes). So this listener overrides each of those
   * only when the application's listener does, and changes nothing of what the bus does.
   */
  BusListener listener() {
    boolean handled =
        overrides(delegate, "onHandled", String.class, Event.class, int.class, long.class);
    boolean deadLetter = overrides(delegate, "onDeadLetter", DeadLetter.class);
    boolean storeFailed = overrides(delegate, "onStoreFailed", Event.class, Throwable.class);
    if (handled) {
      if (deadLetter) {
        return storeFailed ? new HandledDeadLetterStoreFailed() : new HandledDeadLetter();
      }
      return storeFailed ? new HandledStoreFailed() : new Handled();
    }
    if (deadLetter) {
      return storeFailed ? new DeadLetterStoreFailed() : new DeadLetterOnly();
    }
    return storeFailed ? new StoreFailed() : new Listener();
  }

  /** Records feed failures and forwards the calls that change nothing of what the bus does. */
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
  }

  private class Handled extends Listener {
    @Override
    public void onHandled(String subscription, Event<?> event, int attempts, long latencyNanos) {
      delegate.onHandled(subscription, event, attempts, latencyNanos);
    }
  }

  private class HandledDeadLetter extends Handled {
    @Override
    public void onDeadLetter(DeadLetter deadLetter) {
      delegate.onDeadLetter(deadLetter);
    }
  }

  private final class HandledDeadLetterStoreFailed extends HandledDeadLetter {
    @Override
    public void onStoreFailed(Event<?> event, Throwable cause) {
      delegate.onStoreFailed(event, cause);
    }
  }

  private final class HandledStoreFailed extends Handled {
    @Override
    public void onStoreFailed(Event<?> event, Throwable cause) {
      delegate.onStoreFailed(event, cause);
    }
  }

  private class DeadLetterOnly extends Listener {
    @Override
    public void onDeadLetter(DeadLetter deadLetter) {
      delegate.onDeadLetter(deadLetter);
    }
  }

  private final class DeadLetterStoreFailed extends DeadLetterOnly {
    @Override
    public void onStoreFailed(Event<?> event, Throwable cause) {
      delegate.onStoreFailed(event, cause);
    }
  }

  private final class StoreFailed extends Listener {
    @Override
    public void onStoreFailed(Event<?> event, Throwable cause) {
      delegate.onStoreFailed(event, cause);
    }
  }

  private static boolean overrides(BusListener listener, String method, Class<?>... parameters) {
    try {
      return listener.getClass().getMethod(method, parameters).getDeclaringClass()
          != BusListener.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError("BusListener." + method, e);
    }
  }
}
