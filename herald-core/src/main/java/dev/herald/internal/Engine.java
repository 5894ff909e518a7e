package dev.herald.internal;

import dev.herald.Backpressure;
import dev.herald.BusClosedException;
import dev.herald.BusListener;
import dev.herald.BusStats;
import dev.herald.CloseReport;
import dev.herald.DeadLetter;
import dev.herald.Delivery;
import dev.herald.DropReason;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.EventHandler;
import dev.herald.MailboxFullException;
import dev.herald.NoResponderException;
import dev.herald.PayloadHandler;
import dev.herald.PublishResult;
import dev.herald.RemoteFailureException;
import dev.herald.RequestTimeoutException;
import dev.herald.Responder;
import dev.herald.StoreRefusedException;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.SubscriptionStats;
import dev.herald.TimeSource;
import dev.herald.TooManyRequestsException;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The in-memory engine behind {@link EventBus}: copy-on-write routing, one bounded mailbox per
 * subscription lane, delivery on an executor, retries on a timer, dead letters and the unrouted
 * channel as events on the bus itself. Thread-safe; publishing takes no lock.
 *
 * <p>Failures that nothing else observes (a dead letter that no subscription or listener takes, a
 * store failure or a listener exception with no listener to hear of it) are logged at {@code
 * WARNING} through this class's {@link System.Logger}, at most {@value #WARNINGS_PER_SECOND} a
 * second.
 */
public final class Engine implements EventBus {
  private static final System.Logger LOG = System.getLogger(Engine.class.getName());
  private static final int WARNINGS_PER_SECOND = 10;
  private static final String REPLY_TO = "replyto";
  private static final String IN_REPLY_TO = "inreplyto";
  private static final String REPLY_ERROR = "replyerror";
  /** The name of the bus's own subscription to replies, reserved. */
  private static final String REPLIES = "herald.replies";
  /** The extension of a redriven event: the name of the subscription that dead-lettered it. */
  static final String REDRIVE_TO = "redriveto";
  private static final long FEED_WAIT_NANOS = TimeUnit.DAYS.toNanos(365);

  private final Executor executor;
  private final WorkerPool ownedExecutor;
  private final ScheduledThreadPoolExecutor timer;
  private final BusListener listener;
  private final boolean listenerTimesHandlers;
  private final TimeSource time;
  private final String source;
  private final String replyType;
  private final Transport transport;

  private final Object registryLock = new Object();
  private volatile Registry registry = Registry.empty();
  // Every subscription that may still hold events, live or closed, for close() to drain.
  private final Set<SubscriptionImpl> draining = ConcurrentHashMap.newKeySet();
  private final AtomicLong names = new AtomicLong();

  // Publishes entering and leaving the engine; close() waits until none is inside.
  private final PublishGate gate = new PublishGate();
  private final LongAdder refusedClosed = new LongAdder();
  private final LongAdder unrouted = new LongAdder();
  private final LongAdder listenerErrors = new LongAdder();
  // Indexed by DropReason.ordinal().
  private final LongAdder[] drops = newAdders(DropReason.values().length);
  private final LongAdder storeFailures = new LongAdder();
  private final LongAdder storedOnly = new LongAdder();
  private final LongAdder stored = new LongAdder();
  private final FailureLog failures;
  private final boolean listenerTakesDeadLetters;
  private final boolean listenerTakesStoreFailures;

  private final Map<String, CompletableFuture<Object>> pendingRequests = new ConcurrentHashMap<>();
  private final int maxPendingRequests;
  // Requests admitted and not yet ended; may exceed the map's size while one is being set up.
  private final AtomicInteger pendingCount = new AtomicInteger();
  private volatile SubscriptionImpl replySubscription;

  private volatile boolean closed;
  private volatile boolean abandoned;
  private final Object closeLock = new Object();
  private CloseReport closeReport;
  private final Object idleMonitor = new Object();

