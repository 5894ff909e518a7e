package dev.herald.internal;

import dev.herald.Event;
import dev.herald.EventHandler;
import dev.herald.PayloadHandler;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaConversionException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the handler that calls one {@link dev.herald.Subscribe} method on its listener, once, at
 * register time, so that no delivery goes through reflection.
 *
 * <p>Where the lookup may define classes in the method's class (full privilege access: on the class
 * path, or a lookup the listener's own module handed in), {@link LambdaMetafactory} generates a
 * class implementing the handler interface bound to the listener: a call costs what a lambda's
 * does. Otherwise (a named module that merely opens its package to Herald) the handler holds a
 * bound {@link MethodHandle} and calls it with {@code invokeExact}.
 */
final class ListenerHandlers {
  private static final MethodType PAYLOAD_SAM = MethodType.methodType(void.class, Object.class);
  private static final MethodType EVENT_SAM = MethodType.methodType(void.class, Event.class);

  /**
   * The factories of generated handlers, by declaring class, then method: {@code (listener) ->
   * handler}. A generated class lives as long as its class loader, so each method gets one, shared
   * by every instance registered, however many. Bounded by the methods of the classes registered;
   * kept on the class itself, so it does not hold a class loader that could otherwise go.
   */
  private static final ClassValue<Map<Method, MethodHandle>> FACTORIES =
      new ClassValue<>() {
        @Override
        protected Map<Method, MethodHandle> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  private ListenerHandlers() {}

  /** How a handler calls its method: a generated class, or a bound method handle. */
  enum Dispatch {
    GENERATED,
    METHOD_HANDLE
  }

  /** A handler and how it dispatches. */
  record Built<H>(H handler, Dispatch dispatch) {}

  /**
   * A handler taking the payload, for a method whose parameter is the payload.
   *
   * @param lookup the lookup to reach the method through, from {@link #lookupFor}
   */
  @SuppressWarnings("unchecked")
  static Built<PayloadHandler<Object>> payloadHandler(
      Object listener, Method method, MethodHandles.Lookup lookup) throws IllegalAccessException {
    MethodHandle target = lookup.unreflect(method);
    Object generated =
        generate(PayloadHandler.class, PAYLOAD_SAM, listener, method, target, lookup);
    if (generated != null) {
      return new Built<>((PayloadHandler<Object>) generated, Dispatch.GENERATED);
    }
    return new Built<>(
        new BoundPayloadHandler(target.bindTo(listener).asType(PAYLOAD_SAM)),
        Dispatch.METHOD_HANDLE);
  }

  /** A handler taking the whole event, for a method whose parameter is an {@code Event<T>}. */
  @SuppressWarnings("unchecked")
  static Built<EventHandler<Object>> eventHandler(
      Object listener, Method method, MethodHandles.Lookup lookup) throws IllegalAccessException {
    MethodHandle target = lookup.unreflect(method);
    Object generated = generate(EventHandler.class, EVENT_SAM, listener, method, target, lookup);
    if (generated != null) {
      return new Built<>((EventHandler<Object>) generated, Dispatch.GENERATED);
    }
    return new Built<>(
        new BoundEventHandler(target.bindTo(listener).asType(EVENT_SAM)), Dispatch.METHOD_HANDLE);
  }

  /**
   * The lookup to reach {@code method} through: one on its declaring class with private access,
   * from Herald's own lookup (every package of the class path is open) or the caller's; the
   * caller's as it is if it cannot give that (it may still reach a public method).
   *
   * @param given the caller's lookup, or null
   * @throws IllegalAccessException if Herald may not reach into the method's class
   */
  static MethodHandles.Lookup lookupFor(Method method, MethodHandles.Lookup given)
      throws IllegalAccessException {
    Class<?> declaring = method.getDeclaringClass();
    if (given != null && given.lookupClass() == declaring && given.hasFullPrivilegeAccess()) {
      return given;
    }
    MethodHandles.Lookup base = given != null ? given : MethodHandles.lookup();
    // privateLookupIn requires the caller's module to read the target's; a module may add a read
    // edge for itself. Nothing changes on the class path, where every module reads all.
    ListenerHandlers.class.getModule().addReads(declaring.getModule());
    try {
      return MethodHandles.privateLookupIn(declaring, base);
    } catch (IllegalAccessException e) {
      if (given == null) {
        throw e;
      }
      return given;
    }
  }

  /**
   * An instance of a class generated to implement {@code handlerInterface} by calling {@code
   * target} on {@code listener}, or null if {@code lookup} cannot define one.
   */
  private static Object generate(
      Class<?> handlerInterface,
      MethodType sam,
      Object listener,
      Method method,
      MethodHandle target,
      MethodHandles.Lookup lookup) {
    Class<?> declaring = method.getDeclaringClass();
    if (!lookup.hasFullPrivilegeAccess() || lookup.lookupClass() != declaring) {
      return null;
    }
    try {
      Map<Method, MethodHandle> factories = FACTORIES.get(declaring);
      MethodHandle factory = factories.get(method);
      if (factory == null) {
        CallSite site =
            LambdaMetafactory.metafactory(
                lookup,
                "handle",
                MethodType.methodType(handlerInterface, declaring),
                sam,
                target,
                MethodType.methodType(void.class, method.getParameterTypes()[0]));
        // Two threads registering at once may both generate one; the first kept serves after.
        MethodHandle raced = factories.putIfAbsent(method, site.getTarget());
        factory = raced != null ? raced : site.getTarget();
      }
      Object handler = factory.invoke(listener);
      return handlerInterface.isInstance(handler) ? handler : null;
    } catch (LambdaConversionException | LinkageError e) {
      // The method's class loader cannot link a class implementing Herald's interface (it sees
      // another copy of Herald, say): the method handle serves instead, just slower.
      return null;
    } catch (Throwable t) {
      // Creating a handler instance runs no user code; anything else is a bug in this class.
      throw new IllegalStateException("generating a handler for " + method + " failed", t);
    }
  }

  /** Calls a bound method handle of type {@code (Object)void} with the payload. */
  private static final class BoundPayloadHandler implements PayloadHandler<Object> {
    private final MethodHandle target;

    BoundPayloadHandler(MethodHandle target) {
      this.target = target;
    }

    @Override
    public void handle(Object payload) throws Exception {
      try {
        target.invokeExact(payload);
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new UndeclaredThrowableException(t);
      }
    }
  }

  /** Calls a bound method handle of type {@code (Event)void} with the event. */
  private static final class BoundEventHandler implements EventHandler<Object> {
    private final MethodHandle target;

    BoundEventHandler(MethodHandle target) {
      this.target = target;
    }

    @Override
    public void handle(Event<Object> event) throws Exception {
      try {
        target.invokeExact((Event<?>) event);
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new UndeclaredThrowableException(t);
      }
    }
  }
}
