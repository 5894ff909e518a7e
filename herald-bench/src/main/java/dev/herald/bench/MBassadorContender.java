package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;
import net.engio.mbassy.bus.MBassador;
import net.engio.mbassy.listener.Handler;
import net.engio.mbassy.listener.Listener;
import net.engio.mbassy.listener.References;

/**
 * MBassador with its default configuration, publishing asynchronously ({@code publishAsync}): an
 * unbounded queue drained by its two dispatcher threads, which call the handlers.
 */
final class MBassadorContender implements Contender {
  private final MBassador<Object> bus;
  // MBassador's default is to hold listeners weakly; these keep them alive for the benchmark.
  private final List<SinkListener> listeners = new ArrayList<>();

  MBassadorContender(List<TickSink> subscribers) {
    this.bus =
        new MBassador<>(
            error -> {
              throw new IllegalStateException("MBassador handler failed: " + error);
            });
    for (TickSink sink : subscribers) {
      SinkListener l = new SinkListener(sink);
      listeners.add(l);
      bus.subscribe(l);
    }
  }

  @Override
  public void publish(Tick tick) {
    bus.publishAsync(tick);
  }

  @Override
  public void close() {
    bus.shutdown();
  }

  /** MBassador finds handlers by annotation, so each sink gets a listener object. */
  @Listener(references = References.Strong)
  static final class SinkListener {
    private final TickSink sink;

    SinkListener(TickSink sink) {
      this.sink = sink;
    }

    @Handler
    public void on(Tick tick) {
      sink.accept(tick);
    }
  }
}
