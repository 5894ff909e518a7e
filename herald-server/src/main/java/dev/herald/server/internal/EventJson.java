package dev.herald.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.DeadLetter;
import dev.herald.Event;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an event as a CloudEvent in structured JSON ({@code application/cloudevents+json}), the
 * form the gateway serves it in (SSE {@code data:}, the dead-letter browser, the CLI's JSON):
 *
 * <pre>
 *   {"specversion": "1.0", "id", "type", "source", "time", "subject"?, "datacontenttype"?,
 *    "partitionkey"? (the event's key), "&lt;extension&gt;": string ...,
 *    "data": JSON  |  "data_base64": base64 of byte[] data}
 * </pre>
 *
 * Data: a {@code byte[]} is written as {@code data_base64}; a {@code String} with a non-JSON
 * datacontenttype as a JSON string; a {@link DeadLetter} (the bus's dead-letter events) as {@code
 * {"subscription", "attempts", "causeType", "causeMessage", "time", "event": {...}}}; anything else
 * as the JSON Jackson makes of it. Stateless.
 */
final class EventJson {
  private EventJson() {}

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
    } else if (data instanceof DeadLetter dl) {
      // A dead letter's event is itself an event: written as one, not as a bean Jackson cannot
      // write (every stream of "#" would otherwise fail on the bus's dead letters).
      ObjectNode d = n.putObject("data");
      d.put("subscription", dl.subscription());
      d.put("attempts", dl.attempts());
      d.put("causeType", dl.causeType());
      d.put("causeMessage", dl.causeMessage());
      d.put("time", DateTimeFormatter.ISO_INSTANT.format(dl.time()));
      d.set("event", tree(dl.event()));
    } else if (data != null) {
      n.set("data", Json.MAPPER.valueToTree(data));
    }
    return n;
  }

  static String write(Event<?> e) {
    try {
      return Json.MAPPER.writeValueAsString(tree(e));
    } catch (JsonProcessingException x) {
      throw new IllegalArgumentException(
          "event " + e.id() + " has data that cannot be written as JSON: " + x.getOriginalMessage(),
          x);
    }
  }

  /** Whether {@code contentType} is JSON ({@code application/json}, {@code +json}, text/json). */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return true;
    }
    String t = contentType.toLowerCase(Locale.ROOT);
    int semi = t.indexOf(';');
    if (semi >= 0) {
      t = t.substring(0, semi);
    }
    t = t.trim();
    return t.equals("application/json") || t.equals("text/json") || t.endsWith("+json");
  }
}
