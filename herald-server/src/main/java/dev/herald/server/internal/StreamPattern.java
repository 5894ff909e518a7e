package dev.herald.server.internal;

import java.util.Arrays;

/**
 * A stream's {@code types}: Herald's subscription pattern syntax (see {@link dev.herald.EventBus}):
 * dot-separated segments of letters, digits, {@code _} and {@code -}; {@code *} matches exactly one
 * segment, {@code #} zero or more; types of Herald's own ({@code herald.*}) match only a pattern
 * whose first segment is {@code herald}. Immutable.
 */
final class StreamPattern {
  static final int MAX_LENGTH = 255;

  private final String pattern;
  private final String[] segments;
  private final boolean namesInternal;

  private StreamPattern(String pattern) {
    this.pattern = pattern;
    this.segments = pattern.split("\\.", -1);
    this.namesInternal = segments[0].equals("herald");
  }

  /**
   * Parses {@code pattern}.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  static StreamPattern parse(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("types: a type pattern is required, such as order.*");
    }
    if (pattern.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("types: longer than " + MAX_LENGTH + " characters");
    }
    int segmentStart = 0;
    for (int i = 0; i <= pattern.length(); i++) {
      if (i == pattern.length() || pattern.charAt(i) == '.') {
        if (i == segmentStart) {
          throw new IllegalArgumentException("types: empty segment at index " + i);
        }
        String seg = pattern.substring(segmentStart, i);
        if ((seg.contains("*") || seg.contains("#")) && seg.length() > 1) {
          throw new IllegalArgumentException("types: a wildcard must be a whole segment");
        }
        segmentStart = i + 1;
        continue;
      }
      char c = pattern.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '*'
              || c == '#';
      if (!ok) {
        throw new IllegalArgumentException(
            "types: character '" + c + "' at index " + i + " is not allowed");
      }
    }
    return new StreamPattern(pattern);
  }

  boolean matches(String type) {
    if (type == null) {
      return false;
    }
    if (type.startsWith("herald.") && !namesInternal) {
      return false;
    }
    return match(0, type.split("\\.", -1), 0);
  }

  private boolean match(int p, String[] t, int i) {
    while (p < segments.length) {
      String s = segments[p];
      if (s.equals("#")) {
        if (p == segments.length - 1) {
          return true;
        }
        for (int k = i; k <= t.length; k++) {
          if (match(p + 1, t, k)) {
            return true;
          }
        }
        return false;
      }
      if (i >= t.length || !(s.equals("*") || s.equals(t[i]))) {
        return false;
      }
      p++;
      i++;
    }
    return i == t.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StreamPattern other && Arrays.equals(segments, other.segments);
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
