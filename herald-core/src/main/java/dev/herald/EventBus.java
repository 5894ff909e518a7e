package dev.herald;

import java.lang.invoke.MethodHandles;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Carries events from publishers to the subscriptions whose selector matches them. Thread-safe:
 * every method may be called from any thread, including from inside a handler.
 *
 * <h2>Routing</h2>
 *
 * A subscription selects events by exact type ({@code order.placed}), by type pattern, or by
 * payload class. Patterns follow the AMQP topic convention: segments are separated by dots, {@code
 * *} matches exactly one segment and {@code #} matches zero or more ({@code order.*} matches {@code
 * order.placed}, {@code order.#} also matches {@code order} and {@code order.line.added}). Types of
 * Herald's own ({@code herald.*}, such as {@link DeadLetter#TYPE}) are matched only by patterns
 * whose first segment is the literal {@code herald}. A payload-class subscription matches every
 * event whose payload is an instance of the class, its subclasses and implementations included.
 *
 * <h2>Delivery</h2>
 *
 * Each subscription has its own bounded mailbox drained on an executor, so a slow subscriber slows
 * nobody but itself, unless its {@link Backpressure} policy says to block publishers. A handler
 * never runs concurrently with itself unless its subscription asks for concurrency; events
 * published by one thread reach each subscription in publish order, and with concurrency, events
 * with the same key keep their order.
 *
 * <p><b>Causal order.</b> An effect never overtakes its cause at any subscription: no handler runs
 * on an event before the publisher has offered it to every matching mailbox of this process, so an
 * event that a handler publishes in reaction (with any method, on any thread) reaches every
 * subscription after its cause. The cost is paid under {@link Backpressure#block}: while a
 * publisher waits for room in one subscription's mailbox, the subscriptions it already offered the
 * event to do not start on it until the full one took it (they hold no thread meanwhile); a slow
 * subscription with the block policy therefore delays the others by as long as it makes publishers
 * wait. Durable subscriptions (consumer groups) are fed from the store and are not part of this
 * promise.
 *
 * <h2>Accounting</h2>
 *
 * Every published event is routed (it matched a subscription of this process), stored only (it
 * matched none, and the bus's transport stored it for durable subscriptions, which may run in
 * another process) or unrouted (it matched none and was not stored: it went nowhere). Every routed
 * event ends handled, dead-lettered or dropped by an explicit policy, and each of those is counted
 * ({@link #stats()}) and reported ({@link BusListener}). Unrouted events, and only those, are
 * delivered to {@link #subscribeUnrouted} subscriptions.
 *
 * <h2>Failures nobody observes</h2>
 *
 * A dead letter that no subscription of this process and no {@link BusListener#onDeadLetter} takes,
 * a store failure that no {@link BusListener#onStoreFailed} observes, and a JVM error thrown by a
 * handler are logged at {@code WARNING} under the logger name {@code dev.herald.bus}; an exception
 * thrown by a {@link BusListener} or an {@link dev.herald.spi.Interceptor} under {@code
 * dev.herald.bus.listener}. At most 10 records a second per bus between them; the counters miss
 * none of them. Core logs through the JDK's {@link System.Logger}, so it needs no dependency: with
 * {@code org.slf4j:slf4j-jdk-platform-logging} on the class path these records go to SLF4J like the
 * other modules' (java.util.logging otherwise). docs/logging.md lists every logger name.
 */
public interface EventBus extends AutoCloseable {

  /**
   * Publishes an event and tracks it: on a bus with a transport, until it is stored; and until
   * every matching subscription of this process finished with it. Durable subscriptions (consumer
   * groups) are fed from the store later, possibly in another process: their outcome is not waited
   * for, and {@link PublishResult#stored()} stands for them.
   *
   * @return a future completed once the event is stored (on a bus with a transport) and every
   *     matching subscription of this process finished with it (handled, dead-lettered or dropped),
   *     with the outcome per subscription; completed exceptionally with a {@link
   *     MailboxFullException} when a subscription refused it ({@code FAIL} policy, or a {@code
   *     BLOCK} that timed out), or with the transport's failure when the store failed
   * @throws BusClosedException if the bus is closed
   */
  CompletableFuture<PublishResult> publish(Event<?> event);

  /** Publishes a new event of the given type and payload; see {@link #publish(Event)}. */
  default CompletableFuture<PublishResult> publish(String type, Object data) {
    return publish(Event.of(type, data));
  }

  /**
   * Publishes an event without tracking it: the fast path. Allocates nothing per event.
   *
   * <p>On a bus with a transport, store backpressure is the emitter's: a store the transport
   * refuses at once (its bounded append queue is full, the codec refuses the payload, the store is
   * closed) throws, and the event goes nowhere; a store that fails later is counted in {@link
   * BusStats#storeFailed()} and reported to {@link BusListener#onStoreFailed}, and, emitted by the
   * handler of a durable subscription, fails that delivery.
   *
   * @throws StoreRefusedException if the transport refused to store it at once
   * @throws MailboxFullException if a subscription refused it; the others still received it
   * @throws BusClosedException if the bus is closed
   */
  void emit(Event<?> event);

  /** Emits a new event of the given type and payload; see {@link #emit(Event)}. */
  default void emit(String type, Object data) {
    emit(Event.of(type, data));
  }

  /**
   * Emits a batch of events, in order, as many calls of {@link #emit(Event)} would, at a lower cost
   * per event: each mailbox gets its share of the batch before its subscription is woken, once.
   * Every event is counted and each subscription's backpressure policy applies to each event, as
   * for {@code emit}; a handler may start on the first events before the last are offered.
   *
   * <p>A subscription's mailbox must have room for what it takes of the batch, or its policy
   * decides for the rest: with {@code FAIL}, a batch larger than the room left is refused in part.
   * On a bus with a transport, each event is stored, then routed, before the next; a store refused
   * at once stops the batch there.
   *
   * @throws NullPointerException if the list or one of its events is null (nothing was published)
   * @throws BatchRefusedException after the whole batch was offered, if subscriptions refused some
   *     events: it lists them, and every other event reached every matching subscription
   * @throws StoreRefusedException if the transport refused to store an event at once: the events
   *     before it in the list were published, it and those after it were not (a {@link
   *     BatchRefusedException} for the events before it, if any, is suppressed in it)
   * @throws BusClosedException if the bus is closed (nothing was published)
   */
  void emitAll(List<? extends Event<?>> events);

  /**
   * Publishes a batch of events, in order, as many calls of {@link #publish(Event)} would, at a
   * lower cost per event (see {@link #emitAll}).
   *
   * @return one future per event, in the order of the list, each completed as the future of {@code
   *     publish} for that event would be: with its outcome per subscription, or failed with a
   *     {@link MailboxFullException} for an event that a subscription refused (only that event's
   *     future fails), or with the transport's failure to store it
   * @throws NullPointerException if the list or one of its events is null (nothing was published)
   * @throws BusClosedException if the bus is closed (nothing was published)
   */
  List<CompletableFuture<PublishResult>> publishAll(List<? extends Event<?>> events);

  /** Subscribes to events whose payload is a {@code payloadType}, with default options. */
  default <T> Subscription subscribe(Class<T> payloadType, PayloadHandler<? super T> handler) {
    return subscribe(payloadType, handler, SubscribeOptions.defaults());
  }

  /**
   * Subscribes to events whose payload is a {@code payloadType}.
   *
   * @throws IllegalArgumentException if no payload can be a {@code payloadType}: a primitive type
   *     (payloads are objects; subscribe to its wrapper, {@code Integer.class} for {@code int}),
   *     {@code void} or {@link Void}
   */
  <T> Subscription subscribe(
      Class<T> payloadType, PayloadHandler<? super T> handler, SubscribeOptions options);

  /** Subscribes to events whose type matches {@code pattern}, with default options. */
  default Subscription subscribe(String pattern, EventHandler<Object> handler) {
    return subscribe(pattern, Object.class, handler, SubscribeOptions.defaults());
  }

  /** Subscribes to events whose type matches {@code pattern}. */
  default Subscription subscribe(
      String pattern, EventHandler<Object> handler, SubscribeOptions options) {
    return subscribe(pattern, Object.class, handler, options);
  }

  /**
   * Subscribes to events whose type matches {@code pattern}, expecting payloads of {@code
   * payloadType}. An event whose payload is not one is a failed attempt with a {@link
   * ClassCastException} (it ends in the dead-letter channel, never in the handler).
   *
   * @throws IllegalArgumentException if no payload can be a {@code payloadType} (see {@link
   *     #subscribe(Class, PayloadHandler, SubscribeOptions)})
   */
  <T> Subscription subscribe(
      String pattern, Class<T> payloadType, EventHandler<T> handler, SubscribeOptions options);

  /**
   * Subscribes to unrouted events: those that match no other subscription of this process and that
   * no transport stored. On a bus with a transport, events (but replies) are stored, so they are
   * never unrouted: an event nobody takes now waits in the store for durable subscriptions.
   */
  Subscription subscribeUnrouted(EventHandler<Object> handler, SubscribeOptions options);

  /**
   * Sends a request and waits, without blocking a thread, for the first reply. At most {@link
   * Herald.Builder#maxPendingRequests} requests of a bus wait for a reply at a time.
   *
   * @param timeout how long to wait for the reply; positive
   * @return a future of the reply's payload, failed with {@link NoResponderException} if no
   *     subscription matched the request, {@link TooManyRequestsException} if as many requests as
   *     the bus allows already wait for a reply (nothing was sent), {@link RequestTimeoutException}
   *     if no reply came within {@code timeout}, {@link RemoteFailureException} if the responder
   *     threw (an exception or an error), or {@link ClassCastException} if the reply is not a
   *     {@code replyType}
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   * @throws BusClosedException if the bus is closed (nothing was sent)
   */
  <R> CompletableFuture<R> request(
      String type, Object payload, Class<R> replyType, Duration timeout);

  /**
   * Answers requests whose type matches {@code pattern}: the responder's return value is the reply.
   * What the responder throws, an exception or an error, is the reply too: the requester's future
   * fails at once with a {@link RemoteFailureException} that carries its class and message. A
   * {@link VirtualMachineError} is then also rethrown, to the subscription's failure handling.
   */
  <T> Subscription respond(
      String pattern, Class<T> requestType, Responder<T> responder, SubscribeOptions options);

  /**
   * Subscribes every method of {@code listener} annotated with {@link Subscribe}, one subscription
   * per method, and returns one handle that ends them all. The methods are found on the listener's
   * class and its superclasses (not its interfaces); each is checked before any is subscribed, so a
   * listener with an invalid method subscribes nothing and the {@link IllegalArgumentException}
   * names the method. All or nothing: if subscribing one fails (its name is taken on the bus, the
   * bus closed meanwhile), those already made are closed and the failure is rethrown.
   *
   * <p>Each method is subscribed as the same lambda would be, through {@link #subscribe(Class,
   * PayloadHandler, SubscribeOptions)} or {@link #subscribe(String, Class, EventHandler,
   * SubscribeOptions)}, so it behaves alike on every transport. No delivery goes through
   * reflection: the handler is a class generated once, at register time, with {@link
   * java.lang.invoke.LambdaMetafactory} where Herald may define one beside the listener's class (on
   * the class path, or with a lookup of the listener's module), and a bound method handle
   * otherwise.
   *
   * <p>On the class path any method may be annotated, private ones included. In a named module, the
   * listener's package must be open to {@code dev.herald}, or use {@link #register(Object,
   * MethodHandles.Lookup)}.
   *
   * @throws IllegalArgumentException if the listener has no {@link Subscribe} method, or one of
   *     them is invalid (the message names it, {@code Shipping.on(OrderPlaced)}, and says why), or
   *     Herald may not reach it, or two of them would name the same subscription, or a name is
   *     taken on the bus
   * @throws BusClosedException if the bus is closed (nothing was subscribed)
   */
  Registration register(Object listener);

  /**
   * As {@link #register(Object)}, with the methods reached through {@code lookup}: pass {@code
   * MethodHandles.lookup()} from the listener's own class when its module does not open its package
   * to {@code dev.herald}; Herald's handlers are then generated in the listener's module. A lookup
   * that may reach the methods but define no class there gets method-handle handlers.
   */
  Registration register(Object listener, MethodHandles.Lookup lookup);

  /**
   * As {@link #register(Object)}, each subscription with {@code defaults}' mailbox capacity,
   * backpressure, retry policy and executor instead of {@link SubscribeOptions#defaults()}'s: the
   * options a {@link Subscribe} annotation cannot set, given by a framework's configuration (the
   * Spring Boot starter's {@code herald.subscription.*}). The annotation's name, group and
   * concurrency apply as they do for {@link #register(Object)}. (Not an overload of {@code
   * register}: {@code register(listener, null)} would not compile.)
   *
   * @throws IllegalArgumentException as {@link #register(Object)}, or if {@code defaults} has a
   *     name or a group (those are each method's own)
   */
  Registration registerWithDefaults(Object listener, SubscribeOptions defaults);

  /** Answers requests with default options. */
  default <T> Subscription respond(String pattern, Class<T> requestType, Responder<T> responder) {
    return respond(pattern, requestType, responder, SubscribeOptions.defaults());
  }

  /**
   * Publishes a dead letter's event again, with the same id, to the subscription that dead-lettered
   * it only ({@link DeadLetter#subscription()}: in this process the subscription of that name, and
   * on a storing transport the durable subscriptions of that name, whatever their process, so the
   * members of a consumer group should share their subscription's name). Other subscriptions, which
   * had their turn at the event, do not get it again. The redriven event carries the extension
   * {@code redriveto}, naming that subscription.
   *
   * @throws IllegalArgumentException if the dead letter's event stands for a stored record that did
   *     not decode (its data is a {@link dev.herald.spi.Transport.UndecodableData}): the gateway
   *     and {@code herald dlq redrive} redrive those by reading the record again
   */
  CompletableFuture<PublishResult> redrive(DeadLetter deadLetter);

  /** A snapshot of the bus's counters. */
  BusStats stats();

  /**
   * Stops accepting publishes, delivers what is in flight within {@code timeout}, counts the rest
   * as dropped ({@link DropReason#CLOSED}), and stops every thread Herald started. Idempotent: a
   * second call returns the first call's report.
   *
   * <p>A handler of this bus may call it. Close then waits for everything but that handler's own
   * delivery, which cannot go on while the handler waits in close: the events queued behind it in
   * its mailbox (its lane, with concurrency) are not delivered, and the report counts them
   * undelivered. The handler itself runs on to its end, and its thread ends once it returns: {@link
   * CloseReport#threadsStopped()} is about every other thread.
   *
   * @param timeout how long to wait for what is in flight; zero or positive (zero: what is queued
   *     is not waited for)
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  CloseReport close(Duration timeout);

  /** Closes with a timeout of 30 seconds. */
  @Override
  default void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * Whether {@link #close(Duration)} was called: from then on publishing and subscribing are
   * refused (the bus may still be draining what was in flight). For a health check, say, of a bus
   * that other code may close.
   */
  boolean isClosed();
}
