package dev.herald.server;

/**
 * A type pattern of a token's grant: dot-separated segments where {@code *} is exactly one segment
 * and {@code #} zero or more (the AMQP convention of Herald's subscriptions). The syntax and the
 * matching rule are copied from herald-core's {@code Names.requirePattern} and {@code Selector},
 * which core does not export; in particular a pattern matches a type of Herald's own ({@code
 * herald.*}) only when its first segment is the literal {@code herald}, so {@code #} grants no
 * internal type. Immutable.
 */
final class TokenPattern {
  static final int MAX_LENGTH = 255;
  private static final String INTERNAL = "herald";

  private final String text;
  private final String[] segments;

  private TokenPattern(String text) {
    this.text = text;
    this.segments = text.split("\\.", -1);
  }

  /**
   * Parses a pattern (an exact type is a pattern without wildcards).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static TokenPattern parse(String text) {
    String problem = problem(text, true);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new TokenPattern(text);
  }

  /** Why {@code s} is not a valid type ({@code wildcards} false) or pattern, or null if it is. */
  static String problem(String s, boolean wildcards) {
    String what = wildcards ? "pattern" : "type";
    if (s == null || s.isEmpty()) {
      return what + " must not be empty";
    }
    if (s.length() > MAX_LENGTH) {
      return what + " is longer than " + MAX_LENGTH + " characters";
    }
    int segmentStart = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == '.') {
        if (i == segmentStart) {
          return what + " '" + s + "' has an empty segment at index " + i;
        }
        String seg = s.substring(segmentStart, i);
        if (seg.length() > 1 && (seg.contains("*") || seg.contains("#"))) {
          return what + " '" + s + "': a wildcard must be a whole segment";
        }
        segmentStart = i + 1;
        continue;
      }
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || (wildcards && (c == '*' || c == '#'));
      if (!ok) {
        return what + " '" + s + "': character at index " + i + " is not allowed";
      }
    }
    return null;
  }

  /** Whether this pattern selects events of {@code type}; false for anything not a valid type. */
  boolean matches(String type) {
    if (problem(type, false) != null) {
      return false;
    }
    String[] t = type.split("\\.", -1);
    if (t[0].equals(INTERNAL) && t.length > 1 && !namesInternal()) {
      return false;
    }
    return covers(t);
  }

  /**
   * Whether every type that {@code requested} selects is selected by this pattern. Conservative: a
   * true answer is always right; a false one may refuse a pattern that is in fact covered (for
   * example {@code #} requested under {@code *.#}, which differ only on types with no segment).
   */
  boolean covers(TokenPattern requested) {
    if (requested.namesInternal() && !namesInternal()) {
      return false;
    }
    return covers(requested.segments);
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
    boolean[][] ok = new boolean[n + 1][m + 1];
    ok[n][m] = true;
    for (int i = n; i >= 0; i--) {
      for (int j = m; j >= 0; j--) {
        if (i == n) {
          ok[i][j] = j == m;
          continue;
        }
        String s = segments[i];
        if (s.equals("#")) {
          // Either this # stands for nothing more, or it takes the other side's next segment
          // (whatever that is, even a #) and stays.
          ok[i][j] = ok[i + 1][j] || (j < m && ok[i][j + 1]);
        } else if (j == m) {
          ok[i][j] = false;
        } else {
          String o = other[j];
          boolean one = s.equals("*") ? !o.equals("#") : s.equals(o);
          ok[i][j] = one && ok[i + 1][j + 1];
        }
      }
    }
    return ok[0][0];
  }

  @Override
  public String toString() {
    return text;
  }
}
