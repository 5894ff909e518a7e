package dev.herald.log;

import dev.herald.Event;
import dev.herald.codec.JsonPayloadCodec;
import dev.herald.codec.PayloadCodec;
import dev.herald.codec.UndecodableRecord;
import dev.herald.spi.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Herald's durable {@link Transport} on a {@link LogDirectory}: every stored event is one record of
 * a single topic ({@code events} by default), laid out as described in {@link
 * dev.herald.codec.CloudEventsBinary} (CloudEvents Kafka binary binding: {@code ce_*} headers, key,
 * {@code content-type}), with the payload encoded by a {@link PayloadCodec} ({@link
 * JsonPayloadCodec} by default). Each consumer group's progress is an offset in the directory's
 * {@link OffsetStore}. Durable subscriptions of one group share its work as members of a Kafka
 * consumer group do: each record goes to one of them, chosen by key, so per-key order holds; when
 * one leaves, what it held unfinished goes to the others ({@link LogFeed}).
 *
 * <pre>
 *   LogTransport t = LogTransport.builder(LogDirectory.open(dir, LogOptions.defaults()))
 *       .codec(JsonPayloadCodec.builder().allowPackages("com.example.orders").build())
 *       .build();
 *   EventBus bus = Herald.builder().transport(t).build();
 * </pre>
 *
 * <p>Threads: safe for use from any thread. {@link #store} encodes on the caller's thread and only
 * enqueues the record (the log's writer thread writes it); its future completes when the record is
 * as durable as the directory's {@link FlushPolicy} promises, and fails with the codec's {@link
 * IllegalArgumentException}, the log's {@link java.util.concurrent.RejectedExecutionException} when
 * its append queue is full, or its I/O failure. Each {@link #feed} runs on a thread of its own,
 * {@code herald-log-feed-<group>}.
 *
 * <p>Delivery is at least once. A group commits the contiguous prefix of acknowledged offsets on a
 * thread of its own, {@code herald-log-commit-<group>}, once {@link Builder#commitEvery}
 * acknowledgements have accumulated, at least every {@link Builder#idleWait} while the prefix
 * moves, and on close, so a crash redelivers what was acknowledged since the last commit, and
 * everything not acknowledged. Acknowledging never waits for the disk.
 *
 * <p>Payload classes: a subscription that names a payload class gets a record that names that class
 * (or, for a sealed class or interface, a permitted subclass) decoded into it, whether or not the
 * codec allows it ({@link dev.herald.codec.SubscribedClass}); the codec's allow-list decides for
 * every other subscription and class.
 *
 * <p>Undecodable records: a record whose headers do not make a valid event, whose payload the codec
 * refuses, or whose payload cannot become the class a subscription names, goes to the dead-letter
 * channel of every group that takes its type (every group, when even its type is unreadable), with
 * the cause: a {@link dev.herald.DeadLetter} whose event carries the record's id and type and an
 * {@link UndecodableRecord} (topic, offset, error) as data. The feed goes on and the group is never
 * blocked by it; the record stays in the log for inspection ({@code herald log tail --from-offset
 * N}).
 *
 * <p>A feed that fails for good (the log found corrupt under it, an I/O error) logs the failure
 * (SLF4J, logger {@code dev.herald.log}, at ERROR; docs/logging.md) and reports it to the bus,
 * whose {@link dev.herald.BusListener#onFeedFailed} hears of it.
 *
 * <p>This transport owns the directory: {@link #close()} stops every feed, commits what each group
 * finished, and closes the directory.
 */
public final class LogTransport implements Transport {
  private static final Duration REPLAY_WAIT = Duration.ofSeconds(1);

  private final LogDirectory directory;
  private final Log log;
  private final EventRecordDescriptor descriptor;
  private final int commitEvery;
  private final Duration idleWait;
  private final Map<String, LogFeed> feeds = new HashMap<>(); // by group; guarded by this
  private final LongAdder commitFailures = new LongAdder();
  private boolean closed;

  private LogTransport(Builder b) throws IOException {
    this.directory = b.directory;
    this.log = directory.topic(b.topic);
    this.descriptor = new EventRecordDescriptor(b.codec);
    this.commitEvery = b.commitEvery;
    this.idleWait = b.idleWait;
  }

  /** A builder for a transport that owns {@code directory}. */
  public static Builder builder(LogDirectory directory) {
    return new Builder(directory);
  }

  @Override
  public String name() {
    return "log";
  }

  /**
   * How many commits of a group's offset failed, all groups together. A commit that failed for good
   * (the log failed, the offsets file could not be written) also stops its group's feed, reported
   * to the subscriptions ({@code BusListener.onFeedFailed}) and logged at ERROR.
   */
  public long commitFailures() {
    return commitFailures.sum();
  }

  /** The topic holding the events. */
  public Log log() {
    return log;
  }

  @Override
  public CompletableFuture<Void> store(Event<?> event) {
    try {
      // Not through append(): a refusal must reach the bus as the cause itself, not wrapped by a
      // dependent stage.
      return log.append(descriptor.toRecord(event)).thenApply(offset -> null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Stores one event as {@link #store} does, and tells where: the future completes with the
   * record's offset in {@link #log()}. For callers that hand out positions (the HTTP gateway); an
   * event stored this way is not routed to any bus's in-process subscriptions.
   */
  public CompletableFuture<Long> append(Event<?> event) {
    LogRecord record;
    try {
      record = descriptor.toRecord(event);
      return log.append(record);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Stores events as {@link #append} does, together: through {@link Log#appendAll}, so that they
   * are written and forced together. An event that cannot be encoded fails its own future; the
   * others are stored.
   *
   * @return one future per event, in the order of {@code events}, completed with its offset
   */
  public List<CompletableFuture<Long>> appendAll(List<? extends Event<?>> events) {
    // One slot per event: its failure to encode, or null until the log answers for its record.
    List<CompletableFuture<Long>> futures = new ArrayList<>(events.size());
    List<LogRecord> records = new ArrayList<>(events.size());
    for (Event<?> event : events) {
      try {
        records.add(descriptor.toRecord(event));
        futures.add(null);
      } catch (RuntimeException e) {
        futures.add(CompletableFuture.failedFuture(e));
      }
    }
    Iterator<CompletableFuture<Long>> appended;
    try {
      appended = log.appendAll(records).iterator();
    } catch (RuntimeException e) {
      appended = Stream.generate(() -> CompletableFuture.<Long>failedFuture(e)).iterator();
    }
    for (int i = 0; i < futures.size(); i++) {
      if (futures.get(i) == null) {
        futures.set(i, appended.next());
      }
    }
    return futures;
  }

  /** The committed offsets of the consumer groups, kept in the directory. */
  public OffsetStore offsets() {
    return directory.offsets();
  }

  /**
   * Reads back every event stored so far, oldest retained first, in store order, on the calling
   * thread: the way an application rebuilds its state from the log at start-up (event sourcing),
   * before it subscribes. Records appended while it runs are not included. A record that cannot be
   * decoded is passed as an {@link UndecodableRecord} event, as a feed would pass it.
   *
   * @return how many events were passed to {@code consumer}
   * @throws InterruptedException if interrupted while reading
   */
  public long replay(Consumer<? super Event<?>> consumer) throws InterruptedException {
    Objects.requireNonNull(consumer, "consumer");
    long end = log.endOffset();
    long count = 0;
    try (LogReader r = log.reader(log.startOffset())) {
      while (r.position() < end) {
        Optional<LogRecord> next = r.next(REPLAY_WAIT);
        if (next.isEmpty()) {
          break; // retention or a failed log ended the range early
        }
        consumer.accept(LogFeed.decode(descriptor, log.name(), next.get()));
        count++;
      }
    }
    return count;
  }

  /**
   * The event stored in {@code record} (a record of {@link #log()}), decoded as a feed decodes it,
   * or, when it cannot be decoded, the placeholder event a feed would dead-letter: the record's id
   * and type with an {@link UndecodableRecord} as data. Never throws for a bad record: a reader of
   * the log (the HTTP gateway's streams) goes on past it.
   */
  public Event<?> event(LogRecord record) {
    return LogFeed.decode(descriptor, log.name(), Objects.requireNonNull(record, "record"));
  }

  /** Starts a feed; throws {@link IllegalStateException} once the transport is closed. */
  @Override
  public Feed feed(String group, Predicate<Event<?>> filter, FeedSink sink) {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(sink, "sink");
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("transport closed");
      }
      LogFeed f = feeds.get(group);
      Feed member = f == null ? null : f.join(filter, sink);
      if (member == null) {
        // A group's feed ends with its last member; a later member starts a new one from the
        // group's committed offset, once the old one committed what it acknowledged (close waits
        // for that, and returns at once when it already happened).
        if (f != null) {
          f.close();
        }
        f =
            new LogFeed(
                group, log, directory.offsets(), descriptor, commitEvery, idleWait, commitFailures);
        feeds.put(group, f);
        member = f.join(filter, sink);
      }
      return member;
    }
  }

  /**
   * Stops every feed, commits what each group finished (acknowledgements that arrived after a feed
   * was closed included), and closes the directory.
   *
   * @throws UncheckedIOException if the directory fails to close
   */
  @Override
  public void close() {
    List<LogFeed> toStop;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toStop = List.copyOf(feeds.values());
    }
    for (LogFeed f : toStop) {
      f.close();
    }
    try {
      directory.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private final LogDirectory directory;
    private String topic = "events";
    private PayloadCodec codec = JsonPayloadCodec.defaults();
    private int commitEvery = 65_536;
    private Duration idleWait = Duration.ofMillis(100);

    private Builder(LogDirectory directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** The topic holding every event; {@code events} by default. */
    public Builder topic(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    public Builder codec(PayloadCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * A group's offset is committed once this many acknowledgements have accumulated since the last
     * commit (asynchronously, so a few more may arrive meanwhile); 65,536 by default. Commits also
     * happen every {@link #idleWait} while the prefix moves, so at a high rate this bounds what a
     * crash redelivers, and at any rate the time does. Why so rare by default: each commit replaces
     * the offsets file with two fsyncs, and on a journaling file system (ext4, data=ordered) those
     * may also flush the log's own unwritten pages under its writer. At 50,000 events/s with {@code
     * INTERVAL(1 s)}, committing every 256 acknowledgements cost ~250 fsyncs a second; the timer
     * alone, ~12.
     */
    public Builder commitEvery(int acknowledgements) {
      if (acknowledgements <= 0) {
        throw new IllegalArgumentException("commitEvery must be > 0: " + acknowledgements);
      }
      this.commitEvery = acknowledgements;
      return this;
    }

    /**
     * How long a feed waits for the writer's signal before it waits again, and the longest a
     * group's acknowledged prefix waits to be committed; 100 ms by default. It does not delay
     * delivery: a new record wakes the feed at once.
     */
    public Builder idleWait(Duration wait) {
      if (wait.isNegative() || wait.isZero()) {
        throw new IllegalArgumentException("idleWait must be > 0: " + wait);
      }
      this.idleWait = wait;
      return this;
    }

    /**
     * Opens the topic and builds the transport.
     *
     * @throws IOException if the topic cannot be opened
     */
    public LogTransport build() throws IOException {
      return new LogTransport(this);
    }
  }
}
