package dev.herald.spring.boot;

import dev.herald.Event;
import dev.herald.spi.Transport;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A transport that stores nothing: each store succeeds or fails as the test says, and each feed can
 * be made to fail for good.
 */
final class TestTransport implements Transport {
  volatile boolean failStores;
  final Map<String, FeedSink> sinks = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return "test";
  }

  @Override
  public CompletableFuture<Void> store(Event<?> event) {
    return failStores
        ? CompletableFuture.failedFuture(new IOException("disk full"))
        : CompletableFuture.completedFuture(null);
  }

  @Override
  public Feed feed(String group, Predicate<Event<?>> filter, FeedSink sink) {
    sinks.put(group, sink);
    return () -> sinks.remove(group);
  }

  void failFeed(String group) {
    sinks.get(group).failed(new IOException("log corrupt"));
  }

  @Override
  public void close() {}
}
