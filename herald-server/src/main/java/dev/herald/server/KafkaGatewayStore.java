package dev.herald.server;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.TimeSource;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.KafkaTransportException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;

/**
 * A {@link GatewayStore} on Kafka, over a {@link KafkaTransport}: the events are those of the
 * transport's feed topics ({@link KafkaTransport#feedTopics()}: by default {@code herald.events}
 * and the dead-letter topic {@code herald.deadletter}).
 *
 * <p>Positions. Kafka orders records per partition only, and a stream interleaves partitions, so a
 * position is a vector: for each partition read, the offset of the last record read there ({@link
 * KafkaPosition}: {@code topic.partition.offset} entries joined by {@code _} in topic and partition
 * order, the topic as its index in the feed topics). {@code 0.0.17_0.1.9_0.2.41} is the position of
 * a reader that has read partition 0 of the first feed topic up to offset 17, partition 1 up to 9
 * and partition 2 up to 41. A cursor opened there resumes each partition it names right after its
 * offset and each partition it does not name from its start: exactly the events not yet read,
 * whatever the order of the partitions. Two cursors that have read the same records have the same
 * position. A publish answers the position of its record alone ({@code 0.2.41}); as a resume point
 * it is exact on the record's partition and reads the other partitions from their start, so resume
 * from a streamed event's position. A position whose next record retention has deleted ({@code
 * offset + 1} below the partition's start) is {@link PositionGoneException}. Partitions added to a
 * topic after a cursor opened are not read by it.
 *
 * <p>Groups: the consumer groups of the transport ({@link KafkaGroups}); dead letters: the
 * dead-letter topic, browsed without consuming through an index in memory that one reader thread
 * keeps current, and resolved by a mark ({@link KafkaDeadLetters}).
 *
 * <p>Failures of {@link #append}: a full producer buffer or a broker's throttle is {@link
 * StoreBusyException}; a broker that does not answer in time, or a closed store, is {@link
 * StoreUnavailableException}; a record over the size limit or an event the codec refuses is {@link
 * IllegalArgumentException}.
 *
 * <p>The store owns the bus and the transport under it. Safe for use from any thread.
 */
public final class KafkaGatewayStore implements GatewayStore {
  private final KafkaTransport transport;
  private final EventBus bus;
  private final KafkaDeadLetters deadLetters;
  private final ClusterCheck cluster;
  private volatile boolean closed;

  private KafkaGatewayStore(KafkaTransport transport, EventBus bus, int deadLetterCapacity) {
    this.transport = transport;
    this.bus = bus;
    this.deadLetters = new KafkaDeadLetters(transport, bus, deadLetterCapacity);
    this.cluster = new ClusterCheck(transport.admin(), TimeSource.system());
  }

  /**
   * Connects to the Kafka cluster at {@code bootstrap} ({@code host:port,...}) with the transport's
   * defaults (topics {@code herald.events} and {@code herald.deadletter}, created when missing).
   *
   * @throws KafkaTransportException if no broker answers within the transport's startup timeout
   */
  public static KafkaGatewayStore open(String bootstrap) {
    return open(bootstrap, null, null, null);
  }

  /**
   * {@link #open(String)} on the topics and consumer-group prefix an application's transport was
   * built with ({@code KafkaTransport.Builder#eventsTopic}, {@code #deadLetterTopic}, {@code
   * #groupIdPrefix}), so that its groups and dead letters are the ones seen; null keeps the
   * transport's default.
   *
   * @throws IllegalArgumentException if a topic is blank
   * @throws KafkaTransportException if no broker answers within the transport's startup timeout
   */
  public static KafkaGatewayStore open(
      String bootstrap, String eventsTopic, String deadLetterTopic, String groupIdPrefix) {
    return open(bootstrap, eventsTopic, deadLetterTopic, groupIdPrefix, true);
  }

  /**
   * {@link #open(String, String, String, String)} for a reader that must leave the cluster as it
   * found it: a missing topic is not created, and the store does not open.
   *
   * @throws IllegalArgumentException if a topic is blank
   * @throws KafkaTransportException if no broker answers within the transport's startup timeout, or
   *     if a topic is missing ({@link KafkaTransportException#missingTopics()} names it)
   */
  public static KafkaGatewayStore openExisting(
      String bootstrap, String eventsTopic, String deadLetterTopic, String groupIdPrefix) {
    return open(bootstrap, eventsTopic, deadLetterTopic, groupIdPrefix, false);
  }

