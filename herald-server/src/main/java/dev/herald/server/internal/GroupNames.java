package dev.herald.server.internal;

/**
 * The one rule for a consumer-group name that a client gives the gateway, for a webhook's {@code
 * group} and a stream's {@code group=} alike, so that a group one of them makes the other can join:
 * 1 to {@value #MAX_LENGTH} characters, each a letter, a digit, {@code .}, {@code _} or {@code -}
 * (a tokens file's {@code groups} patterns take the same characters and {@code *}). The stores take
 * any such name as it is: a Kafka group id is any string, and the log keeps a group's name inside
 * its offsets file, never as a file name. Stateless.
 */
final class GroupNames {
  static final int MAX_LENGTH = 200;

  /** The rule, as a problem's detail says it. */
  static final String RULE = "group: must be 1 to " + MAX_LENGTH + " characters of [A-Za-z0-9._-]";

  private GroupNames() {}

  /** Whether {@code name} is a valid group name; false for null. */
  static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code name}, checked.
   *
   * @throws ApiError 400 naming {@code group} when it breaks the rule
   */
  static String require(String name) {
    if (!isValid(name)) {
      throw ApiError.badRequest("group", RULE);
    }
    return name;
  }
}
