package dev.herald.contract;

import dev.herald.Event;
import dev.herald.spi.Transport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A transport that "stores" events in a {@link Storage} object on the heap: durable across buses in
 * one JVM, which is what the durable contract needs to test restarts without a disk. Thread-safe;
 * each feed runs on a thread of its own.
 */
final class MemoryTransport implements Transport {
  /** What survives a "restart": the events and each group's acknowledged prefix. */
  static final class Storage {
    final List<Event<?>> events = new ArrayList<>();
    final Map<String, Long> committed = new HashMap<>();
    volatile RuntimeException failNextStore;
  }

  private final Storage storage;
  private final List<FeedThread> feeds = new ArrayList<>();
  private boolean closed;

  MemoryTransport(Storage storage) {
    this.storage = storage;
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public CompletableFuture<Void> store(Event<?> event) {
    RuntimeException failure = storage.failNextStore;
    if (failure != null) {
      storage.failNextStore = null;
      return CompletableFuture.failedFuture(failure);
    }
    synchronized (storage) {
      storage.events.add(event);
      storage.notifyAll();
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized Feed feed(String group, Predicate<Event<?>> filter, FeedSink sink) {
    if (closed) {
      throw new IllegalStateException("transport closed");
    }
    FeedThread t = new FeedThread(group, filter, sink);
    feeds.add(t);
    t.start();
    return t;
  }

  @Override
  public void close() {
    List<FeedThread> toStop;
    synchronized (this) {
      closed = true;
      toStop = new ArrayList<>(feeds);
    }
    for (FeedThread t : toStop) {
      t.close();
    }
  }

  private final class FeedThread extends Thread implements Feed {
    private final String group;
    private final Predicate<Event<?>> filter;
    private final FeedSink sink;
    // Acknowledgements may arrive out of order (concurrency); the group commits the contiguous
    // prefix.
    private final TreeSet<Long> acked = new TreeSet<>();
    private volatile boolean stopped;

    FeedThread(String group, Predicate<Event<?>> filter, FeedSink sink) {
      super("memory-feed-" + group);
      setDaemon(true);
      this.group = group;
      this.filter = filter;
      this.sink = sink;
    }

    @Override
    public void run() {
      long next;
      synchronized (storage) {
        next = storage.committed.getOrDefault(group, 0L);
      }
      try {
        while (!stopped) {
          Event<?> e;
          synchronized (storage) {
            while (!stopped && storage.events.size() <= next) {
              storage.wait();
            }
            if (stopped) {
              return;
            }
            e = storage.events.get((int) next);
          }
          long index = next++;
          if (filter.test(e)) {
            sink.accept(e, () -> ack(index));
          } else {
            ack(index);
          }
        }
      } catch (InterruptedException e) {
        // Closing: unacknowledged events are fed again by the next feed of this group.
      }
    }

    private void ack(long index) {
      synchronized (storage) {
        acked.add(index);
        long c = storage.committed.getOrDefault(group, 0L);
        while (acked.remove(c)) {
          c++;
        }
        storage.committed.put(group, c);
      }
    }

    @Override
    public void close() {
      stopped = true;
      synchronized (storage) {
        storage.notifyAll();
      }
      interrupt();
      try {
        join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
