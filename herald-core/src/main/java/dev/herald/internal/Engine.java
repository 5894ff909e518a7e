package dev.herald.internal;

import dev.herald.BusListener;
import dev.herald.BusStats;
import dev.herald.CloseReport;
import dev.herald.DeadLetter;
import dev.herald.DropReason;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.EventHandler;
import dev.herald.PayloadHandler;
import dev.herald.PublishResult;
import dev.herald.Registration;
import dev.herald.Responder;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.TimeSource;
import dev.herald.spi.Interceptor;
import dev.herald.spi.Transport;
import java.lang.invoke.MethodHandles;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The in-memory engine behind {@link EventBus}: wires the parts of the data path and answers the
 * API by handing each call to the part that owns it. An event travels
 *
 * <pre>
 *   publish/emit -> {@link Publisher} (gate, store) -> {@link Router} (routes, backpressure)
 *     -> {@link Lane} (mailbox, handler, retries on the timer) -> outcome: {@link Observers}
 *        (listener, counters), {@link DeadLetters}, or the publisher's {@link Tracker}
 * </pre>
 *
 * <p>Beside it, {@link Subscriptions} keeps who subscribes, {@link Requests} request/reply and
 * {@link Closer} the end of the bus. Thread-safe; publishing takes no lock. Lanes reach the rest of
 * the bus through the package-private methods below, on their drainer threads.
 *
 * <p>Failures that nothing else observes (a dead letter that no subscription or listener takes, a
 * store failure or a listener exception with no listener to hear of it) are logged at {@code
 * WARNING} through {@link System.Logger} under the stable names that {@link EventBus} documents
 * ({@code dev.herald.bus}, {@code dev.herald.bus.listener}; see {@link Observers}), at most 10 a
 * second.
 */
public final class Engine implements EventBus {
  private final Executor executor;
  private final WorkerPool ownedExecutor;
  private final TimeSource time;
  private final TimeSource.Timer timer;
  private final Lifecycle life = new Lifecycle();
  private final Observers observers;
  private final Subscriptions subscriptions;
  private final Router router;
  private final Publisher publisher;
  private final DeadLetters deadLetters;
  private final Requests requests;
  private final Closer closer;

  /** The interceptors, or null when the bus has none. */
  private final Interceptors interceptors;

