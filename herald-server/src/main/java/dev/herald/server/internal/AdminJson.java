package dev.herald.server.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.DeadLetter;
import dev.herald.server.GatewayStore.StoredDeadLetter;
import java.time.format.DateTimeFormatter;

/**
 * Writes a dead letter as the admin API serves it:
 *
 * <pre>
 *   {"position", "subscription", "attempts", "causeType", "causeMessage" (null when none),
 *    "time" (RFC 3339, when it was dead-lettered), "event": structured CloudEvent ({@link EventJson})}
 * </pre>
 *
 * Stateless.
 */
final class AdminJson {
  private AdminJson() {}

  static ObjectNode deadLetter(StoredDeadLetter stored) {
    DeadLetter dl = stored.deadLetter();
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("position", stored.position());
    n.put("subscription", dl.subscription());
    n.put("attempts", dl.attempts());
    n.put("causeType", dl.causeType());
    n.put("causeMessage", dl.causeMessage());
    n.put("time", DateTimeFormatter.ISO_INSTANT.format(dl.time()));
    n.set("event", EventJson.tree(dl.event()));
    return n;
  }
}
