package dev.herald.server;

import dev.herald.Event;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A durable subscription of group {@code group} (named after it) on a store's bus, to events of
 * {@code type}: it fails, once, every event whose data is {@code "fail"}, so that event is
 * dead-lettered (no retry); a redriven copy succeeds. It fails every event whose data is {@code
 * "always"}, each time. It records what it handled.
 */
final class AdminFixture implements AutoCloseable {
  final String group;
  final Set<String> handled = ConcurrentHashMap.newKeySet();
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Subscription subscription;

  AdminFixture(GatewayStore store, String group, String pattern) {
    this.group = group;
    this.subscription =
        store
            .bus()
            .subscribe(
                pattern,
                this::handle,
                SubscribeOptions.defaults().name(group).group(group).retry(RetryPolicy.none()));
  }

  private void handle(Event<Object> e) {
    int n = calls.computeIfAbsent(e.id(), k -> new AtomicInteger()).incrementAndGet();
    if (("fail".equals(e.data()) && n == 1) || "always".equals(e.data())) {
      throw new IllegalStateException("refused " + e.id());
    }
    handled.add(e.id());
  }

  /** Stores an event of {@code type} with {@code data} through the store, as the gateway does. */
  static Event<String> append(GatewayStore store, String type, String data) throws Exception {
    Event<String> e = Event.of(type, data);
    store.append(e).get();
    return e;
  }

  @Override
  public void close() {
    subscription.close();
  }
}
