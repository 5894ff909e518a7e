package dev.herald.opentelemetry;

import dev.herald.Event;
import io.opentelemetry.context.propagation.TextMapGetter;

/** An event's extension attributes as a propagator reads them. Stateless. */
final class EventCarrier {
  static final TextMapGetter<Event<?>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Event<?> carrier) {
          return carrier.extensions().keySet();
        }

        @Override
        public String get(Event<?> carrier, String key) {
          return carrier == null ? null : carrier.extension(key);
        }
      };

  private EventCarrier() {}
}
