package dev.herald.server.internal;

import dev.herald.server.PositionGoneException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code herald.gap} event a stream sends first when the position a client resumed from was
 * deleted by retention (the response then also carries {@code Last-Event-ID: earliest}, as Mercure
 * answers). It has no {@code id:}, so it does not move the client's resume position; its data:
 *
 * <pre>
 *   {"requested": "&lt;the position asked for&gt;", "earliest": "&lt;earliest position kept&gt;",
 *    "detail": "..."}
 * </pre>
 */
final class StreamGap {
  static final String TYPE = "herald.gap";

  private StreamGap() {}

  static byte[] frame(String requested, PositionGoneException gone) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("requested", requested);
    data.put("earliest", gone.earliest());
    data.put(
        "detail",
        "events after "
            + requested
            + " were deleted by retention; the stream goes on from the earliest kept, "
            + gone.earliest());
    return SseFrames.event(null, TYPE, Json.write(data));
  }
}
