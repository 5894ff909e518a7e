package dev.herald.server.internal;

import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's query parameters, decoded strictly, as UTF-8 whatever the request's {@code
 * Content-Type} says: a malformed percent-escape ({@code group=%zz}) is a 400 naming the parameter.
 * Javalin's own {@code queryParam} drops such a value silently, so a client's typo'd group would
 * become a stream of no group. Parsed once per request ({@link Authentication} does, before the
 * endpoint); stateless.
 */
final class QueryParameters {
  private static final String ATTRIBUTE = "herald.query";

  private QueryParameters() {}

  /**
   * Every parameter of {@code ctx}'s query, in order, each with its values in order.
   *
   * @throws ApiError 400 when a name or a value is not valid percent-encoding
   */
  static Map<String, List<String>> of(Context ctx) {
    @SuppressWarnings("unchecked")
    Map<String, List<String>> parsed = (Map<String, List<String>>) ctx.attribute(ATTRIBUTE);
    if (parsed == null) {
      parsed = parse(ctx.queryString());
      ctx.attribute(ATTRIBUTE, parsed);
    }
    return parsed;
  }

  /** The first value of the parameter {@code name}, or null when the query has none. */
  static String first(Context ctx, String name) {
    List<String> values = of(ctx).get(name);
    return values == null ? null : values.get(0);
  }

  static Map<String, List<String>> parse(String query) {
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return parameters;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), null);
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
      parameters.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
    }
    return parameters;
  }

  /** {@code s} decoded; {@code name} is the parameter whose value it is, null for a name. */
  private static String decode(String s, String name) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      if (name == null) {
        throw new ApiError(400, "the query string has a malformed percent-escape in a name");
      }
      throw ApiError.badRequest(
          name,
          WebhookDefinition.abbreviate(name, 100)
              + ": malformed percent-escape in the query parameter (a % must start %XX, two hex"
              + " digits; send a % itself as %25)");
    }
  }
}