  private static KafkaGatewayStore open(
      String bootstrap,
      String eventsTopic,
      String deadLetterTopic,
      String groupIdPrefix,
      boolean createTopics) {
    KafkaTransport.Builder b = KafkaTransport.builder(bootstrap).autoCreateTopics(createTopics);
    if (eventsTopic != null) {
      b.eventsTopic(eventsTopic);
    }
    if (deadLetterTopic != null) {
      b.deadLetterTopic(deadLetterTopic);
    }
    if (groupIdPrefix != null) {
      b.groupIdPrefix(groupIdPrefix);
    }
    KafkaTransport t = b.build();
    try {
      return over(t, Herald.builder().transport(t).build());
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  /**
   * A store over a bus built on {@code transport} by the caller. Closing the store closes the bus.
   *
   * @throws IllegalArgumentException if the transport's dead-letter topic is not one of its feed
   *     topics
   */
  public static KafkaGatewayStore over(KafkaTransport transport, EventBus bus) {
    return over(transport, bus, KafkaDeadLetters.DEFAULT_CAPACITY);
  }

  /**
   * {@link #over(KafkaTransport, EventBus)} with a dead-letter index of at most {@code
   * deadLetterCapacity} dead letters.
   *
   * @throws StoreUnavailableException if the brokers do not describe the dead-letter topic
   */
  static KafkaGatewayStore over(KafkaTransport transport, EventBus bus, int deadLetterCapacity) {
    return new KafkaGatewayStore(
        Objects.requireNonNull(transport, "transport"),
        Objects.requireNonNull(bus, "bus"),
        deadLetterCapacity);
  }

  /** The transport under the bus (streams of a consumer group join its feeds). */
  @Override
  public KafkaTransport transport() {
    return transport;
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public EventBus bus() {
    return bus;
  }

  @Override
  public CompletableFuture<String> append(Event<?> event) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new StoreUnavailableException("the Kafka store is closed", null));
    }
    CompletableFuture<RecordMetadata> stored;
    try {
      stored = transport.append(event);
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    return stored.handle(
        (m, failure) -> {
          if (failure == null) {
            return KafkaPosition.of(
                new TopicPartition(m.topic(), m.partition()), m.offset(), transport.feedTopics());
          }
          throw new CompletionException(translate(unwrap(failure)));
        });
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The exception {@link GatewayStore#append} promises for a transport's failure. */
  static Throwable translate(Throwable t) {
    if (t instanceof StoreBusyException
        || t instanceof StoreUnavailableException
        || t instanceof IllegalArgumentException) {
      return t;
    }
    if (has(t, BufferExhaustedException.class) || has(t, ThrottlingQuotaExceededException.class)) {
      return new StoreBusyException("Kafka pushes back: " + t.getMessage(), t);
    }
    if (has(t, RecordTooLargeException.class)) {
      return new EventTooLargeException(
          "the event as stored is too large for Kafka: " + t.getMessage(), t);
    }
    if (t instanceof KafkaTransportException
        || t instanceof RetriableException
        || t instanceof IllegalStateException
        || t instanceof KafkaException) {
      return new StoreUnavailableException("Kafka cannot store events: " + t.getMessage(), t);
    }
    return t;
  }

  private static boolean has(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Cursor cursor(String from) {
    Objects.requireNonNull(from, "from");
    requireOpen();
    try {
      return KafkaCursor.open(transport, from);
    } catch (KafkaException e) {
      throw unavailable("cannot open a reader", e);
    }
  }

  @Override
  public List<GroupLag> groups() {
    requireOpen();
    return KafkaGroups.of(transport);
  }

  @Override
  public List<StoredDeadLetter> deadLetters(String group, int limit) {
    requireOpen();
    try {
      return deadLetters.list(group, limit);
    } catch (KafkaException e) {
      throw unavailable("cannot read the dead letters", e);
    }
  }

  @Override
  public Optional<StoredDeadLetter> deadLetter(String position) {
    requireOpen();
    try {
      return deadLetters.find(position);
    } catch (KafkaException e) {
      throw unavailable("cannot read the dead letter", e);
    }
  }

  @Override
  public CompletableFuture<Void> redrive(StoredDeadLetter deadLetter) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new StoreUnavailableException("the Kafka store is closed", null));
    }
    return deadLetters
        .redrive(deadLetter)
        .exceptionallyCompose(
            e -> {
              Throwable t = unwrap(e);
              return CompletableFuture.failedFuture(
                  t instanceof KafkaDeadLetters.RedriveRefusedException ? t : translate(t));
            });
  }

  /**
   * {@inheritDoc}
   *
   * <p>On Kafka: closed, or the brokers did not answer the last check of the cluster ({@link
   * ClusterCheck}: one every {@value ClusterCheck#EVERY_MILLIS} ms at most, each given {@value
   * ClusterCheck#TIMEOUT_MILLIS} ms, in the background): never waits for a broker.
   */
  @Override
  public Optional<String> unavailable() {
    if (closed) {
      return Optional.of("the store is closed");
    }
    return cluster.unavailable();
  }

  private static StoreUnavailableException unavailable(String what, KafkaException e) {
    return new StoreUnavailableException(what + " on Kafka: " + e.getMessage(), e);
  }

  private void requireOpen() {
    if (closed) {
      throw new StoreUnavailableException("the Kafka store is closed", null);
    }
  }

  /** Stops the dead-letter index, closes the bus, then the transport. Idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      deadLetters.close();
      bus.close();
    } finally {
      transport.close();
    }
  }

  /** Dead letters the index holds, and those that found it full. */
  int deadLettersIndexed() {
    return deadLetters.indexed();
  }

  long deadLettersNotIndexed() {
    return deadLetters.notIndexed();
  }
}
