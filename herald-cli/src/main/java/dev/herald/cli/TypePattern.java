package dev.herald.cli;

/**
 * A type pattern as the bus reads it (AMQP convention: segments split by {@code .}, {@code *} is
 * exactly one segment, {@code #} zero or more), for tailing a store directly. Herald's own types
 * ({@code herald.*}) match only a pattern whose first segment is literally {@code herald}, as on
 * the bus. Immutable.
 */
final class TypePattern {
  private final String[] segments;

  private TypePattern(String[] segments) {
    this.segments = segments;
  }

  /**
   * @throws IllegalArgumentException if the pattern is empty or has an empty segment
   */
  static TypePattern parse(String pattern) {
    String[] s = pattern.split("\\.", -1);
    for (String segment : s) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("an empty segment in type pattern '" + pattern + "'");
      }
    }
    return new TypePattern(s);
  }

  boolean matches(String type) {
    String[] t = type.split("\\.", -1);
    if (t[0].equals("herald") && !segments[0].equals("herald")) {
      return false;
    }
    return matches(t, 0, 0);
  }

  private boolean matches(String[] t, int ti, int pi) {
    if (pi == segments.length) {
      return ti == t.length;
    }
    if (segments[pi].equals("#")) {
      for (int skip = ti; skip <= t.length; skip++) {
        if (matches(t, skip, pi + 1)) {
          return true;
        }
      }
      return false;
    }
    if (ti == t.length) {
      return false;
    }
    return (segments[pi].equals("*") || segments[pi].equals(t[ti])) && matches(t, ti + 1, pi + 1);
  }
}
