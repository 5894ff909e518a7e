package dev.herald.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that knows how webhook subscriptions are kept in the store: as events of Herald's
 * own type {@value #TYPE}, appended with {@code GatewayStore.append} and read back from {@code
 * cursor("earliest")} when a gateway starts, so they live in the log or in Kafka beside the events
 * and survive a restart on either. Herald's types ({@code herald.*}) reach only subscriptions whose
 * pattern names {@code herald}, so user subscriptions never see them.
 *
 * <pre>
 *   type             herald.webhook
 *   source           /herald/gateway
 *   partitionkey     herald.webhook      (one key: one Kafka partition, so they stay in order)
 *   datacontenttype  application/json
 *   data, one of:
 *     {"action": "created", "subscription": {"id", "types", "url", "group",
 *                                            "retry": {"maxAttempts", "backoffMillis"},
 *                                            "owner", "created"}}
 *     {"action": "gone",    "id": ID, "time"}    the target answered 410: never delivered again
 *     {"action": "deleted", "id": ID, "time"}    DELETE /v1/subscriptions/{id}
 *     {"action": "started", "time"}              a gateway started reading the records back: it
 *                                                reads up to this record, so it knows it saw all
 * </pre>
 *
 * A subscription is live from its {@code created} record until its {@code gone} (kept, listed as
 * gone) or {@code deleted} record (forgotten). Records that do not read as one of these are skipped
 * with a warning. Stateless.
 */
final class WebhookRecord {
  static final String TYPE = "herald.webhook";
  static final String SOURCE = "/herald/gateway";

  enum Action {
    CREATED,
    GONE,
    DELETED,
    STARTED
  }

  /** A record read back: its action, the subscription id (null for started), the definition. */
  record Parsed(Action action, String id, WebhookDefinition definition) {}

  private WebhookRecord() {}

  static Event<Map<String, Object>> created(WebhookDefinition d) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("action", "created");
    n.set("subscription", d.toStoredJson());
    return event(n);
  }

  static Event<Map<String, Object>> ended(Action action, String id, Instant time) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("action", action.name().toLowerCase(java.util.Locale.ROOT));
    n.put("id", id);
    n.put("time", time.toString());
    return event(n);
  }

  static Event<Map<String, Object>> started(Instant time) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("action", "started");
    n.put("time", time.toString());
    return event(n);
  }

  private static Event<Map<String, Object>> event(ObjectNode data) {
    // A plain map: any store's JSON codec writes it, and reads it back as a map.
    @SuppressWarnings("unchecked")
    Map<String, Object> map = Json.MAPPER.convertValue(data, Map.class);
    return Event.<Map<String, Object>>builder(TYPE)
        .source(SOURCE)
        .key(TYPE)
        .dataContentType("application/json")
        .data(map)
        .build();
  }

  /**
   * Reads a stored {@value #TYPE} event back.
   *
   * @return empty if the event is of another type
   * @throws IllegalArgumentException if it is of this type but not a record of this form
   */
  static Optional<Parsed> parse(Event<?> e) {
    if (!TYPE.equals(e.type())) {
      return Optional.empty();
    }
    JsonNode n = tree(e.data());
    String action = n.path("action").asText("");
    switch (action) {
      case "created" -> {
        WebhookDefinition d = WebhookDefinition.fromStoredJson(n.path("subscription"));
        return Optional.of(new Parsed(Action.CREATED, d.id(), d));
      }
      case "gone", "deleted" -> {
        String id = n.path("id").asText("");
        if (id.isEmpty()) {
          throw new IllegalArgumentException("a '" + action + "' record without an id");
        }
        Action a = action.equals("gone") ? Action.GONE : Action.DELETED;
        return Optional.of(new Parsed(a, id, null));
      }
      case "started" -> {
        return Optional.of(new Parsed(Action.STARTED, null, null));
      }
      default -> throw new IllegalArgumentException("unknown action '" + action + "'");
    }
  }

  /** The data as a JSON tree, whatever form the store's codec gave it back in. */
  private static JsonNode tree(Object data) {
    try {
      if (data instanceof byte[] bytes) {
        return Json.MAPPER.readTree(bytes);
      }
      if (data instanceof String s) {
        return Json.MAPPER.readTree(s.getBytes(StandardCharsets.UTF_8));
      }
      if (data == null) {
        throw new IllegalArgumentException("a record without data");
      }
      return Json.MAPPER.valueToTree(data);
    } catch (IOException e) {
      throw new IllegalArgumentException("data is not JSON: " + e.getMessage(), e);
    }
  }
}
