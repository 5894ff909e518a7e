package dev.herald.bench.log;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
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
import org.HdrHistogram.Histogram;

/**
 * A Herald bus with one subscriber, for the publish → subscriber latency: either the in-memory bus
 * (an ordinary subscription), or the bus on a {@link LogTransport} in a {@link ScratchDirectory}
 * with a durable subscription (consumer group {@value #GROUP}), so each event goes publisher → log
 * writer (encoded, CRC, written) → the group's feed thread (read, CRC, decoded) → the subscription's
 * mailbox → its handler. Both publish with {@link EventBus#emit} and carry the tick's intended send
 * time as a {@code Long} payload, which the log's JSON codec writes and rebuilds; everything else is
 * the same, so the difference is the log. Transport and directory use their defaults but for the
 * flush policy. {@link #publish} may be called from one thread.
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
  private final EventBus bus;

  private DurableBus(TickSink sink, FlushPolicy policy, int appendQueue) throws IOException {
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
      LogTransport transport = LogTransport.builder(LogDirectory.open(dir.path(), logOptions)).build();
      bus = Herald.builder().transport(transport).build();
      options = options.group(GROUP);
    }
    bus.subscribe(TYPE, e -> sink.accept(new Tick(0, (Long) e.data())), options);
  }

  /** The in-memory bus: the baseline. */
  static DurableBus inMemory(TickSink sink) {
    return open(sink, null, 0);
  }

  /**
   * The bus on the durable log with {@code policy} and an append queue of {@code appendQueue}
   * records, the subscriber in a consumer group.
   */
  static DurableBus onLog(TickSink sink, FlushPolicy policy, int appendQueue) {
    return open(sink, policy, appendQueue);
  }

  /** The log's file fsyncs so far (none for the in-memory bus). */
  long fsyncs() {
    return files.forces();
  }

  /** How long each of the log's file fsyncs since the previous call took, in nanoseconds. */
  Histogram fsyncNanos() {
    return files.forceNanos();
  }

  private static DurableBus open(TickSink sink, FlushPolicy policy, int appendQueue) {
    try {
      return new DurableBus(sink, policy, appendQueue);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void publish(Tick tick) {
    bus.emit(Event.of(TYPE, tick.intendedNanos()));
  }

  /** Closes the bus (and so the transport and the directory), then deletes the directory. */
  @Override
  public void close() {
    long storeFailed = bus.stats().storeFailed();
    bus.close(Duration.ofSeconds(5));
    if (dir != null) {
      dir.close();
    }
    if (storeFailed > 0) {
      // A refused store is an event the durable subscriber never gets: the run is not valid.
      throw new IllegalStateException(storeFailed + " events could not be stored");
    }
  }
}
