package dev.herald.bench.listener;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.Subscribe;
import dev.herald.SubscribeOptions;
import dev.herald.bench.Arrival;
import dev.herald.bench.Tick;
import java.lang.invoke.MethodHandles;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What an annotated listener costs against the same lambda: one thread emits ticks on an in-memory
 * bus, one subscription by payload class hands each to {@link TickListener#on}, 1→1. The score is
 * ticks delivered per second (one operation is one tick; an invocation emits a batch and returns
 * once the handler has taken all of it).
 *
 * <p>{@code handler}: {@code lambda} subscribes {@code bus.subscribe(Tick.class, t ->
 * listener.on(t), options)}; {@code annotated} registers the same listener, whose
 * {@code @Subscribe} method Herald calls through a class it generated; {@code
 * annotated-method-handle} registers it with a lookup that may define no class, so Herald calls it
 * through a bound method handle (a named module that only opens its package to Herald). Every
 * subscription has the same options: Herald's defaults and the name {@value #NAME}. A batch is half
 * the default mailbox, so none is ever full.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AnnotatedListenerOnePublisher {
  /** Ticks emitted per invocation: half the default mailbox. */
  static final int EVENTS_PER_OP = SubscribeOptions.DEFAULT_MAILBOX_CAPACITY / 2;

  static final String NAME = "ticks";

  private static final String TYPE = "bench.tick";
  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);

  @Param({"lambda", "annotated", "annotated-method-handle"})
  public String handler;

  private final Tick[] batch = new Tick[EVENTS_PER_OP];
  private EventBus bus;
  private Arrival arrival;
  private long sent;

  /** The listener: public, so that a lookup without private access still reaches its method. */
  public static final class TickListener {
    private final Arrival arrival;

    TickListener(Arrival arrival) {
      this.arrival = arrival;
    }

    @Subscribe(name = NAME)
    public void on(Tick tick) {
      arrival.arrive();
    }
  }

  @Setup(Level.Trial)
  public void open() {
    for (int i = 0; i < EVENTS_PER_OP; i++) {
      batch[i] = new Tick(0, 0);
    }
    arrival = new Arrival();
    sent = 0;
    bus = Herald.inMemory();
    TickListener listener = new TickListener(arrival);
    switch (handler) {
      case "lambda" ->
          bus.subscribe(Tick.class, t -> listener.on(t), SubscribeOptions.defaults().name(NAME));
      case "annotated" -> bus.register(listener);
      case "annotated-method-handle" ->
          bus.register(
              listener, MethodHandles.lookup().dropLookupMode(MethodHandles.Lookup.MODULE));
      default -> throw new IllegalArgumentException("unknown handler '" + handler + "'");
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    bus.close(Duration.ofSeconds(5));
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS_PER_OP)
  public long deliver() {
    long target = sent + EVENTS_PER_OP;
    arrival.expect(target);
    for (Tick tick : batch) {
      bus.emit(Event.of(TYPE, tick));
    }
    arrival.await(target, STALL_NANOS);
    sent = target;
    return sent;
  }
}
