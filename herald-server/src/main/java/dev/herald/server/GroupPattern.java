package dev.herald.server;

/**
 * A pattern of consumer-group names, as a tokens file's {@code groups} grants them: 1 to {@value
 * #MAX_LENGTH} characters, each a letter, a digit, {@code .}, {@code _}, {@code -} or {@code *}.
 * {@code *} matches any run of characters, the empty one included; every other character matches
 * itself only, case-sensitively. So {@code shop-*} matches {@code shop-} and {@code shop-billing},
 * {@code billing} matches {@code billing} only, and {@code *} matches every group. Nothing else is
 * special (no {@code ?}, no classes, no escapes).
 *
 * <p>Matching takes at most length(pattern) × length(name) steps, both bounded. Immutable.
 */
final class GroupPattern {
  static final int MAX_LENGTH = 200;

  private final String pattern;

  private GroupPattern(String pattern) {
    this.pattern = pattern;
  }

  /**
   * Parses a pattern.
   *
   * @throws IllegalArgumentException if it is empty, too long or holds another character; the
   *     message starts with "pattern" and names the index of the first bad character
   */
  static GroupPattern of(String pattern) {
    if (pattern.isEmpty() || pattern.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "pattern must have 1 to " + MAX_LENGTH + " characters, has " + pattern.length());
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (!isNameChar(c) && c != '*') {
        throw new IllegalArgumentException(
            "pattern '"
                + pattern
                + "' has a character at index "
                + i
                + " that is not a letter, a digit, '.', '_', '-' or '*'");
      }
    }
    return new GroupPattern(pattern);
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  /** Whether {@code group} is a name this pattern matches; false for null. */
  boolean matches(String group) {
    if (group == null) {
      return false;
    }
    // The classic glob walk: on a mismatch, go back to the last '*' and let it take one more
    // character. Each '*' restarts at most once per character of the name.
    int p = 0;
    int g = 0;
    int star = -1;
    int starG = 0;
    while (g < group.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        starG = g;
      } else if (p < pattern.length() && pattern.charAt(p) == group.charAt(g)) {
        p++;
        g++;
      } else if (star >= 0) {
        p = star + 1;
        g = ++starG;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
