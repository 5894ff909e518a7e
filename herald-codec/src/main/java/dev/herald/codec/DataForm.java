package dev.herald.codec;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * How an event's data is laid out in a binary-mode message, decided by its datacontenttype, as
 * {@link CloudEventsBinary} describes: through the {@link PayloadCodec}, as text, or as raw bytes.
 * The media type is compared without its parameters and ignoring case, without allocating.
 * Stateless.
 */
enum DataForm {
  /** No datacontenttype, the codec's own media type, or a JSON one: the payload codec's bytes. */
  CODEC,
  /**
   * {@code text/*}: a {@code String} in the {@code charset} parameter's encoding, UTF-8 without
   * one.
   */
  TEXT,
  /** Any other media type: the {@code byte[]} data as it is. */
  BYTES;

  /**
   * The form of data declared as {@code contentType} (null for none), for a codec writing {@code
   * codecContentType}.
   */
  static DataForm of(String contentType, String codecContentType) {
    // The same instance as the codec's: the common case, decided without reading it.
    if (contentType == null || contentType == codecContentType) {
      return CODEC;
    }
    int start = 0;
    int end = mediaTypeEnd(contentType);
    while (start < end && contentType.charAt(start) == ' ') {
      start++;
    }
    int length = end - start;
    int codecEnd = mediaTypeEnd(codecContentType);
    if (length == codecEnd && contentType.regionMatches(true, start, codecContentType, 0, length)) {
      return CODEC;
    }
    if (isJson(contentType, start, end)) {
      return CODEC;
    }
    return contentType.regionMatches(true, start, "text/", 0, 5) ? TEXT : BYTES;
  }

  /**
   * Whether {@code contentType} names JSON: {@code application/json}, {@code text/json} or any
   * {@code type/subtype+json}, parameters aside.
   */
  static boolean isJson(String contentType) {
    int start = 0;
    int end = mediaTypeEnd(contentType);
    while (start < end && contentType.charAt(start) == ' ') {
      start++;
    }
    return isJson(contentType, start, end);
  }

  private static boolean isJson(String s, int start, int end) {
    int length = end - start;
    return length == 16 && s.regionMatches(true, start, "application/json", 0, 16)
        || length == 9 && s.regionMatches(true, start, "text/json", 0, 9)
        || length > 5 && s.regionMatches(true, end - 5, "+json", 0, 5);
  }

  /**
   * The end of the media type in {@code contentType}: before its parameters and trailing spaces.
   */
  private static int mediaTypeEnd(String contentType) {
    int end = contentType.indexOf(';');
    if (end < 0) {
      end = contentType.length();
    }
    while (end > 0 && contentType.charAt(end - 1) == ' ') {
      end--;
    }
    return end;
  }

  /**
   * The charset named by {@code contentType}'s {@code charset} parameter (quoted or not, any case),
   * UTF-8 without one.
   *
   * @throws IllegalArgumentException if the charset is unknown to this JVM or its name is malformed
   */
  static Charset charset(String contentType) {
    int semi = contentType.indexOf(';');
    while (semi >= 0) {
      int next = contentType.indexOf(';', semi + 1);
      String parameter =
          contentType.substring(semi + 1, next < 0 ? contentType.length() : next).trim();
      int eq = parameter.indexOf('=');
      if (eq > 0 && parameter.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String name = parameter.substring(eq + 1).trim();
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
          name = name.substring(1, name.length() - 1);
        }
        return Charset.forName(name); // unknown or malformed: an IllegalArgumentException
      }
      semi = next;
    }
    return StandardCharsets.UTF_8;
  }
}
