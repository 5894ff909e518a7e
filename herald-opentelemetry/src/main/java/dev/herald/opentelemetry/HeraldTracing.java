package dev.herald.opentelemetry;

import static dev.herald.opentelemetry.MessagingAttributes.CONSUMER_GROUP_NAME;
import static dev.herald.opentelemetry.MessagingAttributes.DESTINATION_NAME;
import static dev.herald.opentelemetry.MessagingAttributes.ERROR_TYPE;
import static dev.herald.opentelemetry.MessagingAttributes.HERALD;
import static dev.herald.opentelemetry.MessagingAttributes.MESSAGE_ID;
import static dev.herald.opentelemetry.MessagingAttributes.OPERATION_NAME;
import static dev.herald.opentelemetry.MessagingAttributes.OPERATION_TYPE;
import static dev.herald.opentelemetry.MessagingAttributes.PROCESS;
import static dev.herald.opentelemetry.MessagingAttributes.SEND;
import static dev.herald.opentelemetry.MessagingAttributes.SUBSCRIPTION_NAME;
import static dev.herald.opentelemetry.MessagingAttributes.SYSTEM;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.spi.Interceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Objects;

/**
 * OpenTelemetry tracing for a Herald bus, per the messaging semantic conventions: a {@code send}
 * span (PRODUCER) for each publish, whose context travels in the event as the CloudEvents {@code
 * traceparent} and {@code tracestate} extensions, and a {@code process} span (CONSUMER) around each
 * handler call, linked to that context (or its child, with {@link Builder#parentChild}).
 *
 * <pre>{@code
 * EventBus bus = Herald.builder().interceptor(HeraldTracing.create(openTelemetry)).build();
 * }</pre>
 *
 * <p><b>Send.</b> {@link #onPublish} starts the span {@code send <type>} on the publishing thread
 * and returns a copy of the event (same id) carrying its context; {@link #onPublished} ends it,
 * with status ERROR and {@code error.type} when the bus refused the event. A tracked publish's span
 * ends when the bus has taken the event, not when subscribers are done with it. Its parent is the
 * publisher's current context when that holds a span: a handler's publish is then the child of its
 * process span, and an event built with {@link Event#causedBy} (which copies its cause's
 * traceparent) does not skip that span. Only when the current context holds no span does the
 * traceparent an event already carries become the parent, so that a context that came with the
 * event from outside (an HTTP request, another system) is continued, not lost.
 *
 * <p><b>Process.</b> {@link #aroundHandler} runs the handler inside the span {@code process
 * <type>}, current while it runs (what the handler publishes is its child). The span links to the
 * creation context the event carries (the publisher's send span) and starts a trace of its own, as
 * the conventions advise for messaging, where one event may be processed much later and by many
 * subscribers; with {@code parentChild(true)} it is the child of that context instead, so that a
 * publish and all its processing are one trace. A handler's exception sets status ERROR and {@code
 * error.type} (its class name), is recorded on the span and passes on unchanged (retried and
 * dead-lettered as usual); each attempt has its own span. A dead letter the bus publishes carries
 * no context of its own: its process span links to (or is the child of) the failed event's.
 *
 * <p><b>Attributes.</b> {@code messaging.system} = {@code herald}, {@code
 * messaging.destination.name} = the event type, {@code messaging.message.id}, {@code
 * messaging.operation.type} and {@code messaging.operation.name} ({@code send} or {@code process});
 * on process spans {@code messaging.destination.subscription.name} (the subscription's name) and,
 * for a durable subscription, {@code messaging.consumer.group.name}.
 *
 * <p><b>Format.</b> The context is written and read in the W3C Trace Context format, which the
 * CloudEvents distributed-tracing extensions are defined in, whatever propagators {@code
 * openTelemetry} has for other protocols (the SDK's default has none). The event carries it through
 * every transport: in memory as is, in the log's record headers, in Kafka as the {@code
 * ce_traceparent} header, over HTTP as {@code ce-traceparent}.
 *
 * <p>Thread-safe: one instance serves every publishing and delivery thread of its bus.
 */
public final class HeraldTracing implements Interceptor {
  /** The instrumentation scope of Herald's spans. */
  static final String SCOPE = "dev.herald";

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;
  private final boolean parentChild;
  private final SendSpans sending = new SendSpans();

  private HeraldTracing(Builder b) {
    this.openTelemetry = b.openTelemetry;
    this.tracer = b.openTelemetry.getTracer(SCOPE);
    this.parentChild = b.parentChild;
  }

