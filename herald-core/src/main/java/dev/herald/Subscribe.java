package dev.herald;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a listener object as a handler, for {@link EventBus#register(Object)}: each
 * annotated method becomes one subscription, as if passed to {@link EventBus#subscribe}.
 *
 * <p>The method takes exactly one parameter: a payload class ({@code void on(OrderPlaced order)}),
 * or {@link Event}{@code <T>} ({@code void on(Event<OrderPlaced> event)}) for the event's
 * attributes too. It returns {@code void} (a returned value would be silently ignored, so other
 * return types are refused), may be of any visibility and may declare checked exceptions: a
 * handler's exception is its failure, retried and dead-lettered by the subscription's {@link
 * RetryPolicy}. Static methods are refused.
 *
 * <p>Methods are found on the listener's class and its superclasses, not on its interfaces. A
 * method overridden in a subclass counts once: annotated in both, the subclass's annotation
 * applies; annotated only in the superclass, its annotation applies and each call dispatches to the
 * override, as any call of the method would. Bridge and synthetic methods are ignored.
 *
 * <p>The subscription's other options are {@link SubscribeOptions#defaults()}: a mailbox of {@value
 * SubscribeOptions#DEFAULT_MAILBOX_CAPACITY} events, {@link Backpressure#fail()}, {@link
 * RetryPolicy#none()}, the bus's executor, unless the listener is registered with {@link
 * EventBus#registerWithDefaults} (a framework's configured defaults). A handler that needs others
 * of its own is subscribed with a lambda, {@code bus.subscribe(OrderPlaced.class, shipping::on,
 * options)}.
 *
 * <pre>{@code
 * class Shipping {
 *   @Subscribe
 *   void on(OrderPlaced order) { ship(order); }
 *
 *   @Subscribe(type = "order.*", group = "audit")
 *   void audit(Event<Object> event) { log(event); }
 * }
 * Registration r = bus.register(new Shipping());
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Subscribe {
  /**
   * The event type or {@linkplain TypePattern pattern} to subscribe to. Empty (the default): events
   * whose payload is an instance of the parameter's payload class, as {@link
   * EventBus#subscribe(Class, PayloadHandler)}; a parameter of {@code Event<Object>} or a raw
   * {@code Event} then needs a type ({@code Event<?>} and {@code Event<T>} of a type variable count
   * as {@code Event<Object>}). With a type, as {@link EventBus#subscribe(String, Class,
   * EventHandler, SubscribeOptions)}: a matching event whose payload is not of the payload class
   * fails with a {@link ClassCastException} and is dead-lettered, never handed to the method.
   */
  String type() default "";

  /**
   * The consumer group, for a durable subscription on a bus with a transport ({@link
   * SubscribeOptions#group}); empty (the default) for an in-process subscription.
   */
  String group() default "";

  /**
   * The subscription's name ({@link SubscribeOptions#name}); empty (the default): the listener's
   * class's simple name, a dot and the method's name, e.g. {@code Shipping.on} (for a proxy
   * subclass a framework generated, synthetic or with {@code $$} in its name, the name of the class
   * it extends). Methods of one listener whose default names would clash (overloads) get their
   * parameter type added, {@code Shipping.on(OrderPlaced)} and {@code Shipping.on(Event<Refund>)},
   * then {@code #2} and so on in the order of {@link Registration#subscriptions()} if that still
   * clashes. A name is unique on a bus: registering a second instance of a class while the first is
   * registered fails, unless its methods are given other names.
   */
  String name() default "";

  /**
   * How many events of this subscription may be handled at once ({@link
   * SubscribeOptions#concurrency}), from 1 to {@value SubscribeOptions#MAX_CONCURRENCY}; default 1.
   */
  int concurrency() default 1;
}