  /**
   * A bus on {@code executor}, or on a pool of {@code workerThreads} threads of its own when {@code
   * executor} is null (shut down at close); {@code transport} may be null (in-process only).
   */
  public static EventBus create(
      Executor executor,
      int workerThreads,
      BusListener listener,
      TimeSource time,
      String source,
      Transport transport,
      int maxPendingRequests,
      List<Interceptor> interceptors) {
    Engine engine =
        new Engine(
            executor,
            workerThreads,
            listener,
            time,
            source,
            transport,
            maxPendingRequests,
            interceptors);
    if (engine.interceptors != null) {
      try {
        engine.interceptors.attach(engine);
      } catch (RuntimeException | Error e) {
        // Nobody else holds the bus: close it, so its threads and transport do not leak.
        try {
          engine.close(Duration.ZERO);
        } catch (RuntimeException | Error closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
    }
    return engine;
  }

  private Engine(
      Executor executor,
      int workerThreads,
      BusListener listener,
      TimeSource time,
      String source,
      Transport transport,
      int maxPendingRequests,
      List<Interceptor> interceptors) {
    Objects.requireNonNull(listener, "listener");
    this.time = Objects.requireNonNull(time, "time");
    if (executor == null) {
      // Idle workers end after a keep-alive, so a bus its owner forgot to close does not keep the
      // JVM alive forever; the pool starts threads again on demand.
      WorkerPool pool =
          new WorkerPool(workerThreads, new NamedThreadFactory("herald-worker", false));
      this.ownedExecutor = pool;
      this.executor = pool;
    } else {
      this.ownedExecutor = null;
      this.executor = executor;
    }
    this.timer = time.newTimer(new NamedThreadFactory("herald-timer", true));
    this.observers = new Observers(listener, time);
    this.interceptors =
        interceptors.isEmpty() ? null : new Interceptors(List.copyOf(interceptors), observers);
    this.subscriptions =
        new Subscriptions(this, life, this.executor, transport, observers, this.interceptors);
    this.router = new Router(subscriptions, observers, life);
    this.publisher = new Publisher(router, transport, observers, life, this.interceptors);
    this.deadLetters =
        new DeadLetters(
            publisher, router, subscriptions, observers, time, source, transport != null);
    this.requests =
        new Requests(
            subscriptions, router, publisher, life, time, timer, source, maxPendingRequests);
    this.closer =
        new Closer(
            this,
            time,
            life,
            subscriptions,
            publisher.gate(),
            requests,
            timer,
            ownedExecutor,
            transport);
  }

  // ---- the API, each call handed to the part that owns it

  @Override
  public CompletableFuture<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event");
    return publisher.publish(event, null, "publish");
  }

  @Override
  public List<CompletableFuture<PublishResult>> publishAll(List<? extends Event<?>> events) {
    return publisher.publishAll(events);
  }

  @Override
  public void emitAll(List<? extends Event<?>> events) {
    publisher.emitAll(events);
  }

  @Override
  public void emit(Event<?> event) {
    Objects.requireNonNull(event, "event");
    publisher.emit(event);
  }

  @Override
  public CompletableFuture<PublishResult> redrive(DeadLetter deadLetter) {
    Objects.requireNonNull(deadLetter, "deadLetter");
    if (deadLetter.event().data() instanceof Transport.UndecodableData u) {
      // Publishing the placeholder would hand the subscription a description of the record, fail
      // on it, and bury the decoding error under that failure in the next dead letter.
      throw new IllegalArgumentException(
          "the dead letter's event "
              + deadLetter.event().id()
              + " stands for a stored record that did not decode ("
              + u.error()
              + "); it cannot be published again as is: once the record decodes (a fixed codec or"
              + " payload class), redrive it through the gateway or 'herald dlq redrive', which"
              + " read the record again");
    }
    String to = deadLetter.subscription();
    Event<?> again = deadLetter.event().toBuilder().extension(Subscriptions.REDRIVE_TO, to).build();
    return publisher.publish(again, to, "redrive");
  }

  @Override
  public <T> Subscription subscribe(
      Class<T> payloadType, PayloadHandler<? super T> handler, SubscribeOptions options) {
    return subscriptions.subscribe(payloadType, handler, options);
  }

  @Override
  public <T> Subscription subscribe(
      String pattern, Class<T> payloadType, EventHandler<T> handler, SubscribeOptions options) {
    return subscriptions.subscribe(pattern, payloadType, handler, options);
  }

  /**
   * Subscribes to events whose payload is a {@code payloadType}, the handler taking whole events:
   * for {@link Listeners}, whose {@code Event<T>} parameters the API has no method for.
   */
  <T> Subscription subscribeEvents(
      Class<T> payloadType, EventHandler<T> handler, SubscribeOptions options) {
    return subscriptions.subscribeEvents(payloadType, handler, options);
  }

  @Override
  public Subscription subscribeUnrouted(EventHandler<Object> handler, SubscribeOptions options) {
    return subscriptions.subscribeUnrouted(handler, options);
  }

  @Override
  public Registration register(Object listener) {
    return Listeners.register(this, listener, null);
  }

  @Override
  public Registration register(Object listener, MethodHandles.Lookup lookup) {
    return Listeners.register(this, listener, Objects.requireNonNull(lookup, "lookup"));
  }

  @Override
  public Registration registerWithDefaults(Object listener, SubscribeOptions defaults) {
    return Listeners.register(this, listener, null, defaults);
  }

  @Override
  public <R> CompletableFuture<R> request(
      String type, Object payload, Class<R> replyType, Duration timeout) {
    return requests.request(type, payload, replyType, timeout);
  }

  @Override
  public <T> Subscription respond(
      String pattern, Class<T> requestType, Responder<T> responder, SubscribeOptions options) {
    return requests.respond(pattern, requestType, responder, options);
  }

  @Override
  public BusStats stats() {
    return observers.stats(publisher.gate()::entered, subscriptions::stats);
  }

  @Override
  public CloseReport close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      // Almost surely a caller's bug; zero is meaningful (close without waiting).
      throw new IllegalArgumentException("timeout: must not be negative, was " + timeout);
    }
    return closer.close(timeout);
  }

  // ---- what subscriptions and their lanes ask of the bus

  /** The bus's clock: every time read and wait of the bus goes through it. */
  TimeSource time() {
    return time;
  }

  void unsubscribe(SubscriptionImpl s) {
    subscriptions.unsubscribe(s);
  }

  @Override
  public boolean isClosed() {
    return life.isClosed();
  }

  boolean isAbandoned() {
    return life.isAbandoned();
  }

  void laneIdle() {
    closer.laneIdle();
  }

  /** True if the listener receives each handler call's latency, so every call must be timed. */
  boolean listenerTimesHandlers() {
    return observers.listenerTimesHandlers();
  }

  double random() {
    return ThreadLocalRandom.current().nextDouble();
  }

  /**
   * Whether other work waits for a thread of {@code ex}. Only Herald's own pool can tell; for an
   * executor the user gave, the answer is always yes, so lanes share it fairly.
   */
  boolean othersWaiting(Executor ex) {
    if (ex != ownedExecutor || ownedExecutor == null) {
      return true;
    }
    return !ownedExecutor.isQueueEmpty() || life.isAbandoned();
  }

  /**
   * Whether other tasks wait for a thread of the bus's own pool, {@code ex}: false for any other
   * executor, whose queue the bus cannot see.
   */
  boolean poolHasQueued(Executor ex) {
    return ex == ownedExecutor && ownedExecutor != null && !ownedExecutor.isQueueEmpty();
  }

  /** Schedules a lane to run again after {@code delayNanos}. False if the timer is shut down. */
  boolean scheduleRetry(Lane lane, long delayNanos) {
    try {
      timer.schedule(lane::retryDue, delayNanos);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** See {@link DeadLetters#deadLetter}. */
  CompletableFuture<Void> deadLetter(
      SubscriptionImpl s, Event<?> event, Throwable cause, int attempts) {
    return deadLetters.deadLetter(s, event, cause, attempts);
  }

  /** Writes a rate-limited warning, for failures that the listener's calls do not say enough of. */
  void warn(Supplier<String> message, Throwable cause) {
    observers.warn(message, cause);
  }

  void notifyFailure(String sub, Event<?> event, Throwable cause, int attempt, boolean retry) {
    observers.handlerFailed(sub, event, cause, attempt, retry);
  }

  void notifyHandled(String sub, Event<?> event, int attempts, long latencyNanos) {
    observers.handled(sub, event, attempts, latencyNanos);
  }

  void notifyDropped(String sub, Event<?> event, DropReason reason) {
    observers.dropped(sub, event, reason);
  }
}
