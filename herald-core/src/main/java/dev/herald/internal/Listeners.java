package dev.herald.internal;

import dev.herald.EventHandler;
import dev.herald.PayloadHandler;
import dev.herald.Registration;
import dev.herald.Subscribe;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Registers the {@link dev.herald.Subscribe} methods of listener objects: finds and checks them,
 * builds a handler per method ({@link ListenerHandlers}), and subscribes each through the bus's
 * public subscribe methods, so a listener behaves as the same lambdas would on every transport.
 * Stateless; runs on the caller's thread.
 */
final class Listeners {
  /**
   * The most {@code @Subscribe} methods one listener may have: each is a subscription with a
   * mailbox of its own, so a class generated with thousands is refused rather than subscribed.
   */
  static final int MAX_METHODS = 1024;

  private Listeners() {}

  /** Orders methods by name, then parameter types, then the subclass's before its superclass's. */
  private static final Comparator<Found> ORDER =
      Comparator.comparing((Found f) -> f.method.getName())
          .thenComparing(f -> parameterNames(f.method))
          .thenComparingInt(f -> f.depth);

  /** A {@code @Subscribe} method found on the listener's class at {@code depth} supertypes up. */
  private record Found(Method method, Subscribe annotation, int depth) {}

  /**
   * Subscribes every {@code @Subscribe} method of {@code listener}: all of them, or none if one
   * fails (those already made are closed before the failure is rethrown).
   *
   * @param lookup the caller's lookup, or null to reach the methods from Herald's own module
   * @throws IllegalArgumentException if the listener has no such method or one is invalid, naming
   *     the method and why
   */
  static Registration register(Engine engine, Object listener, MethodHandles.Lookup lookup) {
    return register(engine, listener, lookup, SubscribeOptions.defaults());
  }

  /**
   * As {@link #register(Engine, Object, MethodHandles.Lookup)}, each subscription with {@code
   * defaults}' options but the annotation's name, group and concurrency.
   *
   * @throws IllegalArgumentException also if {@code defaults} has a name or a group
   */
  static Registration register(
      Engine engine, Object listener, MethodHandles.Lookup lookup, SubscribeOptions defaults) {
    Objects.requireNonNull(defaults, "defaults");
    if (defaults.name() != null || defaults.group() != null) {
      throw new IllegalArgumentException(
          "defaults: must have no name and no group (each @Subscribe method has its own), was "
              + defaults);
    }
    Objects.requireNonNull(listener, "listener");
    List<ListenerMethod> methods = check(listener.getClass());
    List<Subscriber> subscribers = new ArrayList<>(methods.size());
    for (ListenerMethod m : methods) {
      subscribers.add(subscriber(listener, m, lookup, m.options(defaults)));
    }
    List<Subscription> made = new ArrayList<>(subscribers.size());
    try {
      for (int i = 0; i < subscribers.size(); i++) {
        made.add(subscribe(engine, subscribers.get(i), methods.get(i)));
      }
    } catch (RuntimeException | Error e) {
      // All or nothing: a name taken on the bus, or the bus closed, after some succeeded.
      for (Subscription s : made) {
        s.close();
      }
      throw e;
    }
    return new ListenerRegistration(listener, made);
  }

  /**
   * The checked {@code @Subscribe} methods of {@code listenerClass} and its superclasses, named, in
   * {@link #ORDER}.
   *
   * @throws IllegalArgumentException if there is none, or one is invalid
   */
  static List<ListenerMethod> check(Class<?> listenerClass) {
    List<Found> found = find(listenerClass);
    if (found.isEmpty()) {
      throw new IllegalArgumentException(
          ListenerMethod.simpleName(listenerClass)
              + " has no @Subscribe method (its class and superclasses were searched)");
    }
    if (found.size() > MAX_METHODS) {
      throw new IllegalArgumentException(
          ListenerMethod.simpleName(listenerClass)
              + " has "
              + found.size()
              + " @Subscribe methods; a listener may have at most "
              + MAX_METHODS);
    }
    found.sort(ORDER);
    List<ListenerMethod> methods = new ArrayList<>(found.size());
    for (Found f : found) {
      methods.add(ListenerMethod.check(f.method, f.annotation));
    }
    settleNames(ListenerMethod.simpleName(userClass(listenerClass)), methods);
    return methods;
  }

  /**
   * The class a listener's default names are taken from: its own, or for a proxy subclass that a
   * framework generated (synthetic, or {@code $$} in its name, as Spring's CGLIB proxies have), the
   * class it extends.
   */
  static Class<?> userClass(Class<?> c) {
    Class<?> k = c;
    while ((k.isSynthetic() || k.getSimpleName().contains("$$"))
        && k.getSuperclass() != null
        && k.getSuperclass() != Object.class) {
      k = k.getSuperclass();
    }
    return k;
  }

