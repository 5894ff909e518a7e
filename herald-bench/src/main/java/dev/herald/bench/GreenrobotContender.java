package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.greenrobot.eventbus.EventBus;
import org.greenrobot.eventbus.Logger;
import org.greenrobot.eventbus.Subscribe;
import org.greenrobot.eventbus.ThreadMode;

/**
 * greenrobot's EventBus for plain Java. Outside Android every thread counts as its "main thread",
 * so {@link ThreadMode#BACKGROUND} queues each event for the bus's single background poster and
 * {@link ThreadMode#ASYNC} submits one task per event and subscriber. Both run on a cached thread
 * pool, greenrobot's default kind, owned here so that it is shut down at close.
 */
final class GreenrobotContender implements Contender {
  /** Only severe messages: the background poster logs a warning when close() interrupts it. */
  private static final Logger QUIET =
      new Logger() {
        @Override
        public void log(Level level, String msg) {
          if (level == Level.SEVERE) {
            System.err.println("greenrobot: " + msg);
          }
        }

        @Override
        public void log(Level level, String msg, Throwable th) {
          if (level == Level.SEVERE) {
            System.err.println("greenrobot: " + msg + ": " + th);
          }
        }
      };

  private final EventBus bus;
  private final ExecutorService pool;
  private final List<Object> listeners = new ArrayList<>();

  private GreenrobotContender(List<TickSink> subscribers, boolean async) {
    this.pool = Executors.newCachedThreadPool(new DaemonThreads("greenrobot"));
    this.bus =
        EventBus.builder()
            .executorService(pool)
            .logNoSubscriberMessages(false)
            .sendNoSubscriberEvent(false)
            .logger(QUIET)
            .build();
    for (TickSink sink : subscribers) {
      Object l = async ? new AsyncListener(sink) : new BackgroundListener(sink);
      listeners.add(l);
      bus.register(l);
    }
  }

  static GreenrobotContender background(List<TickSink> subscribers) {
    return new GreenrobotContender(subscribers, false);
  }

  static GreenrobotContender async(List<TickSink> subscribers) {
    return new GreenrobotContender(subscribers, true);
  }

  @Override
  public void publish(Tick tick) {
    bus.post(tick);
  }

  @Override
  public void close() {
    for (Object l : listeners) {
      bus.unregister(l);
    }
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A subscriber delivered by greenrobot's background poster. */
  public static final class BackgroundListener {
    private final TickSink sink;

    BackgroundListener(TickSink sink) {
      this.sink = sink;
    }

    @Subscribe(threadMode = ThreadMode.BACKGROUND)
    public void on(Tick tick) {
      sink.accept(tick);
    }
  }

  /** A subscriber delivered by one pool task per event. */
  public static final class AsyncListener {
    private final TickSink sink;

    AsyncListener(TickSink sink) {
      this.sink = sink;
    }

    @Subscribe(threadMode = ThreadMode.ASYNC)
    public void on(Tick tick) {
      sink.accept(tick);
    }
  }
}
