package dev.herald.internal;

import dev.herald.Event;
import dev.herald.Subscribe;
import dev.herald.SubscribeOptions;
import dev.herald.TypePattern;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;

/**
 * One {@link Subscribe} method of a listener, checked: what it subscribes to and how. Immutable
 * once its {@linkplain #name(String) name} is settled; built and used by one thread, in {@link
 * Listeners#register}.
 */
final class ListenerMethod {
  final Method method;

  /** How messages name the method: {@code Shipping.on(OrderPlaced)}. */
  final String description;

  /** The payload class it selects or expects; never primitive. */
  final Class<?> payloadClass;

  /** True if the parameter is an {@code Event<T>}, false if it is the payload itself. */
  final boolean takesEvent;

  /** The type or pattern to subscribe to, or null to select by {@link #payloadClass}. */
  final String type;

  /** The name the annotation gives, or null for a default one. */
  final String explicitName;

  /** The options; their name is null until {@link Listeners} settles the names of all methods. */
  private SubscribeOptions options;

  private ListenerMethod(
      Method method,
      String description,
      Class<?> payloadClass,
      boolean takesEvent,
      String type,
      String explicitName,
      SubscribeOptions options) {
    this.method = method;
    this.description = description;
    this.payloadClass = payloadClass;
    this.takesEvent = takesEvent;
    this.type = type;
    this.explicitName = explicitName;
    this.options = options;
  }

  /**
   * Checks {@code method}, annotated with {@code annotation}.
   *
   * @throws IllegalArgumentException naming the method and what is wrong with it
   */
  static ListenerMethod check(Method method, Subscribe annotation) {
    String description = describe(method);
    String problem = signatureProblem(method, annotation);
    if (problem != null) {
      throw invalid(description, problem);
    }
    Type parameter = method.getGenericParameterTypes()[0];
    boolean takesEvent = method.getParameterTypes()[0] == Event.class;
    Class<?> payloadClass =
        takesEvent ? eventPayloadClass(parameter) : method.getParameterTypes()[0];
    String type = annotation.type().isEmpty() ? null : annotation.type();
    if (type == null && takesEvent && payloadClass == Object.class) {
      throw invalid(
          description,
          "takes "
              + typeName(parameter)
              + " and names no type: give @Subscribe(type = ...), or take an Event of a payload"
              + " class to select by it");
    }
    String explicitName = annotation.name().isEmpty() ? null : annotation.name();
    SubscribeOptions options;
    try {
      if (type != null) {
        TypePattern.of(type);
      }
      options = SubscribeOptions.defaults();
      if (explicitName != null) {
        options = options.name(explicitName);
      }
      if (!annotation.group().isEmpty()) {
        options = options.group(annotation.group());
      }
      options = options.concurrency(annotation.concurrency());
    } catch (IllegalArgumentException e) {
      throw invalid(description, e.getMessage());
    }
    if (Requests.REPLIES.equals(explicitName)) {
      throw invalid(
          description,
          "name: '" + Requests.REPLIES + "' is reserved for the bus's own subscription to replies");
    }
    return new ListenerMethod(
        method, description, payloadClass, takesEvent, type, explicitName, options);
  }

  /** What makes the method's declaration unfit for a handler, or null if nothing. */
  private static String signatureProblem(Method method, Subscribe annotation) {
    if (Modifier.isStatic(method.getModifiers())) {
      return "is static; annotate an instance method (the handler is bound to the listener)";
    }
    if (method.getParameterCount() != 1) {
      return "takes "
          + method.getParameterCount()
          + " parameters; a handler takes exactly one: a payload or an Event<T>";
    }
    if (method.getReturnType() != void.class) {
      return "returns "
          + method.getReturnType().getSimpleName()
          + "; a handler returns void (a returned value would be lost)";
    }
    Class<?> parameter = method.getParameterTypes()[0];
    if (parameter.isPrimitive()) {
      return "takes a primitive "
          + parameter.getName()
          + " and payloads are objects: take its wrapper class";
    }
    if (parameter == Void.class) {
      return "takes a Void, which has no instance, so no payload is one";
    }
    return null;
  }

