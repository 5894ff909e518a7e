package dev.herald.internal;

import dev.herald.Backpressure;
import dev.herald.BusClosedException;
import dev.herald.Event;
import dev.herald.EventHandler;
import dev.herald.PayloadHandler;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import dev.herald.SubscriptionStats;
import dev.herald.spi.Transport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The subscriptions of a bus: subscribing, unsubscribing, the copy-on-write {@link Registry} that
 * publishers route by, and the durable subscriptions a transport feeds. Thread-safe: subscribe and
 * unsubscribe, on any user thread, write under one lock; publishers read the registry without it. A
 * durable subscription's events arrive on the transport's feed thread ({@link DurableSink}).
 */
final class Subscriptions {
  /** The extension of a redriven event: the name of the subscription that dead-lettered it. */
  static final String REDRIVE_TO = "redriveto";

  private static final long FEED_WAIT_NANOS = TimeUnit.DAYS.toNanos(365);

  private final Engine engine;
  private final Lifecycle life;
  private final Executor executor;
  private final Transport transport;
  private final Observers observers;

  // Orders subscribe, unsubscribe and close: a subscription is either registered before the bus
  // closes (and drained by close) or refused.
  private final Object lock = new Object();
  private volatile Registry registry = Registry.empty();
  // Every subscription that may still hold events, live or closed, for close() to drain.
  private final Set<SubscriptionImpl> draining = ConcurrentHashMap.newKeySet();
  private final AtomicLong names = new AtomicLong();
  // Threads closing feeds aside (closeAside), each until it ends; any thread.
  private final Set<Thread> closingFeeds = ConcurrentHashMap.newKeySet();

  /** The bus's interceptors, or null. */
  private final Interceptors interceptors;

  /**
   * The rings that subscriptions selecting the same events share, by what they must have in common;
   * under {@link #lock}. See {@link #ringFor}.
   */
  private final Map<RingKey, BroadcastRing> rings = new HashMap<>();

  private record RingKey(Object selects, int capacity, long blockNanos) {}

  Subscriptions(
      Engine engine,
      Lifecycle life,
      Executor executor,
      Transport transport,
      Observers observers,
      Interceptors interceptors) {
    this.engine = engine;
    this.interceptors = interceptors;
    this.life = life;
    this.executor = executor;
    this.transport = transport;
    this.observers = observers;
  }

  /** The live in-process subscriptions, as of now. */
  Registry registry() {
    return registry;
  }

  /** Every subscription that may still hold events, live or closed, in-process or durable. */
  Set<SubscriptionImpl> draining() {
    return draining;
  }

  /** Marks the bus closed under the lock, so that no subscription is added after it. */
  void closeToNew() {
    synchronized (lock) {
      life.markClosed();
    }
  }

  /** The stats of the live subscriptions, in-process then durable. */
  List<SubscriptionStats> stats() {
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
    return subs;
  }