  /**
   * An engine on {@code executor}, or on a pool of {@code workerThreads} threads of its own when
   * {@code executor} is null (shut down at close).
   */
  public Engine(
      Executor executor,
      int workerThreads,
      BusListener listener,
      TimeSource time,
      String source,
      Transport transport,
      int maxPendingRequests) {
    this.transport = transport;
    this.maxPendingRequests = maxPendingRequests;
    if (executor == null) {
      // Idle workers end after a keep-alive, so a bus its owner forgot to close does not keep the
      // JVM alive forever; the pool starts threads again on demand.
      WorkerPool pool = new WorkerPool(workerThreads, new NamedThreadFactory("herald-worker", false));
      this.ownedExecutor = pool;
      this.executor = pool;
    } else {
      this.ownedExecutor = null;
      this.executor = executor;
    }
    this.timer = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("herald-timer", true));
    this.timer.setRemoveOnCancelPolicy(true);
    this.listener = Objects.requireNonNull(listener, "listener");
    this.listenerTimesHandlers =
        overrides(listener, "onHandled", String.class, Event.class, int.class, long.class);
    this.listenerTakesDeadLetters = overrides(listener, "onDeadLetter", DeadLetter.class);
    this.listenerTakesStoreFailures =
        overrides(listener, "onStoreFailed", Event.class, Throwable.class);
    this.time = Objects.requireNonNull(time, "time");
    this.failures = new FailureLog(LOG, time, WARNINGS_PER_SECOND, TimeUnit.SECONDS.toNanos(1));
    this.source = source;
    this.replyType =
        "herald.reply." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
  }

  // ---------------------------------------------------------------- publishing

  @Override
  public CompletableFuture<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event");
    return publish(event, null, "publish");
  }

  /**
   * Publishes {@code event} to the subscriptions that match it, or, when {@code only} is not null, to
   * those of them named {@code only}.
   */
  private CompletableFuture<PublishResult> publish(Event<?> event, String only, String what) {
    PublishGate.Cell in = enter(what);
    try {
      if (transport == null) {
        return route(event, true, false, only).future;
      }
      CompletableFuture<Void> stored = storeUnobserved(event);
      Tracker t;
      try {
        t = route(event, true, true, only);
      } catch (MailboxFullException e) {
        observed(event, stored); // stored all the same: a failure to store still counts
        throw e;
      }
      PublishResult routed = t.future.getNow(null);
      if (routed != null) {
        // Nothing in process took it (durable subscribers only, the usual case on a storing
        // transport): one stage that observes the store and yields the result, not two.
        return stored.handle(
            (v, failure) -> {
              if (failure != null) {
                storeFailed(event, failure);
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
              }
              this.stored.increment();
              return routed;
            });
      }
      return observed(event, stored).thenCombine(t.future, (v, r) -> r);
    } catch (MailboxFullException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      in.exit();
    }
  }

  @Override
  public void emit(Event<?> event) {
    Objects.requireNonNull(event, "event");
    PublishGate.Cell in = enter("emit");
    try {
      if (transport != null) {
        CompletableFuture<Void> stored = store(event);
        if (stored.isCompletedExceptionally()) {
          // Refused at once (a full append queue, say): the emitter hears of it, as a publisher would.
          throw new StoreRefusedException(transport.name(), event, failureOf(stored));
        }
      }
      route(event, false, transport != null, null);
    } finally {
      in.exit();
    }
  }

  private PublishGate.Cell enter(String what) {
    PublishGate.Cell in = gate.enter();
    // Checked after counting in: close() sets the flag, then waits for the counts to agree.
    // While close drains, handlers may still publish: their events are part of the flow in flight.
    if (closed && (abandoned || Lane.CURRENT.get() == null)) {
      refusedClosed.increment();
      in.exit();
      throw new BusClosedException(what);
    }
    return in;
  }

  /**
   * Stores an event with the transport. A failure is counted and reported to the listener; the
   * returned future carries it to a tracked publisher.
   */
  private CompletableFuture<Void> store(Event<?> event) {
    return observed(event, storeUnobserved(event));
  }

  /**
   * The transport's future for storing {@code event}; nobody counts its failure yet. Published by a
   * handler of a stored event, on its delivery thread, the store is one of that event's effects:
   * the lane acknowledges the event only once it completes.
   */
  private CompletableFuture<Void> storeUnobserved(Event<?> event) {
    CompletableFuture<Void> f;
    try {
      f = transport.store(event);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    Lane lane = Lane.CURRENT.get();
    if (lane != null) {
      lane.effect(f);
    }
    return f;
  }

  private CompletableFuture<Void> observed(Event<?> event, CompletableFuture<Void> stored) {
    return stored.whenComplete(
        (v, t) -> {
          if (t != null) {
            storeFailed(event, t);
          } else {
            this.stored.increment();
          }
        });
  }

  /** The failure of a future that completed exceptionally. */
  private static Throwable failureOf(CompletableFuture<?> failed) {
    try {
      failed.join();
      throw new IllegalStateException("not failed: " + failed);
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
  }

  private void storeFailed(Event<?> event, Throwable t) {
    storeFailures.increment();
    if (!listenerTakesStoreFailures) {
      failures.warn(
          () ->
              "transport '"
                  + transport.name()
                  + "' failed to store event "
                  + describe(event)
                  + " (no BusListener.onStoreFailed observes store failures)",
          t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
    }
    try {
      listener.onStoreFailed(event, t);
    } catch (RuntimeException e) {
      listenerFailed("onStoreFailed", e);
    }
  }

  private static String describe(Event<?> event) {
    return "id '" + event.id() + "' of type '" + event.type() + "'";
  }

  /**
   * Publishes an event of Herald's own, also while closing (dead letters, replies). Returns the
   * store's future when it is stored, else null.
   */
  private CompletableFuture<Void> emitInternal(Event<?> event) {
    PublishGate.Cell in = gate.enter();
    try {
      // Dead letters outlive a restart when the transport stores events; replies never do.
      boolean storing = transport != null && DeadLetter.TYPE.equals(event.type());
      if (!storing) {
        route(event, false, false, null);
        return null;
      }
      CompletableFuture<Void> stored = store(event);
      try {
        route(event, false, true, null);
      } catch (MailboxFullException e) {
        // Counted and reported as a drop at the dead-letter subscription that refused it.
      }
      return stored;
    } finally {
      in.exit();
    }
  }

  /**
   * Routes an event to every matching subscription of this process. An event that matches none is
   * stored only when {@code stored} (the transport was handed it for durable subscriptions), else
   * unrouted: counted, reported, and routed to the unrouted channel.
   *
   * @param only when not null, only the matching subscriptions of that name take the event (a
   *     redrive)
   * @return the tracker when {@code track}, else null
   * @throws MailboxFullException after routing, if a subscription refused the event
   */
  private Tracker route(Event<?> event, boolean track, boolean stored, String only) {
    Registry reg = registry;
    SubscriptionImpl[] byType = reg.forType(event.type());
    SubscriptionImpl[] byClass = byClass(reg, event.type(), event.data());
    if (only != null) {
      byType = named(byType, only);
      byClass = named(byClass, only);
    }
    boolean unroutedNow = false;
    if (byType.length + byClass.length == 0) {
      if (stored) {
        storedOnly.increment();
      } else {
        unroutedNow = true;
        unrouted.increment();
        notifyUnrouted(event);
        byType = reg.unrouted;
      }
    }
    Tracker tracker =
        track ? new Tracker(event, byType.length + byClass.length, stored, unroutedNow) : null;
    MailboxFullException refused = null;
    int slot = 0;
    for (SubscriptionImpl s : byType) {
      refused = offer(s, event, tracker, slot++, refused);
    }
    for (SubscriptionImpl s : byClass) {
      refused = offer(s, event, tracker, slot++, refused);
    }
    if (tracker != null) {
      tracker.routed();
    }
    if (refused != null) {
      throw refused;
    }
    return tracker;
  }

  private static SubscriptionImpl[] named(SubscriptionImpl[] subs, String name) {
    for (SubscriptionImpl s : subs) {
      if (s.name.equals(name)) {
        return new SubscriptionImpl[] {s};
      }
    }
    return Registry.NONE;
  }

  /**
   * Whether the subscription named {@code name} may take {@code event}: any may, unless the event is
   * a redrive for another subscription.
   */
  static boolean redrivenTo(Event<?> event, String name) {
    String to = event.extension(REDRIVE_TO);
    return to == null || to.equals(name);
  }

  /** The subscriptions that select a payload by its class; none for a null payload. */
  private static SubscriptionImpl[] byClass(Registry reg, String type, Object payload) {
    return payload != null && reg.hasClassSubscriptions()
        ? reg.forClass(payload.getClass(), type)
        : Registry.NONE;
  }

  private MailboxFullException offer(
      SubscriptionImpl s, Event<?> event, Tracker tracker, int slot, MailboxFullException refused) {
    if (!s.isActive()) {
      if (tracker != null) {
        tracker.skip();
      }
      return refused;
    }
    Lane lane = s.laneFor(event);
    Object item = tracker == null ? event : tracker.item(slot);
    if (lane.offer(item)) {
      return refused;
    }
    MailboxFullException e = mailboxFull(s, lane, event, item);
    return refused != null ? refused : e;
  }

  /** The mailbox was full: apply the subscription's policy. Returns the refusal, if any. */
  private MailboxFullException mailboxFull(
      SubscriptionImpl s, Lane lane, Event<?> event, Object item) {
    Backpressure.Kind kind = s.backpressure.kind();
    switch (kind) {
      case DROP_NEWEST:
        lane.droppedOnArrival.incrementAndGet();
        dropped(s, event, item, DropReason.NEWEST);
        return null;
      case DROP_OLDEST:
        for (; ; ) {
          Object old = lane.queue.poll();
          if (old != null) {
            lane.evicted.incrementAndGet();
            dropped(s, Completion.eventOf(old), old, DropReason.OLDEST);
          }
          if (lane.offer(item)) {
            return null;
          }
        }
      case BLOCK:
        String detail;
        if (Lane.CURRENT.get() != null) {
          detail = "the publisher is a Herald delivery thread, which never blocks";
        } else {
          try {
            if (lane.offerBlocking(item, s.blockNanos)) {
              return null;
            }
            detail =
                closed
                    ? "the bus closed while waiting"
                    : "no room within "
                        + s.backpressure.timeout()
                        + "; a longer Backpressure.block(timeout) or a larger"
                        + " SubscribeOptions.mailboxCapacity(n) gives it more room";
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            detail = "interrupted while waiting for room";
          }
        }
        lane.droppedOnArrival.incrementAndGet();
        dropped(s, event, item, DropReason.REJECTED);
        return new MailboxFullException(s.name, detail);
      case FAIL:
      default:
        lane.droppedOnArrival.incrementAndGet();
        dropped(s, event, item, DropReason.REJECTED);
        return new MailboxFullException(
            s.name,
            "policy FAIL (the default), capacity "
                + lane.queue.capacity()
                + "; to make publishers wait for room instead, subscribe with"
                + " SubscribeOptions.backpressure(Backpressure.block(timeout)), and for more room"
                + " SubscribeOptions.mailboxCapacity(n) (default "
                + SubscribeOptions.DEFAULT_MAILBOX_CAPACITY
                + ")");
    }
  }

  private void dropped(SubscriptionImpl s, Event<?> event, Object item, DropReason reason) {
    notifyDropped(s.name, event, reason);
    Completion.complete(item, new Delivery(s.name, Delivery.Outcome.DROPPED, 0, reason, null));
  }

  // ---------------------------------------------------------------- subscribing

  @Override
  public <T> Subscription subscribe(
      Class<T> payloadType, PayloadHandler<? super T> handler, SubscribeOptions options) {
    Names.requirePayloadType(Objects.requireNonNull(payloadType, "payloadType"));
    Objects.requireNonNull(handler, "handler");
    requireUserName(options);
    return add(
        Selector.forClass(payloadType),
        options,
        payloadType.getSimpleName(),
        e -> handler.handle(payloadType.cast(e.data())));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Subscription subscribe(
      String pattern, Class<T> payloadType, EventHandler<T> handler, SubscribeOptions options) {
    Names.requirePayloadType(Objects.requireNonNull(payloadType, "payloadType"));
    Objects.requireNonNull(handler, "handler");
    requireUserName(options);
    Selector selector = Selector.forPattern(pattern);
    if (payloadType == Object.class) {
      return add(selector, options, pattern, e -> handler.handle((Event<T>) e));
    }
    return add(
        selector,
        payloadType,
        options,
        pattern,
        e -> {
          Object data = e.data();
          if (data != null && !payloadType.isInstance(data)) {
            throw new ClassCastException(
                "payload of "
                    + e.type()
                    + " is a "
                    + data.getClass().getName()
                    + ", not a "
                    + payloadType.getName());
          }
          handler.handle((Event<T>) e);
        });
  }

  @Override
  public Subscription subscribeUnrouted(EventHandler<Object> handler, SubscribeOptions options) {
    Objects.requireNonNull(handler, "handler");
    requireUserName(options);
    return add(Selector.unrouted(), options, "unrouted", e -> handler.handle(cast(e)));
  }

  /** Refuses the name the bus keeps for its own subscription to replies. */
  private static void requireUserName(SubscribeOptions options) {
    if (REPLIES.equals(Objects.requireNonNull(options, "options").name())) {
      throw new IllegalArgumentException(
          "name: '" + REPLIES + "' is reserved for the bus's own subscription to replies");
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> EventHandler<T> cast(EventHandler<?> h) {
    return (EventHandler<T>) h;
  }

  @SuppressWarnings("unchecked")
  private static <T> Event<T> cast(Event<?> e) {
    return (Event<T>) e;
  }

  private SubscriptionImpl add(
      Selector selector,
      SubscribeOptions options,
      String defaultName,
      SubscriptionImpl.Invoker invoker) {
    return add(selector, selector.payloadClass(), options, defaultName, invoker);
  }

  /**
   * Adds a subscription that names {@code payloadClass} (null when it names none): stored records
   * that name that class are decoded into it for a durable one.
   */
  private SubscriptionImpl add(
      Selector selector,
      Class<?> payloadClass,
      SubscribeOptions options,
      String defaultName,
      SubscriptionImpl.Invoker invoker) {
    Objects.requireNonNull(options, "options");
    synchronized (registryLock) {
      if (closed) {
        throw new BusClosedException("subscribe");
      }
      String name = options.name();
      if (name == null) {
        name = defaultName + "#" + names.incrementAndGet();
      } else {
        for (SubscriptionImpl s : registry.all) {
          if (s.name.equals(name)) {
            throw new IllegalArgumentException(
                "name: a live subscription is already named '" + name + "'");
          }
        }
      }
      Executor ex = options.executor() != null ? options.executor() : executor;
      SubscriptionImpl s = new SubscriptionImpl(this, name, selector, options, ex, invoker);
      pruneDrained();
      draining.add(s);
      if (options.group() != null && transport != null) {
        String subName = name;
        s.feed =
            transport.feed(
                options.group(),
                e -> selector.matches(e) && redrivenTo(e, subName),
                new DurableSink(s, payloadClass));
      } else {
        registry = registry.with(s);
      }
      return s;
    }
  }

  /** Where a transport's feed hands stored events to one durable subscription. */
  private final class DurableSink implements Transport.FeedSink {
    private final SubscriptionImpl s;
    private final Class<?> payloadClass;

    DurableSink(SubscriptionImpl s, Class<?> payloadClass) {
      this.s = s;
      this.payloadClass = payloadClass;
    }

    @Override
    public void accept(Event<?> event, Runnable done) throws InterruptedException {
      feed(s, event, done);
    }

    @Override
    public boolean wantsType(String type) {
      return s.selector.mayMatchType(type);
    }

    @Override
    public Class<?> payloadClass() {
      return payloadClass;
    }

    @Override
    public void undecodable(Event<?> placeholder, Throwable cause, Runnable done) {
      // A record of unknown type concerns every group; one of a known type, those that may take it
      // (a class subscription cannot tell the class of a record that did not decode).
      CompletableFuture<Void> stored = null;
      if (Transport.UNDECODABLE_TYPE.equals(placeholder.type())
          || s.selector.mayMatchType(placeholder.type())) {
        stored = deadLetter(s, placeholder, cause, 0);
      }
      if (stored == null) {
        done.run();
      } else {
        // Acknowledged once its dead letter is stored; a dead letter that failed to store (counted
        // and reported as a store failure) leaves the record to be fed again after a restart.
        stored.thenRun(done);
      }
    }

    @Override
    public void failed(Throwable cause) {
      try {
        listener.onFeedFailed(s.name, cause);
      } catch (RuntimeException e) {
        listenerFailed("onFeedFailed", e);
      }
    }
  }

  /** Hands one stored event to a durable subscription; waits for room (backpressure). */
  private void feed(SubscriptionImpl s, Event<?> event, Runnable done) throws InterruptedException {
    Lane lane = s.laneFor(event);
    if (!s.isActive() || !lane.offerBlocking(new Completion.Ack(event, done), FEED_WAIT_NANOS)) {
      // Not acknowledged: the transport feeds it again after a restart.
      throw new InterruptedException("subscription '" + s.name + "' or its bus is closing");
    }
  }

  void unsubscribe(SubscriptionImpl s) {
    Transport.Feed feed;
    synchronized (registryLock) {
      if (!s.markClosed()) {
        return;
      }
      registry = registry.without(s);
      feed = s.feed;
    }
    if (feed != null) {
      for (Lane lane : s.lanes) {
        lane.wakeWaiters();
      }
      feed.close();
    }
  }

  /** Forgets closed subscriptions that hold no more events, so churn does not leak mailboxes. */
  private void pruneDrained() {
    draining.removeIf(s -> !s.isActive() && allQuiet(s));
  }

  // ---------------------------------------------------------------- request / reply

  @Override
  public <R> CompletableFuture<R> request(
      String type, Object payload, Class<R> replyType, Duration timeout) {
    Objects.requireNonNull(replyType, "replyType");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: must be positive, was " + timeout);
    }
    ensureReplySubscription();
    Event<Object> request =
        Event.builder(type).source(source).data(payload).extension(REPLY_TO, this.replyType).build();
    Registry reg = registry;
    if (reg.forType(type).length + byClass(reg, type, payload).length == 0) {
      return CompletableFuture.failedFuture(new NoResponderException(type));
    }
    // Counted before the request exists, so that racing requesters never pass the bound together.
    if (pendingCount.incrementAndGet() > maxPendingRequests) {
      pendingCount.decrementAndGet();
      return CompletableFuture.failedFuture(new TooManyRequestsException(maxPendingRequests));
    }
    CompletableFuture<Object> reply = new CompletableFuture<>();
    String id = request.id();
    pendingRequests.put(id, reply);
    ScheduledFuture<?> timeoutTask = null;
    try {
      timeoutTask =
          timer.schedule(
              () -> {
                CompletableFuture<Object> f = pendingRequests.remove(id);
                if (f != null) {
                  f.completeExceptionally(new RequestTimeoutException(type, id, timeout));
                }
              },
              saturatedNanos(timeout),
              TimeUnit.NANOSECONDS);
      emit(request);
    } catch (RuntimeException e) {
      pendingRequests.remove(id);
      reply.completeExceptionally(
          e instanceof RejectedExecutionException ? new BusClosedException("request") : e);
    }
    ScheduledFuture<?> task = timeoutTask;
    // However the request ends (reply, timeout, close, failure to send), its place is freed and its
    // timeout leaves the timer, before the requester hears of the outcome.
    return reply
        .whenComplete(
            (r, t) -> {
              pendingCount.decrementAndGet();
              if (task != null) {
                task.cancel(false);
              }
            })
        .thenApply(replyType::cast);
  }

  /** The duration in nanoseconds, or Long.MAX_VALUE for one too long to say so (292 years). */
  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Tasks waiting on the timer (request timeouts, retries); for tests. */
  int timerTasks() {
    return timer.getQueue().size();
  }

  private void ensureReplySubscription() {
    if (replySubscription != null) {
      return;
    }
    synchronized (registryLock) {
      if (replySubscription == null) {
        replySubscription =
            add(
                Selector.forPattern(replyType),
                SubscribeOptions.defaults()
                    .name(REPLIES)
                    .mailboxCapacity(Math.max(1 << 16, maxPendingRequests)),
                REPLIES,
                this::onReply);
      }
    }
  }

  private void onReply(Event<?> reply) {
    String to = reply.extension(IN_REPLY_TO);
    CompletableFuture<Object> f = to == null ? null : pendingRequests.remove(to);
    if (f == null) {
      return; // A late reply to a request that timed out: nobody waits for it any more.
    }
    String error = reply.extension(REPLY_ERROR);
    if (error != null) {
      f.completeExceptionally(new RemoteFailureException(error));
    } else {
      f.complete(reply.data());
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Subscription respond(
      String pattern, Class<T> requestType, Responder<T> responder, SubscribeOptions options) {
    Objects.requireNonNull(responder, "responder");
    EventHandler<T> handler =
        request -> {
          String replyTo = request.extension(REPLY_TO);
          Event.Builder<Object> reply;
          VirtualMachineError fatal = null;
          try {
            Object answer = responder.respond(request);
            reply = Event.builder(replyTo == null ? "herald.reply.none" : replyTo).data(answer);
          } catch (Throwable e) {
            // An Error is the requester's failure too: it is answered at once, not left to time out.
            if (e instanceof VirtualMachineError vme) {
              fatal = vme;
            }
            String msg = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            reply =
                Event.builder(replyTo == null ? "herald.reply.none" : replyTo)
                    .data(null)
                    .extension(REPLY_ERROR, msg.length() > 4000 ? msg.substring(0, 4000) : msg);
          }
          if (replyTo != null) {
            emitInternal(
                reply.source(source).extension(IN_REPLY_TO, request.id()).build());
          }
          if (fatal != null) {
            // The JVM is in trouble: the subscription's failure handling must hear of it too.
            throw fatal;
          }
        };
    return subscribe(pattern, requestType, (EventHandler<T>) cast(handler), options);
  }

  @Override
  public CompletableFuture<PublishResult> redrive(DeadLetter deadLetter) {
    Objects.requireNonNull(deadLetter, "deadLetter");
    String to = deadLetter.subscription();
    Event<?> again = deadLetter.event().toBuilder().extension(REDRIVE_TO, to).build();
    return publish(again, to, "redrive");
  }

  // ---------------------------------------------------------------- failures and observation

  BusListener listener() {
    return listener;
  }

  /** True if the listener receives each handler call's latency, so every call must be timed. */
  boolean listenerTimesHandlers() {
    return listenerTimesHandlers;
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

  boolean isClosed() {
    return closed;
  }

  boolean isAbandoned() {
    return abandoned;
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
    return !ownedExecutor.isQueueEmpty() || abandoned;
  }

  /** Schedules a lane to run again after {@code delayNanos}. False if the timer is shut down. */
  boolean scheduleRetry(Lane lane, long delayNanos) {
    try {
      timer.schedule(lane::retryDue, delayNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Reports and publishes the dead letter of {@code event}. Returns the dead letter's store future
   * when the transport stores it, else null.
   */
  CompletableFuture<Void> deadLetter(
      SubscriptionImpl s, Event<?> event, Throwable cause, int attempts) {
    DeadLetter dl =
        new DeadLetter(
            event,
            s.name,
            attempts,
            cause.getClass().getName(),
            cause.getMessage(),
            cause,
            Instant.ofEpochMilli(time.epochMillis()));
    try {
      listener.onDeadLetter(dl);
    } catch (RuntimeException e) {
      listenerFailed("onDeadLetter", e);
    }
    if (DeadLetter.TYPE.equals(event.type())) {
      // A failing dead-letter handler: its dead letter is reported, not re-published.
      if (!listenerTakesDeadLetters) {
        failures.warn(
            () ->
                "dead-letter subscription '"
                    + s.name
                    + "' failed on the dead letter "
                    + describe(event)
                    + " after "
                    + attempts
                    + " attempt(s); it is not published again",
            cause);
      }
      return null;
    }
    Event<DeadLetter> letter =
        Event.<DeadLetter>causedBy(event, DeadLetter.TYPE).source(source).data(dl).build();
    if (!listenerTakesDeadLetters && !takenInProcess(letter)) {
      failures.warn(
          () ->
              "subscription '"
                  + s.name
                  + "' gave up on event "
                  + describe(event)
                  + " after "
                  + attempts
                  + " attempt(s); "
                  + (transport != null
                      ? "its dead letter is stored, but no subscription of this process takes it"
                      : "no subscription takes its dead letter")
                  + " (subscribe to DeadLetter.class, or observe BusListener.onDeadLetter)",
          cause);
    }
    return emitInternal(letter);
  }

  /**
   * Whether a subscription of this process, in-process or durable, would take the dead letter
   * {@code event}; without a transport, the unrouted channel takes what nothing else does.
   */
  private boolean takenInProcess(Event<?> event) {
    Registry reg = registry;
    if (reg.forType(event.type()).length + byClass(reg, event.type(), event.data()).length > 0
        || (transport == null && reg.unrouted.length > 0)) {
      return true;
    }
    for (SubscriptionImpl s : draining) {
      if (s.feed != null && s.isActive() && s.selector.matches(event)) {
        return true;
      }
    }
    return false;
  }

  /** The bus's clock; lanes read it to end their time slices. */
  TimeSource time() {
    return time;
  }

  /** Writes a rate-limited warning, for failures that the listener's calls do not say enough of. */
  void warn(Supplier<String> message, Throwable cause) {
    failures.warn(message, cause);
  }

  void notifyFailure(String sub, Event<?> event, Throwable cause, int attempt, boolean retry) {
    try {
      listener.onHandlerFailure(sub, event, cause, attempt, retry);
    } catch (RuntimeException e) {
      listenerFailed("onHandlerFailure", e);
    }
  }

  void notifyHandled(String sub, Event<?> event, int attempts, long latencyNanos) {
    try {
      listener.onHandled(sub, event, attempts, latencyNanos);
    } catch (RuntimeException e) {
      listenerFailed("onHandled", e);
    }
  }

  void notifyDropped(String sub, Event<?> event, DropReason reason) {
    drops[reason.ordinal()].increment();
    try {
      listener.onDropped(sub, event, reason);
    } catch (RuntimeException e) {
      listenerFailed("onDropped", e);
    }
  }

  private void notifyUnrouted(Event<?> event) {
    try {
      listener.onUnrouted(event);
    } catch (RuntimeException e) {
      listenerFailed("onUnrouted", e);
    }
  }

  /** A listener call threw: counted, logged, and never propagated into delivery. */
  private void listenerFailed(String method, RuntimeException e) {
    listenerErrors.increment();
    failures.warn(() -> "BusListener." + method + " threw; delivery carries on", e);
  }

  @Override
  public BusStats stats() {
    long storeFailedNow = storeFailures.sum();
    long storedNow = stored.sum();
    long unroutedNow = unrouted.sum();
    long storedOnlyNow = storedOnly.sum();
    long published = gate.entered() - refusedClosed.sum();
    List<SubscriptionStats> subs = new ArrayList<>();
    for (SubscriptionImpl s : registry.all) {
      subs.add(s.stats());
    }
    // Durable subscriptions are fed by the transport, not routed through the registry.
    for (SubscriptionImpl s : draining) {
      if (s.feed != null && s.isActive()) {
        subs.add(s.stats());
      }
    }
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

  // ---------------------------------------------------------------- closing

  /** Called by a lane that went idle; wakes close() if it waits for the lanes to drain. */
  void laneIdle() {
    if (closed) {
      synchronized (idleMonitor) {
        idleMonitor.notifyAll();
      }
    }
  }

  private static boolean allQuiet(SubscriptionImpl s) {
    for (Lane lane : s.lanes) {
      if (!lane.isQuiet()) {
        return false;
      }
    }
    return true;
  }

  /** Whether every lane but {@code except} (null for none) is quiet. */
  private boolean allQuiet(Lane except) {
    for (SubscriptionImpl s : draining) {
      for (Lane lane : s.lanes) {
        if (lane != except && !lane.isQuiet()) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public CloseReport close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    synchronized (closeLock) {
      if (closeReport != null) {
        return closeReport;
      }
      synchronized (registryLock) {
        closed = true;
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      for (SubscriptionImpl s : draining) {
        for (Lane lane : s.lanes) {
          lane.wakeWaiters();
        }
      }
      for (SubscriptionImpl s : draining) {
        if (s.feed != null) {
          s.feed.close(); // Stop taking stored events; what is queued still drains.
        }
      }
      // Publishers already inside publish() finish routing before draining is judged.
      gate.awaitNoneInside(() -> System.nanoTime() < deadline);
      // Called by a handler of this bus: its own lane cannot drain while it waits here.
      Lane caller = Lane.CURRENT.get();
      if (caller != null && caller.sub.engine != this) {
        caller = null;
      }
      boolean drained = awaitQuiet(deadline, caller);
      abandoned = true;
      timer.shutdownNow();
      boolean threadsStopped =
          stopOwnedExecutor(deadline, caller != null && caller.executor == ownedExecutor);
      Map<String, Long> undelivered = new LinkedHashMap<>();
      for (SubscriptionImpl s : draining) {
        long left = 0;
        for (Lane lane : s.lanes) {
          left += lane.abandon();
        }
        if (left > 0) {
          undelivered.merge(s.name, left, Long::sum);
        }
      }
      for (CompletableFuture<Object> f : pendingRequests.values()) {
        f.completeExceptionally(new BusClosedException("wait for a reply"));
      }
      pendingRequests.clear();
      try {
        threadsStopped &= timer.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        threadsStopped = false;
      }
      if (transport != null) {
        transport.close();
      }
      closeReport = new CloseReport(drained && undelivered.isEmpty(), undelivered, threadsStopped);
      return closeReport;
    }
  }

  private boolean awaitQuiet(long deadline, Lane except) {
    synchronized (idleMonitor) {
      while (!allQuiet(except)) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(idleMonitor, Math.min(remaining, 10_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Stops the bus's own pool. {@code fromPool}: the caller is one of its threads (a handler called
   * close), which ends only once its handler returns, so only the others are waited for.
   */
  private boolean stopOwnedExecutor(long deadline, boolean fromPool) {
    if (ownedExecutor == null) {
      return true;
    }
    ownedExecutor.shutdown();
    try {
      long remaining = Math.max(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100));
      if (awaitPool(remaining, fromPool)) {
        return true;
      }
      // Handlers still running past the timeout: interrupt them, and give them a moment.
      boolean wasInterrupted = Thread.currentThread().isInterrupted();
      ownedExecutor.shutdownNow();
      if (fromPool && !wasInterrupted) {
        Thread.interrupted(); // shutdownNow interrupted the caller too: it is not being stopped
      }
      return awaitPool(TimeUnit.SECONDS.toNanos(2), fromPool);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private boolean awaitPool(long nanos, boolean fromPool) throws InterruptedException {
    return fromPool
        ? ownedExecutor.awaitOthersEnded(nanos, TimeUnit.NANOSECONDS)
        : ownedExecutor.awaitTermination(nanos, TimeUnit.NANOSECONDS);
  }
}
