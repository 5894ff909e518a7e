package dev.herald.bench.queue;

import dev.herald.internal.MpmcArrayQueue;
import dev.herald.internal.MpscArrayQueue;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Herald's mailbox queues against JCTools' (the VarHandle flavours, {@code jctools-core-jdk11}, so
 * neither side uses {@code Unsafe}), at Herald's default mailbox size: producers offer as fast as
 * they can, one consumer polls. The figure is {@code polled}, elements taken per second; a failed
 * offer (full) or an empty poll is counted apart and is not an operation. {@code oneProducer} is 1
 * producer and 1 consumer; {@code fourProducers} is 4 and 1 (on two cores, five spinning threads
 * take turns: it measures contention on the tail as much as the queue).
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class QueueOfferPoll {
  private static final Object ELEMENT = new Object();

  /** Which queue: Herald's or JCTools', single- or multi-consumer. */
  @Param({"herald-mpsc", "jctools-mpsc", "herald-mpmc", "jctools-mpmc"})
  public String queue;

  @Param({"8192"})
  public int capacity;

  private Q q;

  /** The two operations measured, over both libraries' queues. */
  record Q(Predicate<Object> offer, Supplier<Object> poll) {}

  @Setup(Level.Trial)
  public void open() {
    q =
        switch (queue) {
          case "herald-mpsc" -> of(new MpscArrayQueue(capacity));
          case "herald-mpmc" -> of(new MpmcArrayQueue(capacity));
          case "jctools-mpsc" -> of(new MpscVarHandleArrayQueue<>(capacity));
          case "jctools-mpmc" -> of(new MpmcVarHandleArrayQueue<>(capacity));
          default -> throw new IllegalArgumentException("unknown queue '" + queue + "'");
        };
  }

  private static Q of(MpscArrayQueue h) {
    return new Q(h::offer, h::poll);
  }

  private static Q of(MpmcArrayQueue h) {
    return new Q(h::offer, h::poll);
  }

  private static Q of(Queue<Object> j) {
    return new Q(j::offer, j::poll);
  }

  /** A producer's failed offers, apart from the score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Offers {
    public long full;
  }

  /** The consumer's takes (the score) and empty polls. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Polls {
    public long polled;
    public long empty;
  }

  @Benchmark
  @Group("oneProducer")
  @GroupThreads(1)
  public void offer1(Offers o) {
    if (!q.offer().test(ELEMENT)) {
      o.full++;
    }
  }

  @Benchmark
  @Group("oneProducer")
  @GroupThreads(1)
  public void poll1(Polls p) {
    poll(p);
  }

  @Benchmark
  @Group("fourProducers")
  @GroupThreads(4)
  public void offer4(Offers o) {
    if (!q.offer().test(ELEMENT)) {
      o.full++;
    }
  }

  @Benchmark
  @Group("fourProducers")
  @GroupThreads(1)
  public void poll4(Polls p) {
    poll(p);
  }

  private void poll(Polls p) {
    if (q.poll().get() != null) {
      p.polled++;
    } else {
      p.empty++;
    }
  }
}
