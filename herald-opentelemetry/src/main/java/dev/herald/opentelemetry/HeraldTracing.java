package dev.herald.opentelemetry;

import dev.herald.spi.Interceptor;
import io.opentelemetry.api.OpenTelemetry;
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
 */
public final class HeraldTracing implements Interceptor {
  private final OpenTelemetry openTelemetry;
  private final boolean parentChild;

  private HeraldTracing(Builder b) {
    this.openTelemetry = b.openTelemetry;
    this.parentChild = b.parentChild;
  }

  /** Tracing with default settings: process spans linked to the creation context. */
  public static HeraldTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
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
     * root with a link to it (false, the default, as the semantic conventions advise for messaging).
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
