package dev.herald.internal;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.spi.Interceptor;
import java.util.List;
import java.util.Objects;

/**
 * The bus's {@link Interceptor}s, in the order they were installed, applied as one. A bus without
 * interceptors has none of this (its engine holds null), so its publish and delivery paths pay
 * nothing. Immutable; thread-safe as its interceptors are.
 */
final class Interceptors {
  private final Interceptor[] chain;
  private final Observers observers;

  Interceptors(List<Interceptor> chain, Observers observers) {
    this.chain = chain.toArray(new Interceptor[0]);
    this.observers = observers;
  }

  void attach(EventBus bus) {
    for (Interceptor i : chain) {
      i.attach(bus);
    }
  }

  /**
   * The event each interceptor makes of {@code event}, in order. If one throws, those before it
   * hear that the publish failed, and the exception reaches the publisher.
   */
  Event<?> onPublish(Event<?> event) {
    Event<?> e = event;
    for (int i = 0; i < chain.length; i++) {
      try {
        e = Objects.requireNonNull(chain[i].onPublish(e), "Interceptor.onPublish");
      } catch (RuntimeException | Error failure) {
        for (int j = i - 1; j >= 0; j--) {
          published(j, e, failure);
        }
        throw failure;
      }
    }
    return e;
  }

  /** Tells every interceptor, last installed first, how the publish of {@code event} ended. */
  void onPublished(Event<?> event, Throwable failure) {
    for (int i = chain.length - 1; i >= 0; i--) {
      published(i, event, failure);
    }
  }

  private void published(int i, Event<?> event, Throwable failure) {
    try {
      chain[i].onPublished(event, failure);
    } catch (RuntimeException e) {
      observers.interceptorFailed("onPublished", e);
    }
  }

  /**
   * {@code invoker} wrapped in every interceptor's {@link Interceptor#aroundHandler}, the first
   * installed outermost. Built once per subscription, so a call allocates nothing for the chain.
   */
  SubscriptionImpl.Invoker wrap(
      String subscription, String group, SubscriptionImpl.Invoker invoker) {
    Interceptor.Next next = invoker::invoke;
    for (int i = chain.length - 1; i >= 0; i--) {
      Interceptor interceptor = chain[i];
      Interceptor.Next inner = next;
      next = e -> interceptor.aroundHandler(subscription, group, e, inner);
    }
    return next::proceed;
  }
}
