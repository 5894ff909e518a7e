package dev.herald.bench.seed;

import java.util.concurrent.SynchronousQueue;
import java.util.function.Consumer;

/**
 * The seed's {@code consumeEvents} goroutine: subscribes an unbuffered channel and handles whatever
 * arrives on it, on a thread of its own, until {@link #close()} interrupts it (Go's loop ends when
 * the channel closes; Java's SynchronousQueue cannot be closed).
 */
public final class SeedConsumer implements AutoCloseable {
  private final Thread thread;

  public SeedConsumer(
      SeedEventBus bus, String eventType, String name, Consumer<SeedEventBus.Event> handler) {
    SynchronousQueue<SeedEventBus.Event> ch = new SynchronousQueue<>();
    bus.subscribe(eventType, ch);
    thread =
        new Thread(
            () -> {
              try {
                for (; ; ) {
                  handler.accept(ch.take());
                }
              } catch (InterruptedException e) {
                // close(): the consumer ends, as a goroutine does when its channel is closed.
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
