package dev.herald.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.Event;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Structured CloudEvents JSON back into events, for publishing to a store directly; events are
 * written the way the gateway serves them by {@link dev.herald.server.GatewayJson}. Stateless.
 */
final class CloudEventJson {
  private static final Set<String> ATTRIBUTES =
      Set.of(
          "specversion",
          "id",
          "type",
          "source",
          "time",
          "subject",
          "datacontenttype",
          Event.PARTITION_KEY,
          "data",
          "data_base64");

  private CloudEventJson() {}

  /**
   * The event a structured CloudEvent stands for; its JSON {@code data} becomes plain Java values
   * (maps, lists, strings, numbers).
   *
   * @throws IllegalArgumentException naming the attribute that is invalid
   */
  static Event<Object> event(ObjectNode n) {
    Event.Builder<Object> b = Event.builder(text(n, "type"));
    if (n.hasNonNull("id")) {
      b.id(text(n, "id"));
    }
    if (n.hasNonNull("source")) {
      b.source(text(n, "source"));
    }
    if (n.hasNonNull("time")) {
      try {
        b.time(Instant.parse(text(n, "time")));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("time: not an RFC 3339 time: " + n.get("time"), e);
      }
    }
    if (n.hasNonNull("subject")) {
      b.subject(text(n, "subject"));
    }
    if (n.hasNonNull("datacontenttype")) {
      b.dataContentType(text(n, "datacontenttype"));
    }
    if (n.hasNonNull(Event.PARTITION_KEY)) {
      b.key(text(n, Event.PARTITION_KEY));
    }
    for (Map.Entry<String, JsonNode> f : n.properties()) {
      if (!ATTRIBUTES.contains(f.getKey())) {
        b.extension(f.getKey(), f.getValue().asText());
      }
    }
    if (n.hasNonNull("data_base64")) {
      try {
        return b.data((Object) Base64.getDecoder().decode(text(n, "data_base64"))).build();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("data_base64: not base64", e);
      }
    }
    if (n.hasNonNull("data")) {
      try {
        return b.data(Json.MAPPER.treeToValue(n.get("data"), Object.class)).build();
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("data: " + e.getOriginalMessage(), e);
      }
    }
    return b.build();
  }

  private static String text(ObjectNode n, String attribute) {
    JsonNode v = n.get(attribute);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(attribute + ": must be a string");
    }
    return v.asText();
  }
}
