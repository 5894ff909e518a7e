package dev.herald.server;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.spi.Transport;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A test store over a real one: forwards everything to {@code delegate}, so that a test double
 * overrides only what it changes (how appends are answered). A batch goes through {@link #append}
 * one event at a time unless the double overrides {@link #appendAll}. Closing it leaves the
 * delegate open: the test closes the real store itself.
 */
public abstract class ForwardingGatewayStore implements GatewayStore {
  protected final GatewayStore delegate;

  protected ForwardingGatewayStore(GatewayStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public EventBus bus() {
    return delegate.bus();
  }

  @Override
  public Transport transport() {
    return delegate.transport();
  }

  @Override
  public CompletableFuture<String> append(Event<?> event) {
    return delegate.append(event);
  }

  @Override
  public Optional<String> unavailable() {
    return delegate.unavailable();
  }

  @Override
  public Cursor cursor(String from) {
    return delegate.cursor(from);
  }

  @Override
  public List<GroupLag> groups() {
    return delegate.groups();
  }

  @Override
  public List<StoredDeadLetter> deadLetters(String group, int limit) {
    return delegate.deadLetters(group, limit);
  }

  @Override
  public Optional<StoredDeadLetter> deadLetter(String position) {
    return delegate.deadLetter(position);
  }

  @Override
  public CompletableFuture<Void> redrive(StoredDeadLetter deadLetter) {
    return delegate.redrive(deadLetter);
  }

  @Override
  public void close() {
    // The test closes the real store itself.
  }
}
