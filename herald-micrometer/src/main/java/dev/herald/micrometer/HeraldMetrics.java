package dev.herald.micrometer;

import dev.herald.EventBus;
import dev.herald.spi.Interceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;

/**
 * Micrometer meters for one Herald bus. Install it on the bus, then bind it:
 *
 * <pre>{@code
 * HeraldMetrics metrics = new HeraldMetrics();
 * EventBus bus = Herald.builder().interceptor(metrics).build();
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <p>The meters and their tags are listed in {@code docs/observability.md}.
 */
public final class HeraldMetrics implements MeterBinder, Interceptor {
  private final List<Tag> tags;

  /** Meters without extra tags. */
  public HeraldMetrics() {
    this(List.of());
  }

  /** Meters with {@code tags} added to each (the bus's name, say). */
  public HeraldMetrics(Iterable<Tag> tags) {
    this.tags = io.micrometer.core.instrument.Tags.of(tags).stream().toList();
  }

  @Override
  public void attach(EventBus bus) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    throw new UnsupportedOperationException("not implemented yet " + tags);
  }
}
