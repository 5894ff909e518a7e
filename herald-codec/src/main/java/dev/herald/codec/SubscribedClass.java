package dev.herald.codec;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The payload class that a subscription names (a subscription by payload class), as a storing
 * transport's feed decodes records for it: a record whose stored class (its type hint, header
 * {@code herald_class}) is that class, or, for a sealed class or interface, one of its permitted
 * subclasses at any depth, decodes into that class through {@link PayloadCodec#decodeAs}, whether
 * or not the codec's allow-list names it: the subscription's own code chose it. Records naming any
 * other class decode as the codec decides. Only the classes found here from the subscription's
 * class are used; no class is ever loaded by the name a record carries.
 *
 * <p>Immutable and safe for use from any thread.
 */
public final class SubscribedClass {
  /**
   * For a subscription that names no class (by type or pattern): every record decodes as the codec
   * decides.
   */
  public static final SubscribedClass NONE = new SubscribedClass(Map.of());

  private final Map<String, Class<?>> byName;

  private SubscribedClass(Map<String, Class<?>> byName) {
    this.byName = byName;
  }

  /** The classes named by a subscription to {@code payloadClass}; {@link #NONE} for null. */
  public static SubscribedClass of(Class<?> payloadClass) {
    if (payloadClass == null) {
      return NONE;
    }
    Map<String, Class<?>> byName = new HashMap<>();
    ArrayDeque<Class<?>> todo = new ArrayDeque<>();
    todo.add(payloadClass);
    while (!todo.isEmpty()) {
      Class<?> c = todo.poll();
      if (byName.putIfAbsent(c.getName(), c) == null && c.isSealed()) {
        for (Class<?> permitted : c.getPermittedSubclasses()) {
          todo.add(permitted);
        }
      }
    }
    return new SubscribedClass(Map.copyOf(byName));
  }

  /** Whether this names no class. */
  public boolean isNone() {
    return byName.isEmpty();
  }

  /** The named class whose name is {@code typeHint}, or null when none is (or the hint is null). */
  public Class<?> forHint(String typeHint) {
    return typeHint == null ? null : byName.get(typeHint);
  }

  @Override
  public String toString() {
    return byName.isEmpty() ? "SubscribedClass[none]" : "SubscribedClass" + byName.keySet();
  }
}
