package dev.herald.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.DeadLetter;
import dev.herald.Event;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Events as structured CloudEvents JSON, the way the gateway serves them: {@code {"specversion",
 * "id", "type", "source", "time", "subject"?, "datacontenttype"?, "partitionkey"?, extensions...,
 * "data" | "data_base64"}}; and back, for publishing to a store directly. Stateless.
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

  static ObjectNode tree(Event<?> e) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("specversion", Event.SPEC_VERSION);
    n.put("id", e.id());
    n.put("type", e.type());
    n.put("source", e.source());
    n.put("time", DateTimeFormatter.ISO_INSTANT.format(e.time()));
    if (e.subject() != null) {
      n.put("subject", e.subject());
    }
    if (e.dataContentType() != null) {
      n.put("datacontenttype", e.dataContentType());
    }
    if (e.key() != null) {
      n.put(Event.PARTITION_KEY, e.key());
    }
    for (Map.Entry<String, String> x : e.extensions().entrySet()) {
      n.put(x.getKey(), x.getValue());
    }
    Object data = e.data();
    if (data instanceof byte[] bytes) {
      n.put("data_base64", Base64.getEncoder().encodeToString(bytes));
    } else if (data != null) {
      n.set("data", Json.MAPPER.valueToTree(data));
    }
    return n;
  }

  /** A dead letter as the gateway serves it (DL in docs/server.md). */
  static ObjectNode deadLetter(String position, DeadLetter d) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("position", position);
    n.put("subscription", d.subscription());
    n.put("attempts", d.attempts());
    n.put("causeType", d.causeType());
    n.put("causeMessage", d.causeMessage());
    n.put("time", DateTimeFormatter.ISO_INSTANT.format(d.time()));
    n.set("event", tree(d.event()));
    return n;
  }

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
