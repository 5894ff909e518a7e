package dev.herald.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Validation of event attributes and subscription patterns. Every failure names the attribute. */
public final class Names {
  private static final Set<String> RESERVED =
      Set.of(
          "id",
          "source",
          "specversion",
          "type",
          "datacontenttype",
          "dataschema",
          "subject",
          "time",
          "data",
          "data_base64");

  // Types recur: a program publishes a handful of them millions of times. Remembering the ones
  // already checked takes validation off the publish path. Bounded, so odd input cannot grow it.
  private static final int MAX_REMEMBERED_TYPES = 4096;
  private static final ConcurrentHashMap<String, Boolean> VALID_TYPES = new ConcurrentHashMap<>();
  // In front of VALID_TYPES: the type instances checked last, by identity, one per slot of their
  // hash. A program publishes constant strings, so an emit finds its type with one array load and
  // no map lookup (which took 8% of a single publisher's samples in an emit). Racy: a String is
  // immutable, so any instance read is a checked one; a lost write only costs a map lookup.
  private static final String[] LAST_CHECKED = new String[256];
  // Sources recur as types do, and parsing a URI costs more than checking a type.
  private static final int MAX_REMEMBERED_SOURCES = 1024;
  private static final ConcurrentHashMap<String, Boolean> VALID_SOURCES = new ConcurrentHashMap<>();
  // Media types recur as sources do.
  private static final int MAX_REMEMBERED_MEDIA_TYPES = 256;
  private static final ConcurrentHashMap<String, Boolean> VALID_MEDIA_TYPES =
      new ConcurrentHashMap<>();
  // RFC 2045: the characters a token may not hold, besides space and controls.
  private static final String TSPECIALS = "()<>@,;:\\\"/[]?=";
  private static final Instant FIRST_TIME = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant LAST_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");
  private static final Map<Class<?>, String> WRAPPERS =
      Map.of(
          boolean.class, "Boolean",
          byte.class, "Byte",
          char.class, "Character",
          short.class, "Short",
          int.class, "Integer",
          long.class, "Long",
          float.class, "Float",
          double.class, "Double");

  private Names() {}

  /** A type: dot-separated segments of {@code [A-Za-z0-9_-]}, no wildcard. */
  public static String requireType(String type) {
    if (type != null) {
      int slot = type.hashCode() & (LAST_CHECKED.length - 1);
      if (LAST_CHECKED[slot] == type) {
        return type;
      }
      if (VALID_TYPES.containsKey(type)) {
        LAST_CHECKED[slot] = type;
        return type;
      }
    }
    checkType(type);
    if (VALID_TYPES.size() < MAX_REMEMBERED_TYPES) {
      VALID_TYPES.put(type, Boolean.TRUE);
    }
    return type;
  }

  private static void checkType(String type) {
    if (type == null) {
      throw new IllegalArgumentException("type: must not be null");
    }
    if (type.isBlank()) {
      throw new IllegalArgumentException("type: must not be blank");
    }
    if (type.length() > 255) {
      throw new IllegalArgumentException("type: longer than 255 characters");
    }
    checkSegments("type", type, false);
  }

