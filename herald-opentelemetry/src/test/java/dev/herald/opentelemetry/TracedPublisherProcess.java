package dev.herald.opentelemetry;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The publishing process of {@link KafkaTracingTest#oneTraceAcrossTwoProcesses}, run in a child
 * JVM: publishes one event on Kafka inside a span of an SDK of its own, then prints on stdout a
 * line per finished span ({@value #SPAN}kind name traceId spanId parentSpanId) and the event's id
 * ({@value #PUBLISHED}id).
 *
 * <p>Arguments: bootstrap servers, topic prefix.
 */
public final class TracedPublisherProcess {
  static final String TYPE = "order.placed";
  static final String SPAN = "span ";
  static final String PUBLISHED = "published ";

  private TracedPublisherProcess() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Event<String> order = Event.of(TYPE, "o-1");
    try (TestTracing tracing = new TestTracing()) {
      try (EventBus bus =
          Herald.builder()
              .transport(KafkaTracingTest.transport(args[0], args[1]))
              .interceptor(HeraldTracing.create(tracing.sdk))
              .build()) {
        tracing.inSpan("checkout", () -> bus.publish(order).get(60, TimeUnit.SECONDS));
      }
      for (SpanData s : tracing.finished()) {
        out.println(
            SPAN
                + s.getKind()
                + " "
                + s.getName()
                + " "
                + s.getTraceId()
                + " "
                + s.getSpanId()
                + " "
                + s.getParentSpanId());
      }
    }
    out.println(PUBLISHED + order.id());
    System.exit(0);
  }
}
