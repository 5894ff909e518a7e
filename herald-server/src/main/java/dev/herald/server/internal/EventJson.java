package dev.herald.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.herald.Event;
import dev.herald.server.GatewayJson;
import java.util.Locale;

/** Events as the gateway writes them ({@link GatewayJson}), and its test of JSON media types. */
final class EventJson {
  private EventJson() {}

  static String write(Event<?> e) {
    try {
      return Json.MAPPER.writeValueAsString(GatewayJson.event(e));
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
