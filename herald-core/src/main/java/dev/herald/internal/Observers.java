package dev.herald.internal;

import dev.herald.BusListener;
import dev.herald.BusStats;
import dev.herald.DeadLetter;
import dev.herald.DropReason;
import dev.herald.Event;
import dev.herald.SubscriptionStats;
import dev.herald.TimeSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Where a bus's outcomes are observed: the user's {@link BusListener}, the bus-wide counters behind
 * {@link BusStats}, and the rate-limited {@link FailureLog} for failures nothing else observes.
 * Thread-safe and lock-free on the counting path: any publisher, drainer, feed or timer thread
 * reports here. A listener that throws is counted and logged, never propagated into delivery.
 *
 * <p>Warnings are logged through {@link System.Logger} under the stable names {@link
 * dev.herald.EventBus} documents (and docs/logging.md lists): {@value #BUS_LOGGER} for failures
 * that nothing else observes, {@value #LISTENER_LOGGER} for exceptions thrown by a {@link
 * BusListener} or an {@link dev.herald.spi.Interceptor}; at most {@value #WARNINGS_PER_SECOND} a
 * second between them.
 */
final class Observers {
  static final String BUS_LOGGER = "dev.herald.bus";
  static final String LISTENER_LOGGER = "dev.herald.bus.listener";
  private static final System.Logger BUS = System.getLogger(BUS_LOGGER);
  private static final System.Logger LISTENER = System.getLogger(LISTENER_LOGGER);
  private static final int WARNINGS_PER_SECOND = 10;

  private final BusListener listener;
  private final boolean listenerTimesHandlers;
  private final boolean listenerTakesDeadLetters;
  private final boolean listenerTakesStoreFailures;
  private final FailureLog failures;

  private final LongAdder refusedClosed = new LongAdder();
  private final LongAdder unrouted = new LongAdder();
  private final LongAdder listenerErrors = new LongAdder();
  // Indexed by DropReason.ordinal().
  private final LongAdder[] drops = newAdders(DropReason.values().length);
  private final LongAdder storeFailures = new LongAdder();
  private final LongAdder storedOnly = new LongAdder();
  private final LongAdder stored = new LongAdder();

  Observers(BusListener listener, TimeSource time) {
    this.listener = listener;
    this.listenerTimesHandlers =
        overrides(listener, "onHandled", String.class, Event.class, int.class, long.class);
    this.listenerTakesDeadLetters = overrides(listener, "onDeadLetter", DeadLetter.class);
    this.listenerTakesStoreFailures =
        overrides(listener, "onStoreFailed", Event.class, Throwable.class);
    this.failures = new FailureLog(time, WARNINGS_PER_SECOND, TimeUnit.SECONDS.toNanos(1));
  }

  /** Whether {@code listener} implements the method, rather than inheriting the empty default. */
  private static boolean overrides(BusListener listener, String method, Class<?>... parameters) {
    try {
      return listener.getClass().getMethod(method, parameters).getDeclaringClass()
          != BusListener.class;
    } catch (NoSuchMethodException e) {
      return true; // Cannot tell: assume it listens.
    }
  }

  /** True if the listener receives each handler call's latency, so every call must be timed. */
  boolean listenerTimesHandlers() {
    return listenerTimesHandlers;
  }

  boolean listenerTakesDeadLetters() {
    return listenerTakesDeadLetters;
  }

  /** Logs a failure that nothing else observes, within the rate limit. */
  void warn(Supplier<String> message, Throwable cause) {
    failures.warn(BUS, message, cause);
  }

  static String describe(Event<?> event) {
    return "id '" + event.id() + "' of type '" + event.type() + "'";
  }

  // ---- counted only

  void refusedClosed() {
    refusedClosed.increment();
  }

  void storedOnly() {
    storedOnly.increment();
  }

  void stored() {
    stored.increment();
  }

  // ---- counted and reported

  void unrouted(Event<?> event) {
    unrouted.increment();
    try {
      listener.onUnrouted(event);
    } catch (RuntimeException | Error e) {
      listenerFailed("onUnrouted", e);
    }
  }

  void dropped(String sub, Event<?> event, DropReason reason) {
    drops[reason.ordinal()].increment();
    try {
      listener.onDropped(sub, event, reason);
    } catch (RuntimeException | Error e) {
      listenerFailed("onDropped", e);
    }
  }

  /** A transport failed to store {@code event}, named {@code transport}. */
  void storeFailed(String transport, Event<?> event, Throwable t) {
    storeFailures.increment();
    if (!listenerTakesStoreFailures) {
      failures.warn(
          BUS,
          () ->
              "transport '"
                  + transport
                  + "' failed to store event "
                  + describe(event)
                  + " (no BusListener.onStoreFailed observes store failures)",
          t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
    }
    try {
      listener.onStoreFailed(event, t);
    } catch (RuntimeException | Error e) {
      listenerFailed("onStoreFailed", e);
    }
  }

  void handlerFailed(String sub, Event<?> event, Throwable cause, int attempt, boolean retry) {
    try {
      listener.onHandlerFailure(sub, event, cause, attempt, retry);
    } catch (RuntimeException | Error e) {
      listenerFailed("onHandlerFailure", e);
    }
  }

  void handled(String sub, Event<?> event, int attempts, long latencyNanos) {
    try {
      listener.onHandled(sub, event, attempts, latencyNanos);
    } catch (RuntimeException | Error e) {
      listenerFailed("onHandled", e);
    }
  }

  void deadLettered(DeadLetter dl) {
    try {
      listener.onDeadLetter(dl);
    } catch (RuntimeException | Error e) {
      listenerFailed("onDeadLetter", e);
    }
  }

  void feedFailed(String sub, Throwable cause) {
    try {
      listener.onFeedFailed(sub, cause);
    } catch (RuntimeException | Error e) {
      listenerFailed("onFeedFailed", e);
    }
  }

  /** An {@link dev.herald.spi.Interceptor} callback threw where it cannot fail anything. */
  void interceptorFailed(String method, Throwable e) {
    listenerErrors.increment();
    failures.warn(LISTENER, () -> "Interceptor." + method + " threw; the bus carries on", e);
  }

  /** A listener call threw: counted, logged, and never propagated into delivery. */
  // An Error too (a listener's StackOverflowError, say): thrown on, it would escape the lane that
  // was reporting an outcome, and that event's publish would never complete.
  private void listenerFailed(String method, Throwable e) {
    listenerErrors.increment();
    failures.warn(LISTENER, () -> "BusListener." + method + " threw; delivery carries on", e);
  }

  /**
   * A snapshot of the counters, with how many publishes ever {@code entered} the bus and the stats
   * of its live {@code subscriptions}. Outcomes are read before the publishes that caused them, so
   * a concurrent snapshot never shows more outcomes than publishes.
   */
  BusStats stats(LongSupplier entered, Supplier<List<SubscriptionStats>> subscriptions) {
    long storeFailedNow = storeFailures.sum();
    long storedNow = stored.sum();
    long unroutedNow = unrouted.sum();
    long storedOnlyNow = storedOnly.sum();
    long published = entered.getAsLong() - refusedClosed.sum();
    List<SubscriptionStats> subs = subscriptions.get();
    Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      dropped.put(r, drops[r.ordinal()].sum());
    }
    return new BusStats(
        published,
        Math.max(0, published - storedOnlyNow - unroutedNow),
        storedOnlyNow,
        unroutedNow,
        storedNow,
        storeFailedNow,
        subs,
        listenerErrors.sum(),
        dropped);
  }

  private static LongAdder[] newAdders(int n) {
    LongAdder[] adders = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }
}
