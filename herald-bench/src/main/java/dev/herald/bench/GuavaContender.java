package dev.herald.bench;

import com.google.common.eventbus.AllowConcurrentEvents;
import com.google.common.eventbus.AsyncEventBus;
import com.google.common.eventbus.EventBus;
import com.google.common.eventbus.Subscribe;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Guava's {@link EventBus} (handlers run on the publishing thread) or {@link AsyncEventBus} on a
 * fixed pool of {@link Library#POOL_THREADS} threads. Handlers are marked {@link
 * AllowConcurrentEvents}, Guava's fastest configuration (the sinks are thread-safe).
 */
final class GuavaContender implements Contender {
  private final EventBus bus;
  private final ExecutorService pool;

  private GuavaContender(EventBus bus, ExecutorService pool, List<TickSink> subscribers) {
    this.bus = bus;
    this.pool = pool;
    for (TickSink sink : subscribers) {
      bus.register(new Listener(sink));
    }
  }

  static GuavaContender async(List<TickSink> subscribers) {
    ExecutorService pool =
        Executors.newFixedThreadPool(Library.POOL_THREADS, new DaemonThreads("guava-async"));
    return new GuavaContender(new AsyncEventBus("bench", pool), pool, subscribers);
  }

  static GuavaContender sync(List<TickSink> subscribers) {
    return new GuavaContender(new EventBus("bench"), null, subscribers);
  }

  @Override
  public void publish(Tick tick) {
    bus.post(tick);
  }

  @Override
  public void close() {
    if (pool != null) {
      Contender.shutDown(pool);
    }
  }

  /** Guava finds handlers by annotation, so each sink gets a listener object. */
  static final class Listener {
    private final TickSink sink;

    Listener(TickSink sink) {
      this.sink = sink;
    }

    @Subscribe
    @AllowConcurrentEvents
    public void on(Tick tick) {
      sink.accept(tick);
    }
  }
}
