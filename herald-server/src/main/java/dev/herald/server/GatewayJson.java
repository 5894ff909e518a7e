package dev.herald.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.server.GatewayStore.StoredDeadLetter;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;

/**
 * Events and dead letters as the gateway serves them (docs/server.md), for whatever shows them the
 * same way without the gateway (the CLI over a store directly). An event is a CloudEvent in
 * structured JSON ({@code application/cloudevents+json}):
 *
 * <pre>
 *   {"specversion": "1.0", "id", "type", "source", "time", "subject"?, "datacontenttype"?,
 *    "partitionkey"? (the event's key), "&lt;extension&gt;": string ...,
 *    "data": JSON  |  "data_base64": base64 of byte[] data}
 * </pre>
 *
 * Data: a {@code byte[]} is written as {@code data_base64}; a {@link DeadLetter} (the bus's
 * dead-letter events) as {@code {"subscription", "attempts", "causeType", "causeMessage", "time",
 * "event": {...}}}; anything else as the JSON Jackson makes of it. A dead letter of the admin API
 * is {@code {"position", "subscription", "attempts", "causeType", "causeMessage" (null when none),
 * "time" (when it was dead-lettered), "event": the event as above}}. Stateless; any thread.
 */
public final class GatewayJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private GatewayJson() {}

  /** {@code e} as a structured CloudEvent. */
  public static ObjectNode event(Event<?> e) {
    ObjectNode n = MAPPER.createObjectNode();
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
      d.set("event", event(dl.event()));
    } else if (data != null) {
      n.set("data", MAPPER.valueToTree(data));
    }
    return n;
  }

  /** A stored dead letter as the admin API serves it. */
  public static ObjectNode deadLetter(StoredDeadLetter stored) {
    DeadLetter dl = stored.deadLetter();
    ObjectNode n = MAPPER.createObjectNode();
    n.put("position", stored.position());
    n.put("subscription", dl.subscription());
    n.put("attempts", dl.attempts());
    n.put("causeType", dl.causeType());
    n.put("causeMessage", dl.causeMessage());
    n.put("time", DateTimeFormatter.ISO_INSTANT.format(dl.time()));
    n.set("event", event(dl.event()));
    return n;
  }
}
