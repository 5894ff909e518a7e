package dev.herald.bench.log;

import dev.herald.Backpressure;
import dev.herald.BusListener;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.StoreRefusedException;
import dev.herald.SubscribeOptions;
import dev.herald.bench.Contender;
import dev.herald.bench.Tick;
import dev.herald.bench.TickSink;
import dev.herald.log.FlushPolicy;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * A Herald bus with one subscriber, for the publish → subscriber latency: either the in-memory bus
 * (an ordinary subscription), or the bus on a {@link LogTransport} in a {@link ScratchDirectory}
 * with a durable subscription (consumer group {@value #GROUP}), so each event goes publisher → log
 * writer (encoded, CRC, written) → the group's feed thread (read, CRC, decoded) → the
 * subscription's mailbox → its handler. Both publish with {@link EventBus#emit} and carry the
 * tick's intended send time as a {@code Long} payload, which the log's JSON codec writes and
 * rebuilds; everything else is the same, so the difference is the log. Transport and directory use
 * their defaults but for the flush policy. {@link #publish} may be called from one thread.
 */
final class DurableBus implements Contender {
  static final String TYPE = "bench.tick";
  static final String GROUP = "latency";

  /** Nothing dropped: a full mailbox makes the feed (or the publisher) wait. */
  private static final SubscribeOptions OPTIONS =
      SubscribeOptions.defaults()
          .mailboxCapacity(65_536)
          .backpressure(Backpressure.block(Duration.ofSeconds(30)));

  private final ScratchDirectory dir;
  private final CountingFileLayer files = new CountingFileLayer();
  private final LongAdder refused = new LongAdder();
  private final EventBus bus;

  private DurableBus(TickSink sink, FlushPolicy policy, int appendQueue, int commitEvery)
      throws IOException {
    SubscribeOptions options = OPTIONS;
    if (policy == null) {
      dir = null;
      bus = Herald.builder().build();
    } else {
      dir = ScratchDirectory.create("herald-durable-bench");
      LogOptions logOptions =
          LogOptions.builder()
              .flushPolicy(policy)
              .appendQueueCapacity(appendQueue)
              .fileLayer(files)
              .build();
      LogTransport.Builder transport =
          LogTransport.builder(LogDirectory.open(dir.path(), logOptions));
      if (commitEvery > 0) {
        transport.commitEvery(commitEvery);
      }
      BusListener countRefusals =
          new BusListener() {
            @Override
            public void onStoreFailed(Event<?> event, Throwable cause) {
              refused.increment();
            }
          };
      bus = Herald.builder().transport(transport.build()).listener(countRefusals).build();
      options = options.group(GROUP);
    }
    bus.subscribe(TYPE, e -> sink.accept(new Tick(0, (Long) e.data())), options);
  }

  /** The in-memory bus: the baseline. */
  static DurableBus inMemory(TickSink sink) {
    return open(sink, null, 0, 0);
  }

  /**
   * The bus on the durable log with {@code policy} and an append queue of {@code appendQueue}
   * records, the subscriber in a consumer group whose offset is committed every {@code commitEvery}
   * acknowledgements (0: the transport's default).
   */
  static DurableBus onLog(TickSink sink, FlushPolicy policy, int appendQueue, int commitEvery) {
    return open(sink, policy, appendQueue, commitEvery);
  }

  /** The log's file fsyncs so far (none for the in-memory bus). */
  long fsyncs() {
    return files.forces();
  }

  /** How long each of the log's file fsyncs since the previous call took, in nanoseconds. */
  Histogram fsyncNanos() {
    return files.forceNanos();
  }

  private static DurableBus open(
      TickSink sink, FlushPolicy policy, int appendQueue, int commitEvery) {
    try {
      return new DurableBus(sink, policy, appendQueue, commitEvery);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Emits the tick.
   *
   * @throws IllegalStateException once the log has refused an event (its append queue was full):
   *     the durable subscriber will never get it, so the run is not valid
   */
  @Override
  public void publish(Tick tick) {
    try {
      bus.emit(Event.of(TYPE, tick.intendedNanos()));
    } catch (StoreRefusedException e) {
      // The log refused it at once (a full queue): the listener has counted it on this thread.
    }
    if (refused.sum() > 0) {
      throw new IllegalStateException(
          "the log refused "
              + refused.sum()
              + " events (append queue full: the writer fell behind); try a larger --append-queue");
    }
  }

  /** Closes the bus (and so the transport and the directory), then deletes the directory. */
  @Override
  public void close() {
    try {
      bus.close(Duration.ofSeconds(5));
    } finally {
      if (dir != null) {
        dir.close();
      }
    }
  }
}