  /**
   * A subscription pattern: segments as in a type, where {@code *} stands for exactly one segment
   * and {@code #} for zero or more segments (the AMQP topic convention).
   */
  public static String requirePattern(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("pattern: must not be null or blank");
    }
    if (pattern.length() > 255) {
      throw new IllegalArgumentException("pattern: longer than 255 characters");
    }
    checkSegments("pattern", pattern, true);
    return pattern;
  }

  private static void checkSegments(String what, String s, boolean wildcards) {
    int segmentStart = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == '.') {
        if (i == segmentStart) {
          throw new IllegalArgumentException(
              what + ": empty segment at index " + i + " in '" + s + "'");
        }
        if (wildcards) {
          String seg = s.substring(segmentStart, i);
          if ((seg.contains("*") || seg.contains("#")) && seg.length() > 1) {
            throw new IllegalArgumentException(
                what + ": a wildcard must be a whole segment in '" + s + "'");
          }
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
        throw new IllegalArgumentException(
            what + ": character '" + c + "' at index " + i + " is not allowed in '" + s + "'");
      }
    }
  }

  /** An id: 1 to 128 printable ASCII characters, no spaces. */
  public static String requireId(String id) {
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id: must not be empty");
    }
    if (id.length() > 128) {
      throw new IllegalArgumentException("id: longer than 128 characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException(
            "id: character at index " + i + " is not printable ASCII without spaces");
      }
    }
    return id;
  }

  /**
   * A source: a non-blank URI-reference (an absolute URI or a relative reference, as {@link
   * java.net.URI} parses them) of at most 2048 characters.
   */
  public static String requireSource(String source) {
    if (source != null && VALID_SOURCES.containsKey(source)) {
      return source;
    }
    if (source.isBlank()) {
      throw new IllegalArgumentException("source: must not be blank");
    }
    requireText("source", source, 2048);
    try {
      new URI(source);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "source: '"
              + source
              + "' is not a URI-reference: "
              + e.getReason()
              + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""),
          e);
    }
    if (VALID_SOURCES.size() < MAX_REMEMBERED_SOURCES) {
      VALID_SOURCES.put(source, Boolean.TRUE);
    }
    return source;
  }

  /**
   * A time that RFC 3339 (the CloudEvents {@code time} format) can write: within the years 0000 to
   * 9999, UTC.
   *
   * @return its milliseconds since the epoch
   */
  public static long requireTime(Instant time) {
    if (time.isBefore(FIRST_TIME) || time.isAfter(LAST_TIME)) {
      throw new IllegalArgumentException(
          "time: " + time + " is outside the years 0000 to 9999 that RFC 3339 can write");
    }
    return time.toEpochMilli();
  }

  /**
   * A payload class a subscription may select: one whose instances can be payloads. Payloads are
   * objects, so a primitive type never matches (its wrapper does), and {@code void} or {@link Void}
   * has no instance.
   */
  public static <T> Class<T> requirePayloadType(Class<T> payloadType) {
    if (payloadType == void.class || payloadType == Void.class) {
      throw new IllegalArgumentException(
          "payloadType: " + payloadType.getName() + " has no instance, so no payload is one");
    }
    if (payloadType.isPrimitive()) {
      String wrapper = WRAPPERS.get(payloadType);
      throw new IllegalArgumentException(
          "payloadType: "
              + payloadType.getName()
              + " is a primitive type and payloads are objects: subscribe to "
              + wrapper
              + ".class");
    }
    return payloadType;
  }

  /**
   * A {@code datacontenttype}: a media type as RFC 2045 and RFC 2046 write one, {@code
   * type/subtype} followed by any number of {@code ;name=value} parameters, where type, subtype and
   * parameter names are tokens and a value is a token or a quoted string; spaces may surround
   * {@code ;} and {@code =}. A {@code charset} parameter must name a charset this JVM supports, so
   * that text data can be encoded and decoded by it. At most {@code maxLength} characters.
   */
  public static String requireMediaType(String what, String value, int maxLength) {
    if (value != null && VALID_MEDIA_TYPES.containsKey(value)) {
      return value;
    }
    requireText(what, value, maxLength);
    int i = token(value, 0);
    if (i == 0 || i == value.length() || value.charAt(i) != '/') {
      throw notMediaType(what, value, "it must start with type/subtype");
    }
    int subtype = i + 1;
    i = token(value, subtype);
    if (i == subtype) {
      throw notMediaType(what, value, "the subtype after '/' is missing");
    }
    while (true) {
      int next = spaces(value, i);
      if (next == value.length()) {
        if (next != i) {
          throw notMediaType(what, value, "it ends with spaces");
        }
        break;
      }
      if (value.charAt(next) != ';') {
        throw notMediaType(what, value, "unexpected character at index " + next);
      }
      int name = spaces(value, next + 1);
      i = token(value, name);
      if (i == name) {
        throw notMediaType(what, value, "a parameter name is missing at index " + name);
      }
      String parameter = value.substring(name, i);
      i = spaces(value, i);
      if (i == value.length() || value.charAt(i) != '=') {
        throw notMediaType(what, value, "parameter '" + parameter + "' has no '=value'");
      }
      int start = spaces(value, i + 1);
      String parameterValue;
      if (start < value.length() && value.charAt(start) == '"') {
        i = quoted(value, start);
        if (i < 0) {
          throw notMediaType(
              what, value, "the quoted value of parameter '" + parameter + "' is not closed");
        }
        parameterValue = value.substring(start + 1, i - 1).replaceAll("\\\\(.)", "$1");
      } else {
        i = token(value, start);
        if (i == start) {
          throw notMediaType(what, value, "parameter '" + parameter + "' has no value");
        }
        parameterValue = value.substring(start, i);
      }
      if (parameter.equalsIgnoreCase("charset") && !supportedCharset(parameterValue)) {
        throw new IllegalArgumentException(
            what + ": charset '" + parameterValue + "' is not supported by this JVM");
      }
    }
    if (VALID_MEDIA_TYPES.size() < MAX_REMEMBERED_MEDIA_TYPES) {
      VALID_MEDIA_TYPES.put(value, Boolean.TRUE);
    }
    return value;
  }

  private static IllegalArgumentException notMediaType(String what, String value, String why) {
    return new IllegalArgumentException(
        what + ": '" + value + "' is not a media type (type/subtype;name=value): " + why);
  }

  /** The index after the RFC 2045 token that starts at {@code from} (at {@code from}: none). */
  private static int token(String s, int from) {
    int i = from;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f || TSPECIALS.indexOf(c) >= 0) {
        break;
      }
      i++;
    }
    return i;
  }

  private static int spaces(String s, int from) {
    int i = from;
    while (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  /**
   * The index after the quoted string that opens at {@code from}, or -1 if it is not closed or
   * holds a character other than printable ASCII and space.
   */
  private static int quoted(String s, int from) {
    boolean escaped = false;
    for (int i = from + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < ' ' || c >= 0x7f) {
        return -1;
      }
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        return i + 1;
      }
    }
    return -1;
  }

  private static boolean supportedCharset(String name) {
    try {
      return Charset.isSupported(name);
    } catch (IllegalArgumentException e) { // an illegal charset name
      return false;
    }
  }

  /** Non-empty text of bounded length without control characters. */
  public static String requireText(String what, String value, int maxLength) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + ": must not be empty");
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(what + ": longer than " + maxLength + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(what + ": control character at index " + i);
      }
    }
    return value;
  }

  /** An extension attribute: name of 1 to 20 of {@code [a-z0-9]}, not a core attribute. */
  public static void requireExtension(String name, String value) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("extension name: must not be null or empty");
    }
    if (name.length() > 20) {
      throw new IllegalArgumentException(
          "extension name '" + name + "': longer than 20 characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        throw new IllegalArgumentException(
            "extension name '" + name + "': only lowercase letters and digits are allowed");
      }
    }
    if (RESERVED.contains(name)) {
      throw new IllegalArgumentException(
          "extension name '" + name + "': is a CloudEvents core attribute");
    }
    if (value == null) {
      throw new IllegalArgumentException("extension '" + name + "': value must not be null");
    }
    if (value.length() > 4096) {
      throw new IllegalArgumentException("extension '" + name + "': longer than 4096 characters");
    }
  }
}
