package dev.herald;

import dev.herald.internal.Names;

/**
 * A type pattern, as subscriptions take it ({@link EventBus#subscribe(String, EventHandler)}):
 * dot-separated segments of letters, digits, {@code _} and {@code -}, where a whole segment {@code
 * *} matches exactly one segment and {@code #} zero or more (the AMQP convention); a pattern
 * without wildcards is an exact type. Types of Herald's own ({@code herald.*}, such as {@link
 * DeadLetter#TYPE}) match only a pattern whose first segment is the literal {@code herald}, so
 * {@code #} does not take them.
 *
 * <p>For tools that select or authorize events the way the bus routes them (the HTTP gateway's
 * streams and tokens, the CLI's tail). Matching costs time linear in the product of the pattern's
 * and the type's segment counts, whatever the number of {@code #}. Immutable and safe for use from
 * any thread.
 */
public final class TypePattern {
  private static final String INTERNAL = "herald";

  private final String pattern;
  private final String[] segments;
  private final boolean exact;

  private TypePattern(String pattern) {
    this.pattern = pattern;
    this.segments = pattern.split("\\.", -1);
    boolean wild = false;
    for (String s : segments) {
      wild |= s.equals("*") || s.equals("#");
    }
    this.exact = !wild;
  }

  /**
   * Parses a pattern.
   *
   * @throws IllegalArgumentException if it is not one, with a message that starts {@code "pattern:
   *     "} and says what is wrong
   */
  public static TypePattern of(String pattern) {
    return new TypePattern(Names.requirePattern(pattern));
  }

  /** The pattern as written. */
  public String pattern() {
    return pattern;
  }

  /** Whether the pattern has no wildcard: it matches one type, itself. */
  public boolean isExact() {
    return exact;
  }

  /** Whether an event of {@code type} matches; false for a string that is not a valid type. */
  public boolean matches(String type) {
    if (type == null || type.isEmpty() || type.indexOf('*') >= 0 || type.indexOf('#') >= 0) {
      return false;
    }
    if (exact) {
      return pattern.equals(type);
    }
    if (type.startsWith(INTERNAL + ".") && !namesInternal()) {
      return false;
    }
    return covers(type.split("\\.", -1));
  }

  /**
   * Whether every type that {@code other} matches is matched by this pattern too. Conservative: a
   * true answer is always right; a false one may refuse a pattern that is in fact covered (for
   * example {@code #} under {@code *.#}, which differ only on a type of no segment, and none
   * exists).
   */
  public boolean covers(TypePattern other) {
    if (other.namesInternal() && !namesInternal()) {
      return false;
    }
    return covers(other.segments);
  }

  private boolean namesInternal() {
    return segments[0].equals(INTERNAL);
  }

  /**
   * The dynamic programme over both segment lists: {@code ok[i][j]} says that this pattern's
   * segments from {@code i} cover the other's from {@code j}. A literal segment of the other side
   * is a type's segment; its {@code *} is one unknown segment, which only {@code *} or {@code #}
   * covers; its {@code #} is any number of unknown segments, which only {@code #} covers.
   * Quadratic, where a plain recursion would be exponential in the number of {@code #}.
   */
  private boolean covers(String[] other) {
    int n = segments.length;
    int m = other.length;
    boolean[] next = new boolean[m + 1]; // ok[i + 1][*]
    boolean[] row = new boolean[m + 1]; // ok[i][*]
    next[m] = true; // ok[n][j] = j == m
    for (int i = n - 1; i >= 0; i--) {
      String s = segments[i];
      for (int j = m; j >= 0; j--) {
        if (s.equals("#")) {
          // Either this # stands for nothing more, or it takes the other side's next segment
          // (whatever that is, even a #) and stays.
          row[j] = next[j] || (j < m && row[j + 1]);
        } else if (j == m) {
          row[j] = false;
        } else {
          String o = other[j];
          boolean one = s.equals("*") ? !o.equals("#") : s.equals(o);
          row[j] = one && next[j + 1];
        }
      }
      boolean[] t = next;
      next = row;
      row = t;
    }
    return next[0];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TypePattern p && p.pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
