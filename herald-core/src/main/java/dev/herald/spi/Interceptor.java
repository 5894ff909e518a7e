package dev.herald.spi;

import dev.herald.Event;
import dev.herald.EventBus;

/**
 * Sees every publish and wraps every handler call of a bus: the seam that tracing and metrics
 * integrations build on ({@code herald-opentelemetry}, {@code herald-micrometer}). Installed with
 * {@link dev.herald.Herald.Builder#interceptor}; a bus without one pays nothing for the seam.
 *
 * <p>Several interceptors nest in the order they were installed: the first one's {@link #onPublish}
 * runs first and its {@link #aroundHandler} outermost. Every method must be thread-safe: publishes
 * and handler calls run on many threads at once.
 *
 * <p><b>Failures.</b> An exception from {@link #onPublish} fails that publish (it reaches the
 * publisher, as a refusal by the bus would); one from {@link #onPublished} is reported as a
 * listener error and otherwise ignored; one from {@link #aroundHandler} is the handler call's
 * failure, retried and dead-lettered like the handler's own.
 */
public interface Interceptor {
  /** Calls the next interceptor, or the subscription's handler at the end of the chain. */
  @FunctionalInterface
  interface Next {
    /** Handles {@code event}; its exception is the handler's failure. */
    void proceed(Event<?> event) throws Exception;
  }

  /**
   * Called once by {@link dev.herald.Herald.Builder#build}, with the bus just built, before it is
   * returned to the caller: an interceptor that also reads the bus's statistics keeps it.
   */
  default void attach(EventBus bus) {}

  /**
   * Called on the publishing thread before the event is stored or routed, for each event of {@code
   * publish}, {@code emit}, their batch forms, {@code request} and {@code redrive} (not for the
   * bus's own dead letters and replies). Returns the event to publish in its place: {@code event}
   * itself, or a copy with extension attributes added (its trace context, say), with the same id.
   */
  default Event<?> onPublish(Event<?> event) {
    return event;
  }

  /**
   * Called on the publishing thread once the bus has taken the event returned by {@link #onPublish}
   * (stored or queued: a tracked publish's future may complete later) or refused it; exactly once
   * for each {@link #onPublish} that returned.
   *
   * @param failure why the bus refused the event, or null
   */
  default void onPublished(Event<?> event, Throwable failure) {}

  /**
   * Wraps one call of a subscription's handler (every subscription's but the bus's own, which takes
   * the replies to its requests), on its delivery thread: calls {@code next.proceed(event)} exactly
   * once and lets its exception through.
   *
   * @param subscription the subscription's name
   * @param group its consumer group, or null for an in-process subscription
   */
  default void aroundHandler(String subscription, String group, Event<?> event, Next next)
      throws Exception {
    next.proceed(event);
  }
}
