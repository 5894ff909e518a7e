package dev.herald.opentelemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * An OpenTelemetry SDK of its own for one test, exporting every finished span to memory as it ends.
 * Closing it shuts the SDK down.
 */
final class TestTracing implements AutoCloseable {
  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .build();

  /** A tracer for the test's own spans (the "application" around a publish). */
  Tracer tracer() {
    return sdk.getTracer("test");
  }

  /** Work run inside a span. */
  interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} with a new span of the test's current, and returns the ended span. */
  Span inSpan(String name, Work work) throws Exception {
    Span span = tracer().spanBuilder(name).startSpan();
    Scope scope = span.makeCurrent();
    try {
      work.run();
    } finally {
      scope.close();
      span.end();
    }
    return span;
  }

  /** Waits (bounded) for a finished span that matches, and returns it. */
  SpanData await(String description, Predicate<SpanData> match) {
    return Awaitility.await(description)
        .atMost(Duration.ofSeconds(30))
        .until(() -> find(match), s -> s != null);
  }

  /** Waits (bounded) for the finished span of the given kind and name. */
  SpanData await(SpanKind kind, String name) {
    return await(kind + " " + name, s -> s.getKind() == kind && s.getName().equals(name));
  }

  /** Waits (bounded) for exactly {@code n} finished spans of the given kind and name. */
  List<SpanData> await(SpanKind kind, String name, int n) {
    return Awaitility.await(n + " x " + kind + " " + name)
        .atMost(Duration.ofSeconds(30))
        .until(() -> spans(kind, name), l -> l.size() == n);
  }

  List<SpanData> spans(SpanKind kind, String name) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == kind && s.getName().equals(name))
        .toList();
  }

  private SpanData find(Predicate<SpanData> match) {
    List<SpanData> spans = exporter.getFinishedSpanItems();
    for (SpanData s : spans) {
      if (match.test(s)) {
        return s;
      }
    }
    return null;
  }

  /** A span context's trace and span id: what identifies it, local or remote. */
  static String ids(SpanContext c) {
    return c.getTraceId() + "/" + c.getSpanId();
  }

  /** The ids of the span contexts {@code span} links to. */
  static List<String> links(SpanData span) {
    return span.getLinks().stream().map(l -> ids(l.getSpanContext())).toList();
  }

  static String parent(SpanData span) {
    return ids(span.getParentSpanContext());
  }

  static String ids(Span span) {
    return ids(span.getSpanContext());
  }

  static String ids(SpanData span) {
    return ids(span.getSpanContext());
  }

  /** The W3C traceparent of {@code c}, as an event carries it. */
  static String traceparent(SpanContext c) {
    return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
  }

  List<SpanData> finished() {
    return exporter.getFinishedSpanItems();
  }

  @Override
  public void close() {
    sdk.close();
  }
}