  /** Tracing with default settings: process spans linked to the creation context. */
  public static HeraldTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
  }

  /**
   * Starts the event's send span and returns a copy of the event, with the same id, that carries
   * the span's context in place of any it carried; see the class comment for the span's parent.
   */
  @Override
  public Event<?> onPublish(Event<?> event) {
    Context current = Context.current();
    Context parent =
        Span.fromContext(current).getSpanContext().isValid()
            ? current
            : TraceContext.extract(current, event);
    String type = event.type();
    Span span =
        tracer
            .spanBuilder(SEND + " " + type)
            .setSpanKind(SpanKind.PRODUCER)
            .setParent(parent)
            .setAttribute(SYSTEM, HERALD)
            .setAttribute(DESTINATION_NAME, type)
            .setAttribute(MESSAGE_ID, event.id())
            .setAttribute(OPERATION_TYPE, SEND)
            .setAttribute(OPERATION_NAME, SEND)
            .startSpan();
    Event<?> traced;
    try {
      traced = TraceContext.inject(parent.with(span), event);
    } catch (RuntimeException e) {
      failed(span, e);
      span.end();
      throw e;
    }
    sending.push(event.id(), span);
    return traced;
  }

  /** Ends the event's send span, as failed when {@code failure} is not null. */
  @Override
  public void onPublished(Event<?> event, Throwable failure) {
    Span span = sending.take(event.id());
    if (span == null) {
      return; // not started here: this bus called onPublished without onPublish, which it never
      // does
    }
    if (failure != null) {
      failed(span, failure);
    }
    span.end();
  }

  /** Runs {@code next} inside the event's process span; see the class comment. */
  @Override
  public void aroundHandler(String subscription, String group, Event<?> event, Next next)
      throws Exception {
    String type = event.type();
    SpanBuilder b =
        tracer
            .spanBuilder(PROCESS + " " + type)
            .setSpanKind(SpanKind.CONSUMER)
            .setAttribute(SYSTEM, HERALD)
            .setAttribute(DESTINATION_NAME, type)
            .setAttribute(MESSAGE_ID, event.id())
            .setAttribute(OPERATION_TYPE, PROCESS)
            .setAttribute(OPERATION_NAME, PROCESS)
            .setAttribute(SUBSCRIPTION_NAME, subscription);
    if (group != null) {
      b.setAttribute(CONSUMER_GROUP_NAME, group);
    }
    Context creation = TraceContext.extract(Context.root(), creationCarrier(event));
    SpanContext created = Span.fromContext(creation).getSpanContext();
    if (parentChild && created.isValid()) {
      b.setParent(creation);
    } else {
      // A delivery thread's current context is whatever ran there before: never a parent.
      b.setNoParent();
      if (created.isValid()) {
        b.addLink(created);
      }
    }
    Span span = b.startSpan();
    Scope scope = span.makeCurrent();
    try {
      next.proceed(event);
    } catch (Throwable t) {
      failed(span, t);
      throw t;
    } finally {
      scope.close();
      span.end();
    }
  }

  /**
   * The event whose context is the creation context of {@code event}'s processing: the event
   * itself, or for a dead letter the bus made (it carries no context of its own), the event that
   * failed, so a dead-letter handler's span links to that event's send span.
   */
  private static Event<?> creationCarrier(Event<?> event) {
    if (event.extension(Event.TRACEPARENT) == null
        && event.data() instanceof DeadLetter d
        && d.event() != null) {
      return d.event();
    }
    return event;
  }

  private static void failed(Span span, Throwable failure) {
    span.setStatus(StatusCode.ERROR);
    span.setAttribute(ERROR_TYPE, failure.getClass().getName());
    span.recordException(failure);
  }

  /** Send spans started and not yet ended on the calling thread (for tests). */
  int pendingSendsOnThisThread() {
    return sending.pendingOnThisThread();
  }

  @Override
  public String toString() {
    return "HeraldTracing{" + openTelemetry + ", parentChild=" + parentChild + '}';
  }

  /** Configures {@link HeraldTracing}. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private boolean parentChild;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
    }

    /**
     * Whether a process span is the child of the event's creation context (true), or a new trace's
     * root with a link to it (false, the default, as the semantic conventions advise for
     * messaging).
     */
    public Builder parentChild(boolean parentChild) {
      this.parentChild = parentChild;
      return this;
    }

    public HeraldTracing build() {
      return new HeraldTracing(this);
    }
  }
}