  /**
   * The payload class of an {@code Event<T>} parameter: T's class, the raw class of a parameterized
   * T, and {@code Object} for a raw {@code Event}, a wildcard or a type variable.
   */
  private static Class<?> eventPayloadClass(Type parameter) {
    if (parameter instanceof ParameterizedType p) {
      Type argument = p.getActualTypeArguments()[0];
      if (argument instanceof Class<?> c) {
        return c;
      }
      if (argument instanceof ParameterizedType pa && pa.getRawType() instanceof Class<?> raw) {
        return raw;
      }
    }
    return Object.class;
  }

  private static IllegalArgumentException invalid(String description, String problem) {
    return new IllegalArgumentException("@Subscribe method " + description + ": " + problem);
  }

  /** {@code Shipping.on(OrderPlaced)}: the declaring class and the parameter types, simply. */
  static String describe(Method method) {
    StringBuilder b =
        new StringBuilder(simpleName(method.getDeclaringClass()))
            .append('.')
            .append(method.getName())
            .append('(');
    Type[] parameters = method.getGenericParameterTypes();
    for (int i = 0; i < parameters.length; i++) {
      b.append(i == 0 ? "" : ", ").append(typeName(parameters[i]));
    }
    return b.append(')').toString();
  }

  /** A type as its source would spell it without packages: {@code Event<OrderPlaced>}. */
  static String typeName(Type type) {
    if (type instanceof Class<?> c) {
      return c.isArray() ? typeName(c.getComponentType()) + "[]" : simpleName(c);
    }
    if (type instanceof ParameterizedType p) {
      StringBuilder b = new StringBuilder(typeName(p.getRawType())).append('<');
      Type[] arguments = p.getActualTypeArguments();
      for (int i = 0; i < arguments.length; i++) {
        b.append(i == 0 ? "" : ", ").append(typeName(arguments[i]));
      }
      return b.append('>').toString();
    }
    if (type instanceof GenericArrayType a) {
      return typeName(a.getGenericComponentType()) + "[]";
    }
    if (type instanceof TypeVariable<?> v) {
      return v.getName();
    }
    if (type instanceof WildcardType w) {
      Type[] lower = w.getLowerBounds();
      Type[] upper = w.getUpperBounds();
      if (lower.length > 0) {
        return "? super " + typeName(lower[0]);
      }
      return upper.length == 0 || upper[0] == Object.class
          ? "?"
          : "? extends " + typeName(upper[0]);
    }
    return type.getTypeName();
  }

  /**
   * A class's simple name; for an anonymous class, its binary name without the package ({@code
   * ShopTest$1}), since its simple name is empty.
   */
  static String simpleName(Class<?> c) {
    String simple = c.getSimpleName();
    if (!simple.isEmpty()) {
      return simple;
    }
    String name = c.getName();
    return name.substring(name.lastIndexOf('.') + 1);
  }

  /**
   * Settles the subscription's name.
   *
   * @throws IllegalArgumentException if a default name is not one a subscription may have
   */
  void name(String name) {
    if (explicitName == null) {
      try {
        options = options.name(name);
      } catch (IllegalArgumentException e) {
        throw invalid(
            description,
            "its default name '"
                + name
                + "' is unfit ("
                + e.getMessage()
                + "): give @Subscribe(name = ...)");
      }
    }
  }

  /** The subscription's name, once settled. */
  String name() {
    return options.name();
  }

  /** The options to subscribe with, the name included once settled. */
  SubscribeOptions options() {
    return options;
  }

  /**
   * The options to subscribe with over {@code defaults} (which have no name and no group): theirs,
   * with this method's name, group and concurrency.
   */
  SubscribeOptions options(SubscribeOptions defaults) {
    if (defaults == SubscribeOptions.defaults()) {
      return options;
    }
    SubscribeOptions o = defaults.name(options.name()).concurrency(options.concurrency());
    return options.group() == null ? o : o.group(options.group());
  }
}
