package dev.herald.internal;

import dev.herald.TypePattern;
import java.util.List;

/**
 * Which events a subscription receives: an exact type, a type pattern (AMQP convention: {@code *}
 * one segment, {@code #} zero or more), a payload class, or the events nobody else receives. Types
 * of Herald's own ({@code herald.*}) match only selectors that name them: a pattern starting with
 * the literal segment {@code herald}, or a payload class of Herald's API.
 */
abstract class Selector {
  static final String INTERNAL_PREFIX = "herald.";

  private Selector() {}

  /** Whether events of {@code type} are selected by type (false for class selectors). */
  abstract boolean matchesType(String type);

  /** Whether a payload of {@code payloadClass} is selected (false for type selectors). */
  abstract boolean matchesClass(Class<?> payloadClass, String type);

  /** Whether a whole event is selected, by type or by payload class. */
  boolean matches(dev.herald.Event<?> event) {
    Object data = event.data();
    return matchesType(event.type())
        || (data != null && matchesClass(data.getClass(), event.type()));
  }

  /**
   * Whether an event of {@code type} may be selected, before its payload is known: false means no
   * event of that type ever is, so a transport need not even decode it.
   */
  boolean mayMatchType(String type) {
    return matchesType(type);
  }

  /**
   * Whether a stored record of {@code type} that did not decode may have been for this selector: it
   * is dead-lettered for it then. As {@link #mayMatchType}, but a class of Herald's own (a {@link
   * dev.herald.DeadLetter}) comes only in Herald's own types: a subscription to dead letters is not
   * told of a user's record that failed to decode as if it had given up on it.
   */
  boolean mayTakeUndecodable(String type) {
    return mayMatchType(type);
  }

  boolean isClassSelector() {
    return false;
  }

  /** The payload class a class selector names; null for the others. */
  Class<?> payloadClass() {
    return null;
  }

  boolean isUnrouted() {
    return false;
  }

  /**
   * A value equal for two selectors that select exactly the same events (so their subscriptions may
   * share a ring); null for a selector that never shares.
   */
  abstract Object sameEventsKey();

  /** An exact type, or a pattern if {@code pattern} has a wildcard segment. */
  static Selector forPattern(String pattern) {
    TypePattern p = TypePattern.of(pattern);
    return p.isExact() ? new ExactSelector(pattern) : new PatternSelector(p);
  }

  static Selector forClass(Class<?> payloadClass) {
    return new ClassSelector(payloadClass);
  }

  static Selector unrouted() {
    return UnroutedSelector.INSTANCE;
  }

  static boolean isInternal(String type) {
    return type.startsWith(INTERNAL_PREFIX);
  }

  private static final class ExactSelector extends Selector {
    private final String type;

    ExactSelector(String type) {
      this.type = type;
    }

    @Override
    boolean matchesType(String t) {
      return type.equals(t);
    }

    @Override
    boolean matchesClass(Class<?> c, String t) {
      return false;
    }

    @Override
    Object sameEventsKey() {
      return List.of("type", type);
    }

    @Override
    public String toString() {
      return type;
    }
  }

  private static final class PatternSelector extends Selector {
    private final TypePattern pattern;

    PatternSelector(TypePattern pattern) {
      this.pattern = pattern;
    }

    @Override
    boolean matchesType(String type) {
      return pattern.matches(type);
    }

    @Override
    boolean matchesClass(Class<?> c, String t) {
      return false;
    }

    @Override
    Object sameEventsKey() {
      return List.of("pattern", pattern.pattern());
    }

    @Override
    public String toString() {
      return pattern.pattern();
    }
  }

  private static final class ClassSelector extends Selector {
    private final Class<?> payloadClass;
    private final boolean namesInternal;

    ClassSelector(Class<?> payloadClass) {
      this.payloadClass = payloadClass;
      Package p = payloadClass.getPackage();
      this.namesInternal = p != null && p.getName().equals("dev.herald");
    }

    @Override
    boolean matchesType(String type) {
      return false;
    }

    @Override
    boolean mayMatchType(String type) {
      return namesInternal || !isInternal(type);
    }

    @Override
    boolean mayTakeUndecodable(String type) {
      return namesInternal ? isInternal(type) : !isInternal(type);
    }

    @Override
    boolean matchesClass(Class<?> c, String type) {
      if (isInternal(type) && !namesInternal) {
        return false;
      }
      return payloadClass.isAssignableFrom(c);
    }

    @Override
    boolean isClassSelector() {
      return true;
    }

    @Override
    Class<?> payloadClass() {
      return payloadClass;
    }

    @Override
    Object sameEventsKey() {
      return payloadClass;
    }

    @Override
    public String toString() {
      return payloadClass.getName();
    }
  }

  private static final class UnroutedSelector extends Selector {
    static final UnroutedSelector INSTANCE = new UnroutedSelector();

    @Override
    boolean matchesType(String type) {
      return false;
    }

    @Override
    boolean matchesClass(Class<?> c, String type) {
      return false;
    }

    @Override
    boolean isUnrouted() {
      return true;
    }

    @Override
    Object sameEventsKey() {
      return null;
    }

    @Override
    public String toString() {
      return "<unrouted>";
    }
  }
}
