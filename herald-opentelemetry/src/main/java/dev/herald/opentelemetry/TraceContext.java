package dev.herald.opentelemetry;

import dev.herald.Event;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Map;

/**
 * Reads and writes the trace context an event carries as the CloudEvents distributed-tracing
 * extensions {@value Event#TRACEPARENT} and {@value Event#TRACESTATE}, in the W3C Trace Context
 * format those extensions are defined in. Stateless.
 */
final class TraceContext {
  private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

  private TraceContext() {}

  /** {@code context} with the span context {@code event} carries, if it carries a valid one. */
  static Context extract(Context context, Event<?> event) {
    if (event.extension(Event.TRACEPARENT) == null) {
      return context; // the common case of an untraced event: no parsing
    }
    return W3C.extract(context, event, EventCarrier.GETTER);
  }

  /**
   * A copy of {@code event} (same id) carrying the span context of {@code context} in place of any
   * it carried; {@code event} itself when that span context is not valid (a no-op tracer).
   */
  static Event<?> inject(Context context, Event<?> event) {
    Written w = new Written();
    W3C.inject(context, w, Written.SETTER);
    if (w.traceparent == null) {
      return event;
    }
    if (w.tracestate == null && event.extension(Event.TRACESTATE) != null) {
      // A tracestate belongs to the traceparent beside it: the old one must not outlive it.
      return withoutTraceState(event).extension(Event.TRACEPARENT, w.traceparent).build();
    }
    Event.Builder<?> b = event.toBuilder().extension(Event.TRACEPARENT, w.traceparent);
    if (w.tracestate != null) {
      b.extension(Event.TRACESTATE, w.tracestate);
    }
    return b.build();
  }

  /** A builder of {@code event} without its tracestate (a builder cannot remove an attribute). */
  private static Event.Builder<?> withoutTraceState(Event<?> event) {
    Event.Builder<Object> b =
        Event.builder(event.type())
            .id(event.id())
            .source(event.source())
            .time(event.time())
            .subject(event.subject())
            .dataContentType(event.dataContentType())
            .key(event.key())
            .data(event.data());
    for (Map.Entry<String, String> x : event.extensions().entrySet()) {
      if (!Event.TRACESTATE.equals(x.getKey())) {
        b.extension(x.getKey(), x.getValue());
      }
    }
    return b;
  }

  /** What the propagator wrote. */
  private static final class Written {
    static final TextMapSetter<Written> SETTER =
        (carrier, key, value) -> {
          if (carrier == null) {
            return;
          }
          if (Event.TRACEPARENT.equals(key)) {
            carrier.traceparent = value;
          } else if (Event.TRACESTATE.equals(key)) {
            carrier.tracestate = value;
          }
        };

    String traceparent;
    String tracestate;
  }
}
