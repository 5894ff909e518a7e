package dev.herald.server.internal;

import dev.herald.Event;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of Server-Sent Events as the gateway writes them (UTF-8, {@code \n} line ends):
 *
 * <pre>
 *   id: &lt;position&gt;              (absent in group mode when the store gives none)
 *   event: &lt;CloudEvent type&gt;
 *   data: &lt;the event as structured CloudEvents JSON, one line&gt;
 *   (blank line)
 * </pre>
 *
 * plus {@code retry: <ms>} on connect and {@code : heartbeat} comment lines. Stateless.
 */
final class SseFrames {
  static final byte[] HEARTBEAT = ascii(": heartbeat\n\n");

  private SseFrames() {}

  /** An event's frame; its JSON has no line break (Jackson escapes those inside strings). */
  static byte[] event(String position, Event<?> e) {
    return event(position, e.type(), EventJson.write(e));
  }

  static byte[] event(String id, String type, String json) {
    StringBuilder b = new StringBuilder(json.length() + 64);
    if (id != null) {
      b.append("id: ").append(oneLine(id)).append('\n');
    }
    b.append("event: ").append(oneLine(type)).append('\n');
    b.append("data: ").append(oneLine(json)).append("\n\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] retry(long millis) {
    return ascii("retry: " + millis + "\n\n");
  }

  private static String oneLine(String s) {
    return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : s.replace("\r", "").replace("\n", "");
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
