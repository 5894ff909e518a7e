package dev.herald.bench.lane;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.bench.Tick;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of Herald's own code on one thread, with no other thread to hand events to: a batch of
 * {@value #EVENTS} events emitted to {@code subscribers} subscriptions whose executor only collects
 * the lanes' turns, then those turns run on this same thread. What is left is the publish path
 * (routing, the mailbox offers, scheduling) and a lane's turn (taking each event, the checks around
 * the handler, the counters), per event, without the cache traffic and wake-ups between cores that
 * the throughput benchmarks measure as well. The handler counts and consumes the payload; a batch
 * not wholly delivered by its turns fails the benchmark.
 *
 * <pre>
 * java -jar herald-benchmarks.jar 'dev.herald.bench.lane.' -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LaneTurn {
  static final int EVENTS = 8192;
  private static final String TYPE = "bench.tick";

  @Param({"1", "4"})
  int subscribers;

  /**
   * The subscriptions' policy for a full mailbox: {@code fail} (the default) gives each its own
   * mailbox; {@code block} has subscriptions selecting the same events share one ring.
   */
  @Param({"fail", "block"})
  String backpressure;

  private final ArrayDeque<Runnable> turns = new ArrayDeque<>();
  private final Executor collect = turns::add;
  private EventBus bus;
  private Event<?>[] events;
  private Blackhole sink;
  private long handled;
  private long expected;

  @Setup(Level.Trial)
  public void open(Blackhole bh) {
    sink = bh;
    bus = Herald.inMemory();
    SubscribeOptions options =
        SubscribeOptions.defaults().mailboxCapacity(EVENTS).executor(collect);
    if (backpressure.equals("block")) {
      options = options.backpressure(Backpressure.block(Duration.ofSeconds(1)));
    } else if (!backpressure.equals("fail")) {
      throw new IllegalArgumentException("backpressure: fail or block, not " + backpressure);
    }
    for (int s = 0; s < subscribers; s++) {
      bus.subscribe(
          Tick.class,
          t -> {
            handled++; // on this thread only: the executor runs nothing itself
            sink.consume(t);
          },
          options);
    }
    events = new Event<?>[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      events[i] = Event.of(TYPE, new Tick(0, i));
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    bus.close();
  }

  /** Emits the batch, then runs every lane turn it scheduled; per event, all subscriptions. */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void emitThenDrain() {
    for (Event<?> e : events) {
      bus.emit(e);
    }
    Runnable turn;
    while ((turn = turns.poll()) != null) {
      turn.run();
    }
    expected += (long) EVENTS * subscribers;
    if (handled != expected) {
      throw new IllegalStateException("handled " + handled + " of " + expected + " deliveries");
    }
  }
}