  /**
   * The annotated methods of {@code c} and its superclasses, bridges and synthetic methods left
   * out. A method that an annotated subclass method overrides is left out too: an overriding method
   * annotated in both counts once. One that only unannotated methods override still counts, with
   * its annotation: the call dispatches to the override, as any virtual call does.
   */
  private static List<Found> find(Class<?> c) {
    List<Found> found = new ArrayList<>();
    List<Method> overriders = new ArrayList<>();
    int depth = 0;
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass(), depth++) {
      for (Method m : k.getDeclaredMethods()) {
        if (m.isBridge() || m.isSynthetic()) {
          continue;
        }
        Subscribe annotation = m.getAnnotation(Subscribe.class);
        if (annotation != null && !overriddenByAnnotated(m, overriders)) {
          found.add(new Found(m, annotation, depth));
        }
        int mod = m.getModifiers();
        if (!Modifier.isPrivate(mod) && !Modifier.isStatic(mod)) {
          overriders.add(m);
        }
      }
    }
    return found;
  }

  /** Whether an annotated one of {@code subclassMethods} overrides {@code m} (JLS 8.4.8.1). */
  private static boolean overriddenByAnnotated(Method m, List<Method> subclassMethods) {
    int mod = m.getModifiers();
    if (Modifier.isPrivate(mod) || Modifier.isStatic(mod)) {
      return false;
    }
    boolean packagePrivate = !Modifier.isPublic(mod) && !Modifier.isProtected(mod);
    for (Method s : subclassMethods) {
      if (s.isAnnotationPresent(Subscribe.class)
          && s.getName().equals(m.getName())
          && Arrays.equals(s.getParameterTypes(), m.getParameterTypes())
          && (!packagePrivate || samePackage(s.getDeclaringClass(), m.getDeclaringClass()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean samePackage(Class<?> a, Class<?> b) {
    return a.getClassLoader() == b.getClassLoader()
        && a.getPackageName().equals(b.getPackageName());
  }

  private static String parameterNames(Method m) {
    StringBuilder b = new StringBuilder();
    for (Class<?> p : m.getParameterTypes()) {
      b.append(p.getName()).append(',');
    }
    return b.toString();
  }

  /**
   * Gives each method its subscription's name: its own, or {@code Listener.method}; methods whose
   * default names clash get their parameter type added, {@code Listener.on(OrderPlaced)}, then a
   * count in their order, {@code #2}, if that still clashes.
   *
   * @throws IllegalArgumentException if two methods would name the same subscription
   */
  private static void settleNames(String listenerName, List<ListenerMethod> methods) {
    Map<String, Integer> defaults = new HashMap<>();
    for (ListenerMethod m : methods) {
      if (m.explicitName == null) {
        defaults.merge(listenerName + "." + m.method.getName(), 1, Integer::sum);
      }
    }
    Map<String, Integer> seen = new HashMap<>();
    Map<String, ListenerMethod> byName = new HashMap<>();
    for (ListenerMethod m : methods) {
      String name = m.explicitName;
      if (name == null) {
        name = listenerName + "." + m.method.getName();
        if (defaults.get(name) > 1) {
          name += "(" + ListenerMethod.typeName(m.method.getGenericParameterTypes()[0]) + ")";
          int n = seen.merge(name, 1, Integer::sum);
          name += n == 1 ? "" : "#" + n;
        }
      }
      ListenerMethod other = byName.putIfAbsent(name, m);
      if (other != null) {
        throw new IllegalArgumentException(
            "@Subscribe methods "
                + other.description
                + " and "
                + m.description
                + " both name the subscription '"
                + name
                + "': give one another @Subscribe(name = ...)");
      }
      m.name(name);
    }
  }

  /** Subscribes {@code m}'s handler; a refusal by the bus names the method. */
  private static Subscription subscribe(Engine engine, Subscriber s, ListenerMethod m) {
    try {
      return s.subscribe(engine);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "@Subscribe method " + m.description + ": " + e.getMessage(), e);
    }
  }

  /** Subscribes one method's handler. */
  @FunctionalInterface
  private interface Subscriber {
    Subscription subscribe(Engine engine);
  }

  /**
   * What subscribes {@code m}'s handler: built now, so that a method Herald may not reach fails the
   * registration before anything is subscribed.
   */
  private static Subscriber subscriber(
      Object listener, ListenerMethod m, MethodHandles.Lookup given, SubscribeOptions options) {
    try {
      MethodHandles.Lookup lookup = ListenerHandlers.lookupFor(m.method, given);
      if (m.takesEvent) {
        EventHandler<Object> handler =
            ListenerHandlers.eventHandler(listener, m.method, lookup).handler();
        return m.type == null
            ? engine -> engine.subscribeEvents(object(m.payloadClass), handler, options)
            : engine -> engine.subscribe(m.type, object(m.payloadClass), handler, options);
      }
      PayloadHandler<Object> handler =
          ListenerHandlers.payloadHandler(listener, m.method, lookup).handler();
      return m.type == null
          ? engine -> engine.subscribe(m.payloadClass, handler, options)
          : engine ->
              engine.subscribe(
                  m.type, object(m.payloadClass), e -> handler.handle(e.data()), options);
    } catch (IllegalAccessException e) {
      throw new IllegalArgumentException(
          "@Subscribe method "
              + m.description
              + ": Herald may not call it ("
              + e.getMessage()
              + "): open its package to dev.herald, or register with a Lookup from its module",
          e);
    }
  }

  /**
   * {@code c} as a {@code Class<Object>}: the handlers take {@code Object}, and the bus casts or
   * checks each payload against {@code c} before they see it.
   */
  @SuppressWarnings("unchecked")
  private static Class<Object> object(Class<?> c) {
    return (Class<Object>) c;
  }
}
