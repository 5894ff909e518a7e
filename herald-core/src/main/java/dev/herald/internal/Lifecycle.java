package dev.herald.internal;

/**
 * Where a bus is in its life: open, then closed (draining: new publishes and subscriptions are
 * refused, handlers may still publish), then abandoned (what is left is dropped). Written only by
 * {@link Closer}, in that order and once; read lock-free by any thread.
 */
final class Lifecycle {
  private volatile boolean closed;
  private volatile boolean abandoned;

  boolean isClosed() {
    return closed;
  }

  boolean isAbandoned() {
    return abandoned;
  }

  void markClosed() {
    closed = true;
  }

  void markAbandoned() {
    abandoned = true;
  }
}
