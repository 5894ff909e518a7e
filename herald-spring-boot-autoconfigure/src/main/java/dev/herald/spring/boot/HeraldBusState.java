package dev.herald.spring.boot;

import dev.herald.BusListener;
import dev.herald.BusStats;
import dev.herald.DeadLetter;
import dev.herald.DropReason;
import dev.herald.Event;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the health indicator needs to know of the auto-configured bus beyond its {@link BusStats}:
 * whether it was closed, and which durable feeds failed for good. It hears of feed failures through
 * the bus's {@link BusListener} ({@link #listener()}), which forwards every call to the
 * application's own {@code BusListener} bean, if there is one. Thread-safe.
 */
public class HeraldBusState {
  private final BusListener delegate;
  private final Map<String, String> failedFeeds = new ConcurrentHashMap<>();
  private volatile boolean closed;

  HeraldBusState(BusListener delegate) {
    this.delegate = delegate;
  }

  /** Whether the bus was closed. */
  public boolean closed() {
    return closed;
  }

  void markClosed() {
    closed = true;
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
