package dev.herald.bench;

import dev.herald.bench.seed.SeedConsumer;
import dev.herald.bench.seed.SeedEventBus;
import java.util.ArrayList;
import java.util.List;

/** The seed's Go bus, ported: one consumer thread per subscriber, each on its own channel. */
final class SeedContender implements Contender {
  private static final String TYPE = "bench.tick";
  // The seed's events carry an id; a constant one keeps string building out of the measurement.
  private static final String ID = "tick";

  private final SeedEventBus bus = new SeedEventBus();
  private final List<SeedConsumer> consumers = new ArrayList<>();

  SeedContender(List<TickSink> subscribers) {
    int n = 0;
    for (TickSink sink : subscribers) {
      consumers.add(
          new SeedConsumer(
              bus, TYPE, "seed-consumer-" + ++n, e -> sink.accept((Tick) e.payload())));
    }
  }

  @Override
  public void publish(Tick tick) {
    try {
      bus.publish(new SeedEventBus.Event(ID, TYPE, tick));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing", e);
    }
  }

  @Override
  public void close() {
    consumers.forEach(SeedConsumer::close);
  }
}
