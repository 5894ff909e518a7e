package dev.herald.server.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The HTTP forward proxy every webhook request goes through ({@code ./herald serve --webhook-proxy
 * HOST:PORT}): plain HTTP targets as absolute-form requests to it, HTTPS ones through a {@code
 * CONNECT} tunnel. The proxy is spoken to in plain HTTP; when it asks for credentials they are
 * given as {@code http://USER:PASSWORD@HOST:PORT} and sent with every request and every {@code
 * CONNECT} (HTTP Basic, {@code Proxy-Authorization}). Immutable; {@link #toString} never shows the
 * credentials.
 *
 * @param host a name or an IP literal, an IPv6 one without its brackets
 * @param port within [1, 65535]
 * @param user the user name to give the proxy, null for none
 * @param password its password (null exactly when {@code user} is)
 */
public record WebhookProxy(String host, int port, String user, String password) {
  private static final String FORMS =
      "give HOST:PORT or http://HOST:PORT (http://USER:PASSWORD@HOST:PORT for a proxy that asks for"
          + " credentials)";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");

  /**
   * The proxy {@code value} names: {@code HOST:PORT} or {@code http://HOST:PORT} (a trailing {@code
   * /} allowed), an IPv6 host in brackets, with {@code USER:PASSWORD@} before the host for a proxy
   * that asks for credentials (each percent-encoded where it holds {@code :}, {@code @} or {@code
   * %}).
   *
   * @throws IllegalArgumentException the value is not of that form, has no port or one out of
   *     range, another scheme, a path, or user info that is not {@code USER:PASSWORD}; the message
   *     says which, and never repeats what the value holds before its {@code @} (a password)
   */
  public static WebhookProxy parse(String value) {
    String stripped = value.strip();
    int at = stripped.lastIndexOf('@');
    if (at < 0) {
      return parse(stripped, stripped);
    }
    // Everything before the host goes: the messages below must never show a password.
    int scheme = stripped.indexOf("://");
    String head = scheme >= 0 && scheme < at ? stripped.substring(0, scheme + 3) : "";
    String[] credentials = credentials(stripped.substring(head.length(), at));
    String hostAndPort = stripped.substring(at + 1);
    WebhookProxy bare = parse(head + hostAndPort, head + "USER:PASSWORD@" + hostAndPort);
    return new WebhookProxy(bare.host, bare.port, credentials[0], credentials[1]);
  }

  /** {@code stripped}, a value without user info; messages show it as {@code value}. */
  private static WebhookProxy parse(String stripped, String value) {
    String rest = stripped;
    int scheme = rest.indexOf("://");
    if (scheme >= 0) {
      String name = rest.substring(0, scheme);
      if (!name.toLowerCase(Locale.ROOT).equals("http")) {
        throw new IllegalArgumentException(
            "only an http:// proxy is supported (HTTPS targets pass it in a CONNECT tunnel), was "
                + value);
      }
      rest = rest.substring(scheme + 3);
      if (rest.endsWith("/")) {
        rest = rest.substring(0, rest.length() - 1);
      }
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
    return new WebhookProxy(host, (int) p, null, null);
  }

  /** {@code USER:PASSWORD}, percent-decoded; neither may be empty. */
  private static String[] credentials(String userInfo) {
    int colon = userInfo.indexOf(':');
    if (colon <= 0 || colon == userInfo.length() - 1) {
      throw new IllegalArgumentException(
          "the proxy's user info must be USER:PASSWORD, neither empty (percent-encode a ':', '@'"
              + " or '%' within them)");
    }
    return new String[] {
      decode(userInfo.substring(0, colon)), decode(userInfo.substring(colon + 1))
    };
  }

  /** RFC 3986 percent-decoding into UTF-8; {@code +} stays a plus (it is a space only in forms). */
  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // Not e as the cause: its message quotes the text, a password perhaps.
      throw new IllegalArgumentException(
          "the proxy's user info has a '%' that is not followed by two hex digits");
    }
  }

  /** Whether the proxy is given credentials. */
  public boolean hasCredentials() {
    return user != null;
  }

  /** {@code HOST:PORT}, an IPv6 host in brackets; never the credentials. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
