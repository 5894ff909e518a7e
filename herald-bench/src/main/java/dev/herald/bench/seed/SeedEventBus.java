package dev.herald.bench.seed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A faithful Java port of the event bus in the seed document ("Basics of Event-Driven Systems",
 * Step 2), the baseline Herald's brief starts from. Thread-safe.
 *
 * <p>How the Go maps onto Java:
 *
 * <pre>
 * Go                                        Java
 * type Event struct{ID, Type, Payload}      record {@link Event}(id, type, payload)
 * consumers map[string][]chan Event         HashMap&lt;String, List&lt;SynchronousQueue&lt;Event&gt;&gt;&gt;
 * make(chan Event)  (unbuffered)            new SynchronousQueue&lt;&gt;(): put blocks until a take
 * lock sync.RWMutex                         ReentrantReadWriteLock (non-fair, like Go's)
 * Publish: RLock; for ch: ch &lt;- event      read lock held while put() into every channel in turn
 * Subscribe: Lock; append(chans, consumer)  write lock; list add
 * for event := range ch { ... }             {@link SeedConsumer}: a thread looping on take()
 * go consumeEvents(...)                     one platform thread per consumer
 * </pre>
 *
 * <p>Kept as in the Go, on purpose: a publish blocks until every consumer has taken the event, one
 * consumer after the other, while holding the read lock (so a slow consumer stalls every publisher,
 * and a subscribe waits for publishes in progress); events of a type nobody subscribed to vanish.
 */
public final class SeedEventBus {
  /** The seed's {@code Event}: an id, a type used for routing, and any payload. */
  public record Event(String id, String type, Object payload) {}

  private final Map<String, List<SynchronousQueue<Event>>> consumers = new HashMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** Hands {@code event} to every channel subscribed to its type, waiting for each to take it. */
  public void publish(Event event) throws InterruptedException {
    lock.readLock().lock();
    try {
      List<SynchronousQueue<Event>> chans = consumers.get(event.type());
      if (chans != null) {
        for (SynchronousQueue<Event> ch : chans) {
          ch.put(event);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Adds {@code consumer} to the channels of {@code eventType}. */
  public void subscribe(String eventType, SynchronousQueue<Event> consumer) {
    lock.writeLock().lock();
    try {
      consumers.computeIfAbsent(eventType, t -> new ArrayList<>()).add(consumer);
    } finally {
      lock.writeLock().unlock();
    }
  }
}
