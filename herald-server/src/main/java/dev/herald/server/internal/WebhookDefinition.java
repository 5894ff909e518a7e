package dev.herald.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.RetryPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a webhook subscription is: made by {@code POST /v1/subscriptions}, stored in the store as
 * part of a {@code herald.webhook} record ({@link WebhookRecord}), read back at start. Immutable.
 *
 * <p>The request body and the stored form share one JSON shape, checked by {@link #parseRequest}:
 *
 * <pre>
 *   {"types": PATTERN, "url": "http(s)://...", "group": NAME?,
 *    "retry": {"maxAttempts": 1..20, "backoffMillis": 0..600000}?}
 * </pre>
 *
 * @param id made by the server: 16 lowercase hexadecimal digits
 * @param types the Herald type pattern ({@code order.*}, {@code order.#})
 * @param url where events are POSTed
 * @param group the consumer group: the one asked for, else {@code webhook-<id>}
 * @param maxAttempts attempts per event, the first included, before it is dead-lettered
 * @param backoffMillis the delay before the first retry; each next one doubles, up to {@link
 *     #MAX_BACKOFF}
 * @param owner the name of the principal that made it
 * @param created when it was made
 */
record WebhookDefinition(
    String id,
    String types,
    URI url,
    String group,
    int maxAttempts,
    long backoffMillis,
    String owner,
    Instant created) {

  static final int MAX_URL_LENGTH = 2048;
  static final int MAX_PATTERN_LENGTH = 255;
  static final int MAX_ATTEMPTS = 20;
  static final long MAX_BACKOFF_MILLIS = 600_000;
  static final int DEFAULT_MAX_ATTEMPTS = 5;
  static final long DEFAULT_BACKOFF_MILLIS = 1_000;

  /** The longest delay between two attempts, whatever the backoff has grown to. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

  private static final Set<String> FIELDS = Set.of("types", "url", "group", "retry");
  private static final Set<String> RETRY_FIELDS = Set.of("maxAttempts", "backoffMillis");

  WebhookDefinition {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(types, "types");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(created, "created");
  }

  /**
   * Checks a request body and makes the definition it asks for.
   *
   * @throws ApiError 400 naming the attribute at fault
   */
  static WebhookDefinition parseRequest(JsonNode body, String id, String owner, Instant now) {
    if (body == null || !body.isObject()) {
      throw ApiError.badRequest(
          null, "the body must be a JSON object {types, url, group?, retry?}");
    }
    requireKnownFields(body, FIELDS, "");
    String types = requirePattern(text(body, "types", true));
    URI url = requireUrl(text(body, "url", true));
    String group = text(body, "group", false);
    group = group == null ? ownGroup(id) : GroupNames.require(group);
    int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    long backoffMillis = DEFAULT_BACKOFF_MILLIS;
    JsonNode retry = body.get("retry");
    if (retry != null && !retry.isNull()) {
      if (!retry.isObject()) {
        throw ApiError.badRequest("retry", "retry: must be an object {maxAttempts, backoffMillis}");
      }
      requireKnownFields(retry, RETRY_FIELDS, "retry.");
      maxAttempts = (int) number(retry, "maxAttempts", 1, MAX_ATTEMPTS, maxAttempts);
      backoffMillis = number(retry, "backoffMillis", 0, MAX_BACKOFF_MILLIS, backoffMillis);
    }
    return new WebhookDefinition(id, types, url, group, maxAttempts, backoffMillis, owner, now);
  }

  /**
   * Reads a definition back from its stored JSON ({@link #toStoredJson}).
   *
   * @throws IllegalArgumentException if it is not one
   */
  static WebhookDefinition fromStoredJson(JsonNode n) {
    try {
      WebhookDefinition d =
          parseRequest(
              stripStored(n), n.path("id").asText(""), n.path("owner").asText(""), createdOf(n));
      if (!d.id().matches("[0-9a-f]{16}")) {
        throw new IllegalArgumentException("id: not a webhook id: " + d.id());
      }
      return d;
    } catch (ApiError e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static ObjectNode stripStored(JsonNode n) {
    ObjectNode copy = Json.MAPPER.createObjectNode();
    for (String f : FIELDS) {
      if (n.has(f)) {
        copy.set(f, n.get(f));
      }
    }
    return copy;
  }

  private static Instant createdOf(JsonNode n) {
    try {
      return Instant.parse(n.path("created").asText(""));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("created: not an instant", e);
    }
  }

  /** The group a webhook made without one gets: {@code webhook-<id>}, its own. */
  static String ownGroup(String id) {
    return "webhook-" + id;
  }

  /** Whether its group is its own ({@link #ownGroup}), not one the request named. */
  boolean hasOwnGroup() {
    return group.equals(ownGroup(id));
  }

  /** The retry policy of its subscription. */
  RetryPolicy retryPolicy() {
    if (maxAttempts == 1) {
      return RetryPolicy.none();
    }
    Duration initial = Duration.ofMillis(backoffMillis);
    Duration max = initial.compareTo(MAX_BACKOFF) > 0 ? initial : MAX_BACKOFF;
    return RetryPolicy.exponential(maxAttempts, initial, max);
  }

  /** The API's shape: {@code {"id", "types", "url", "group", "retry"}}. */
  ObjectNode toJson() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", id);
    n.put("types", types);
    n.put("url", url.toString());
    n.put("group", group);
    ObjectNode retry = n.putObject("retry");
    retry.put("maxAttempts", maxAttempts);
    retry.put("backoffMillis", backoffMillis);
    return n;
  }

  /** The stored shape: {@link #toJson()} and {@code "owner"}, {@code "created"}. */
  ObjectNode toStoredJson() {
    ObjectNode n = toJson();
    n.put("owner", owner);
    n.put("created", DateTimeFormatter.ISO_INSTANT.format(created));
    return n;
  }

  private static void requireKnownFields(JsonNode n, Set<String> known, String prefix) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        String name = prefix + f;
        throw ApiError.badRequest(
            name.length() > 64 ? null : name,
            "unknown field '" + abbreviate(name, 64) + "'; known: " + known);
      }
    }
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw ApiError.badRequest(field, field + ": required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw ApiError.badRequest(field, field + ": must be a string");
    }
    return v.asText();
  }

  private static long number(JsonNode n, String field, long min, long max, long dflt) {
    JsonNode v = n.get(field);
    String name = "retry." + field;
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw ApiError.badRequest(name, name + ": must be an integer");
    }
    long x = v.asLong();
    if (x < min || x > max) {
      throw ApiError.badRequest(
          name, name + ": must be within [" + min + ", " + max + "], was " + x);
    }
    return x;
  }

  /**
   * A Herald type pattern: dot-separated segments of {@code [A-Za-z0-9_-]}, or a whole-segment
   * wildcard ({@code *} one segment, {@code #} zero or more); at most 255 characters.
   */
  static String requirePattern(String p) {
    if (p.isBlank() || p.length() > MAX_PATTERN_LENGTH) {
      throw ApiError.badRequest(
          "types", "types: must be a type pattern of 1 to " + MAX_PATTERN_LENGTH + " characters");
    }
    for (String seg : p.split("\\.", -1)) {
      if (seg.isEmpty()) {
        throw ApiError.badRequest("types", "types: empty segment in '" + p + "'");
      }
      if (seg.equals("*") || seg.equals("#")) {
        continue;
      }
      for (int i = 0; i < seg.length(); i++) {
        char c = seg.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '_'
                || c == '-';
        if (!ok) {
          throw ApiError.badRequest(
              "types",
              "types: '"
                  + abbreviate(p, 64)
                  + "' is not a type pattern (segments of [A-Za-z0-9_-], or a whole * or #)");
        }
      }
    }
    return p;
  }

  /** An absolute http or https URL with a host, no user info, no fragment, of bounded length. */
  static URI requireUrl(String s) {
    if (s.length() > MAX_URL_LENGTH) {
      throw ApiError.badRequest("url", "url: longer than " + MAX_URL_LENGTH + " characters");
    }
    URI u;
    try {
      u = new URI(s);
    } catch (URISyntaxException e) {
      throw ApiError.badRequest("url", "url: not a URL: " + e.getReason());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!u.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
      throw ApiError.badRequest("url", "url: must be an absolute http or https URL");
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw ApiError.badRequest("url", "url: must name a host");
    }
    if (u.getRawUserInfo() != null) {
      throw ApiError.badRequest("url", "url: must not carry user info (credentials)");
    }
    if (u.getRawFragment() != null) {
      throw ApiError.badRequest("url", "url: must not have a fragment");
    }
    return u;
  }

  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