  /**
   * Whether a live durable subscription of this process selects {@code event}. In-process ones are
   * found through the {@link #registry()}.
   */
  boolean durableTakes(Event<?> event) {
    for (SubscriptionImpl s : draining) {
      if (s.feed != null && s.isActive() && s.selector.matches(event)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the subscription named {@code name} may take {@code event}: any may, unless the event
   * is a redrive for another subscription.
   */
  static boolean redrivenTo(Event<?> event, String name) {
    String to = event.extension(REDRIVE_TO);
    return to == null || to.equals(name);
  }

  <T> Subscription subscribe(
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

  /**
   * As {@link #subscribe(Class, PayloadHandler, SubscribeOptions)}, the handler taking whole
   * events: an annotated listener's {@code Event<T>} parameter ({@link Listeners}).
   */
  @SuppressWarnings("unchecked")
  <T> Subscription subscribeEvents(
      Class<T> payloadType, EventHandler<T> handler, SubscribeOptions options) {
    Names.requirePayloadType(Objects.requireNonNull(payloadType, "payloadType"));
    Objects.requireNonNull(handler, "handler");
    requireUserName(options);
    return add(
        Selector.forClass(payloadType),
        options,
        payloadType.getSimpleName(),
        e -> handler.handle((Event<T>) e));
  }

  @SuppressWarnings("unchecked")
  <T> Subscription subscribe(
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

  @SuppressWarnings("unchecked")
  Subscription subscribeUnrouted(EventHandler<Object> handler, SubscribeOptions options) {
    Objects.requireNonNull(handler, "handler");
    requireUserName(options);
    return add(Selector.unrouted(), options, "unrouted", e -> handler.handle((Event<Object>) e));
  }

  /** Refuses the name the bus keeps for its own subscription to replies. */
  private static void requireUserName(SubscribeOptions options) {
    if (Requests.REPLIES.equals(Objects.requireNonNull(options, "options").name())) {
      throw new IllegalArgumentException(
          "name: '" + Requests.REPLIES + "' is reserved for the bus's own subscription to replies");
    }
  }

  SubscriptionImpl add(
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
    synchronized (lock) {
      if (life.isClosed()) {
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
      // The bus's own subscription to replies runs no user code: nothing to wrap (no span, say).
      SubscriptionImpl.Invoker call =
          interceptors == null || Requests.REPLIES.equals(name)
              ? invoker
              : interceptors.wrap(name, transport != null ? options.group() : null, invoker);
      boolean durable = options.group() != null && transport != null;
      BroadcastRing ring = durable ? null : ringFor(selector, options);
      BroadcastRing.Member member = ring != null ? ring.newMember() : null;
      SubscriptionImpl s = new SubscriptionImpl(engine, name, selector, options, ex, call, member);
      if (ring != null) {
        ring.join(member, s.lanes[0]);
      }
      pruneDrained();
      draining.add(s);
      if (durable) {
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

  /**
   * The ring an in-process subscription shares with those that select the same events, or null when
   * it gets a mailbox of its own. Shared only under the block policy with one lane: there a full
   * mailbox already stops the publisher, so a ring whose room is its slowest reader's changes only
   * what a timeout refuses (the event, to every member at once). Under the drop and fail policies
   * one subscription's backlog must not cost another its events, so each keeps its own mailbox.
   * Under {@link #lock}.
   */
  private BroadcastRing ringFor(Selector selector, SubscribeOptions options) {
    Object selects = selector.sameEventsKey();
    if (selects == null
        || options.concurrency() != 1
        || options.backpressure().kind() != Backpressure.Kind.BLOCK) {
      return null;
    }
    int capacity = BoundedArrayQueue.roundedCapacity(options.mailboxCapacity());
    RingKey key =
        new RingKey(selects, capacity, Durations.saturatedNanos(options.backpressure().timeout()));
    BroadcastRing ring = rings.get(key);
    if (ring == null || ring.isSealed()) {
      ring = new BroadcastRing(capacity);
      rings.put(key, ring);
    }
    return ring;
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
      Lane lane = s.laneFor(event);
      if (!s.isActive() || !lane.offerBlocking(new Completion.Ack(event, done), FEED_WAIT_NANOS)) {
        // Not acknowledged: the transport feeds it again after a restart.
        throw new InterruptedException("subscription '" + s.name + "' or its bus is closing");
      }
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
    public boolean takesUnnamedPayloads() {
      return payloadClass != null && !s.selector.isClassSelector();
    }

    @Override
    public void undecodable(Event<?> placeholder, Throwable cause, Runnable done) {
      // A record of unknown type concerns every group; one of a known type, those that may take it
      // (a class subscription cannot tell the class of a record that did not decode).
      CompletableFuture<Void> stored = null;
      if (Transport.UNDECODABLE_TYPE.equals(placeholder.type())
          || s.selector.mayTakeUndecodable(placeholder.type())) {
        s.undecodable.incrementAndGet();
        stored = engine.deadLetter(s, placeholder, cause, 0);
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
      // Before the listener: one that looks at stats() when told sees the failure there too.
      s.feedFailure = String.valueOf(cause);
      observers.feedFailed(s.name, cause);
    }
  }

  void unsubscribe(SubscriptionImpl s) {
    Transport.Feed feed;
    synchronized (lock) {
      if (!s.markClosed()) {
        return;
      }
      registry = registry.without(s);
      feed = s.feed;
      if (s.ringMember != null) {
        BroadcastRing ring = s.ringMember.ring;
        ring.leave(s.ringMember);
        if (ring.isDeserted()) {
          rings.values().remove(ring); // Its last readers finish on their own.
        }
      }
    }
    if (feed != null) {
      for (Lane lane : s.lanes) {
        lane.wakeWaiters();
      }
      Lane caller = Lane.CURRENT.get();
      if (caller != null && caller.sub == s) {
        // Its own handler closes it (a webhook's, on a 410). A feed's close may wait for the events
        // it fed to be finished (Kafka's, up to its close timeout), among them the handler's own
        // and those queued behind it on its lane, which this thread finishes or leaves behind only
        // once it returns: waiting here, the handler waited out that timeout (twice on Kafka: the
        // close's wait, then the revocation's), and its event, finished after the commit, was fed
        // again. So the feed closes on a thread of its own, as soon as the lane is done with them.
        closeAside(s, feed);
      } else {
        feed.close();
      }
    }
  }

  /**
   * Closes {@code feed}, the feed of {@code s}, on a new thread, for closes that must not wait for
   * the feed's wait on the events it fed. A failure to close is logged with the bus's warnings, not
   * thrown. The thread is in {@link #feedsClosing} until it ends, so that the bus's close joins it
   * too when a handler closed its own subscription.
   */
  void closeAside(SubscriptionImpl s, Transport.Feed feed) {
    Thread t =
        new Thread(
            () -> {
              try {
                feed.close();
              } catch (RuntimeException e) {
                engine.warn(() -> "closing the feed of subscription '" + s.name + "' failed", e);
              } finally {
                closingFeeds.remove(Thread.currentThread());
              }
            },
            "herald-feed-close-" + s.name);
    t.setDaemon(true);
    closingFeeds.add(t); // Before start: the thread removes itself as it ends.
    try {
      t.start();
    } catch (RuntimeException | Error e) {
      closingFeeds.remove(t);
      throw e;
    }
  }

  /** The threads {@link #closeAside} started that are still closing their feeds. */
  List<Thread> feedsClosing() {
    return List.copyOf(closingFeeds);
  }

  /** Forgets closed subscriptions that hold no more events, so churn does not leak mailboxes. */
  private void pruneDrained() {
    draining.removeIf(s -> !s.isActive() && s.isQuiet());
  }
}
