package dev.herald.server.internal;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The HTTP forward proxy every webhook request goes through ({@code ./herald serve --webhook-proxy
 * HOST:PORT}): plain HTTP targets as absolute-form requests to it, HTTPS ones through a {@code
 * CONNECT} tunnel. The proxy is spoken to in plain HTTP and needs no credentials. Immutable.
 *
 * @param host a name or an IP literal, an IPv6 one without its brackets
 * @param port within [1, 65535]
 */
public record WebhookProxy(String host, int port) {
  private static final String FORMS = "give HOST:PORT or http://HOST:PORT";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");

  /**
   * The proxy {@code value} names: {@code HOST:PORT} or {@code http://HOST:PORT} (a trailing {@code
   * /} allowed), an IPv6 host in brackets.
   *
   * @throws IllegalArgumentException the value is not of that form, has no port or one out of
   *     range, another scheme, user info, or a path; the message says which, and never repeats a
   *     value that holds user info (it may be a password)
   */
  public static WebhookProxy parse(String value) {
    String rest = value.strip();
    int scheme = rest.indexOf("://");
    if (scheme >= 0) {
      String name = rest.substring(0, scheme);
      if (!name.toLowerCase(Locale.ROOT).equals("http")) {
        throw new IllegalArgumentException(
            "only an http:// proxy is supported (HTTPS targets pass it in a CONNECT tunnel), was "
                + (rest.contains("@") ? name + "://..." : rest));
      }
      rest = rest.substring(scheme + 3);
      if (rest.endsWith("/")) {
        rest = rest.substring(0, rest.length() - 1);
      }
    }
    if (rest.contains("@")) {
      throw new IllegalArgumentException(
          "user info is not supported (a proxy that asks for credentials is not); " + FORMS);
    }
    if (rest.isEmpty() || rest.contains("/") || rest.contains("?") || rest.contains("#")) {
      throw new IllegalArgumentException(FORMS + ", was \"" + value + "\"");
    }
    String host;
    String port;
    if (rest.startsWith("[")) {
      int end = rest.indexOf(']');
      host = end < 0 ? "" : rest.substring(1, end);
      if (end < 0 || !IPV6.matcher(host).matches()) {
        throw new IllegalArgumentException(FORMS + ", was \"" + value + "\"");
      }
      if (end == rest.length() - 1) {
        throw new IllegalArgumentException("no port in \"" + value + "\"; " + FORMS);
      }
      if (rest.charAt(end + 1) != ':') {
        throw new IllegalArgumentException(FORMS + ", was \"" + value + "\"");
      }
      port = rest.substring(end + 2);
    } else {
      int colon = rest.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("no port in \"" + value + "\"; " + FORMS);
      }
      host = rest.substring(0, colon);
      port = rest.substring(colon + 1);
      if (!NAME.matcher(host).matches()) {
        throw new IllegalArgumentException(
            FORMS + " (an IPv6 address in brackets), was \"" + value + "\"");
      }
    }
    if (port.isEmpty()) {
      throw new IllegalArgumentException("no port in \"" + value + "\"; " + FORMS);
    }
    if (!DIGITS.matcher(port).matches()) {
      throw new IllegalArgumentException("the port is not a number in \"" + value + "\"; " + FORMS);
    }
    long p = Long.parseLong(port);
    if (p < 1 || p > 65535) {
      throw new IllegalArgumentException("the port must be within [1, 65535], was " + port);
    }
    return new WebhookProxy(host, (int) p);
  }

  /** {@code HOST:PORT}, an IPv6 host in brackets. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
