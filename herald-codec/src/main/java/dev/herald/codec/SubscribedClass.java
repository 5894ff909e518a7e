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
 * <p>A record that names no class at all (no type hint: a producer outside Java wrote it, such as a
 * CloudEvent published over HTTP) with JSON data decodes into the subscription's class too when the
 * subscription takes such records ({@link #of(Class, boolean)}: one by type or pattern with a
 * payload type, whose pattern chose the events).
 *
 * <p>Immutable and safe for use from any thread.
 */
public final class SubscribedClass {
  /**
   * For a subscription that names no class (by type or pattern): every record decodes as the codec
   * decides.
   */
  public static final SubscribedClass NONE = new SubscribedClass(Map.of(), null);

  private final Map<String, Class<?>> byName;
  private final Class<?> unnamed;

  private SubscribedClass(Map<String, Class<?>> byName, Class<?> unnamed) {
    this.byName = byName;
    this.unnamed = unnamed;
  }

  /**
   * The classes named by a subscription to {@code payloadClass}, which leaves records that name no
   * class to the codec; {@link #NONE} for null.
   */
  public static SubscribedClass of(Class<?> payloadClass) {
    return of(payloadClass, false);
  }

  /**
   * The classes named by a subscription to {@code payloadClass}; {@link #NONE} for null.
   *
   * @param unnamedToo whether records that name no class and carry JSON data decode into {@code
   *     payloadClass} as well ({@code Transport.FeedSink#takesUnnamedPayloads})
   */
  public static SubscribedClass of(Class<?> payloadClass, boolean unnamedToo) {
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
    return new SubscribedClass(Map.copyOf(byName), unnamedToo ? payloadClass : null);
  }

  /** Whether this names no class. */
  public boolean isNone() {
    return byName.isEmpty();
  }

  /**
   * The named class whose name is {@code typeHint}, or null when none is; for a null hint (a record
   * that names no class), the subscription's class when it takes such records, else null.
   */
  public Class<?> forHint(String typeHint) {
    return typeHint == null ? unnamed : byName.get(typeHint);
  }

  @Override
  public String toString() {
    return byName.isEmpty()
        ? "SubscribedClass[none]"
        : "SubscribedClass" + byName.keySet() + (unnamed == null ? "" : ", unnamed too");
  }
}
