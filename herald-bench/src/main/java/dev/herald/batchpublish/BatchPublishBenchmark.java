package dev.herald.batchpublish;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.bench.Arrival;
import dev.herald.bench.Tick;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Batch publishing, one publisher to one subscriber (1→1): Herald's {@link EventBus#emitAll}
 * against the Disruptor's batch claim ({@code RingBuffer.next(n)}, then {@code publish(lo, hi)}),
 * with Herald's {@link EventBus#emit} in a loop as the baseline. Both buses hold 65,536 events,
 * make the publisher wait when full, and let an idle consumer sleep ({@link BlockingWaitStrategy};
 * Herald's lanes never spin). An operation publishes {@value #EVENTS_PER_OP} events in batches of
 * {@code batch} and returns once the subscriber received them all, so the score, in events per
 * second, includes delivery. Each Herald event is a new {@link Event}, as a user would publish it.
 *
 * <p>In a package of its own, outside {@code dev.herald.bench}, so that the suite of {@code
 * ./herald bench} (whose report reads every benchmark there as a library in a topology) leaves it
 * out. Run it alone: {@code java -jar herald-bench/target/herald-benchmarks.jar
 * BatchPublishBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BatchPublishBenchmark {
  static final int EVENTS_PER_OP = 64 * 160;
  private static final int RING = 65_536;
  private static final String TYPE = "bench.tick";

  /** As the suite's Herald contender: nothing dropped, a full mailbox makes the publisher wait. */
  private static final SubscribeOptions OPTIONS =
      SubscribeOptions.defaults()
          .mailboxCapacity(RING)
          .backpressure(Backpressure.block(Duration.ofSeconds(30)));

  /**
   * Herald's subscription policy: {@code block} (as above, a ring of its own) or {@code fail}, the
   * default policy (an own mailbox), which refuses nothing here: an operation's events fit in it.
   */
  @Param({"block"})
  public String backpressure;

  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);

  @Param({"herald-emitAll", "herald-emit", "disruptor-batch"})
  public String contender;

  @Param({"64"})
  public int batch;

  private final Arrival arrival = new Arrival();
  private final Tick tick = new Tick(0, 0);
  private long sent;
  private EventBus bus;
  private List<Event<?>> events;
  private Disruptor<Slot> disruptor;
  private RingBuffer<Slot> ring;

  @Setup(Level.Trial)
  public void open() {
    if (EVENTS_PER_OP % batch != 0) {
      throw new IllegalArgumentException("batch must divide " + EVENTS_PER_OP + ": " + batch);
    }
    if (contender.startsWith("herald")) {
      bus = Herald.builder().build();
      SubscribeOptions options =
          switch (backpressure) {
            case "block" -> OPTIONS;
            case "fail" -> OPTIONS.backpressure(Backpressure.fail());
            default -> throw new IllegalArgumentException("unknown backpressure: " + backpressure);
          };
      bus.subscribe(TYPE, e -> arrival.arrive(), options);
      events = new ArrayList<>(batch);
    } else if (contender.equals("disruptor-batch")) {
      disruptor =
          new Disruptor<>(
              Slot::new,
              RING,
              r -> {
                Thread t = new Thread(r, "disruptor-batch");
                t.setDaemon(true);
                return t;
              },
              ProducerType.SINGLE,
              new BlockingWaitStrategy());
      disruptor.handleEventsWith((slot, seq, endOfBatch) -> arrival.arrive());
      ring = disruptor.start();
    } else {
      throw new IllegalArgumentException("unknown contender: " + contender);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws TimeoutException {
    if (bus != null) {
      bus.close(Duration.ofSeconds(5));
    }
    if (disruptor != null) {
      disruptor.shutdown(5, TimeUnit.SECONDS);
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS_PER_OP)
  public long deliver() {
    long target = sent + EVENTS_PER_OP;
    arrival.expect(target);
    switch (contender) {
      case "herald-emitAll" -> heraldBatches();
      case "herald-emit" -> heraldOneByOne();
      default -> disruptorBatches();
    }
    arrival.await(target, STALL_NANOS);
    sent = target;
    return target;
  }

  private void heraldBatches() {
    for (int b = 0; b < EVENTS_PER_OP; b += batch) {
      events.clear();
      for (int i = 0; i < batch; i++) {
        events.add(Event.of(TYPE, tick));
      }
      bus.emitAll(events);
    }
  }

  private void heraldOneByOne() {
    for (int i = 0; i < EVENTS_PER_OP; i++) {
      bus.emit(Event.of(TYPE, tick));
    }
  }

  private void disruptorBatches() {
    for (int b = 0; b < EVENTS_PER_OP; b += batch) {
      long hi = ring.next(batch);
      long lo = hi - (batch - 1);
      for (long seq = lo; seq <= hi; seq++) {
        ring.get(seq).tick = tick;
      }
      ring.publish(lo, hi);
    }
  }

  /** A ring slot; reused, so publishing allocates nothing. */
  static final class Slot {
    Tick tick;
  }
}
