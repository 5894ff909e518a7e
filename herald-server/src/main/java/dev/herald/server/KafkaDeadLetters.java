package dev.herald.server;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.codec.UndecodableRecord;
import dev.herald.kafka.KafkaTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters of one {@link KafkaTransport}, for {@link KafkaGatewayStore}: the bus stores
 * each as an event of type {@value DeadLetter#TYPE} in the transport's dead-letter topic, and a
 * redrive stores there a resolved mark, an event of type {@value #RESOLVED_TYPE} whose data is the
 * dead letter's position (as the log store does, in its events topic).
 *
 * <p>An index in memory, kept current by one reader: thread {@code herald-gateway-deadletters},
 * with a consumer in no group (assign and seek: nothing is committed, no group sees a difference),
 * reads the topic once from its start when the store opens and then follows it, keeping in a {@link
 * DeadLetterIndex} the position of each dead letter not yet resolved (with its record's timestamp,
 * by which listings are ordered) and applying the marks, whichever gateway stored them. A request
 * first asks the brokers for the topic's end offsets and waits until the reader has read up to
 * them, so it sees every dead letter and mark stored before it came (a dead letter redriven through
 * another gateway leaves this one's list too); then it reads from the topic only the records it
 * answers with. Bounded: at most {@code capacity} dead letters are indexed; beyond that new ones
 * are counted, logged once, and not listed until earlier ones are resolved and the store is
 * reopened.
 *
 * <p>Which group: a dead letter names the subscription that gave up ({@link
 * DeadLetter#subscription()}), and a redrive goes back to the subscriptions of that name ({@link
 * EventBus#redrive}); the group of a dead letter is therefore its subscription's name. A
 * dead-letter record that does not decode is listed only when no group is asked for, as a dead
 * letter of subscription {@code ""}, and cannot be redriven.
 *
 * <p>A redrive claims its dead letter in the index, so a second redrive of it through this gateway
 * meanwhile is refused; two gateways that redrive one dead letter at once both publish it (redrive
 * is at least once). If the reader fails (the brokers refuse it), the dead-letter calls answer
 * {@link StoreUnavailableException} until the store is reopened. Partitions added to the topic
 * after the store opened are found by the reader, which asks the brokers for the topic's partitions
 * every {@link #DEFAULT_METADATA_INTERVAL} (5 s), and read from their start; until it has found
 * them, a request does not wait for them, so a dead letter stored in a new partition is listed
 * within that interval and a read. A failed look-up is logged and tried again at the next interval.
 * Safe for use from any thread; {@link #close} stops the reader and waits for it.
 */
final class KafkaDeadLetters implements AutoCloseable {
  /** The type of the marks that resolve dead letters; the data is the dead letter's position. */
  static final String RESOLVED_TYPE = "herald.deadletter.resolved";

  /** How long a request may read the records it answers with (a broker that stopped answering). */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  /** Dead letters the index holds at most by default. */
  static final int DEFAULT_CAPACITY = 1_000_000;

  /** The longest a request waits for the index to read the records stored before it came. */
  static final long CATCH_UP_MILLIS = 5_000;

  /** How often the reader looks for partitions added to the dead-letter topic, by default. */
  static final Duration DEFAULT_METADATA_INTERVAL = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.deadletters");
  private static final Duration POLL = Duration.ofMillis(200);
  private static final String SOURCE = "/herald/gateway";
  private static final String UNDECODABLE = DeadLetterIndex.UNDECODABLE;

  private final KafkaTransport transport;
  private final EventBus bus;
  private final String topic;
  private final List<String> topics;
  private final Duration metadataInterval;
  // The partitions the reader reads: more once it finds partitions added. Written by the reader.
  private volatile List<TopicPartition> partitions;
  private final DeadLetterIndex index;
  private final Thread reader;
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> following;
  private volatile Throwable failure;
  private boolean warnedFull; // the reader thread's only
  private final Object readLock = new Object();
  private KafkaConsumer<byte[], byte[]> recordReader; // guarded by readLock, made on first use

  KafkaDeadLetters(KafkaTransport transport, EventBus bus, int capacity) {
    this(transport, bus, capacity, DEFAULT_METADATA_INTERVAL);
  }

  /**
   * @param metadataInterval how often the reader looks for partitions added to the topic
   */
  KafkaDeadLetters(
      KafkaTransport transport, EventBus bus, int capacity, Duration metadataInterval) {
    if (metadataInterval.isNegative() || metadataInterval.isZero()) {
      throw new IllegalArgumentException("metadataInterval must be > 0: " + metadataInterval);
    }
    this.metadataInterval = metadataInterval;
    this.transport = transport;
    this.bus = bus;
    this.topic = transport.topicFor(DeadLetter.TYPE);
    this.topics = transport.feedTopics();
    if (!topics.contains(topic)) {
      throw new IllegalArgumentException(
          "the dead-letter topic "
              + topic
              + " must be one of the transport's feed topics "
              + topics
              + " for the gateway to serve it");
    }
    this.partitions = partitionsOf(transport, topic, READ_TIMEOUT);
    this.index = new DeadLetterIndex(capacity);
    this.reader = new Thread(this::follow, "herald-gateway-deadletters");
    reader.setDaemon(true);
    reader.start();
  }

  /** See {@link GatewayStore#deadLetters}; {@code group} null lists every group's. */
  List<GatewayStore.StoredDeadLetter> list(String group, int limit) {
    awaitCaughtUp();
    if (limit <= 0) {
      return List.of();
    }
    List<DeadLetterIndex.Position> wanted = index.oldestPositions(group, limit);
    if (wanted.isEmpty()) {
      return List.of();
    }
    Map<DeadLetterIndex.Position, ConsumerRecord<byte[], byte[]>> records = read(wanted);
    List<GatewayStore.StoredDeadLetter> out = new ArrayList<>();
    for (DeadLetterIndex.Position p : wanted) {
      ConsumerRecord<byte[], byte[]> r = records.get(p);
      if (r != null) { // else deleted by retention since
        stored(r).ifPresent(out::add);
      }
    }
    return out;
  }

  /** See {@link GatewayStore#deadLetter}. */
  Optional<GatewayStore.StoredDeadLetter> find(String position) {
    KafkaPosition p = KafkaPosition.parse(position, topics);
    if (!p.isRecord() || !p.partition().topic().equals(topic)) {
      return Optional.empty();
    }
    DeadLetterIndex.Position at =
        new DeadLetterIndex.Position(p.partition().partition(), p.offset());
    awaitCaughtUp();
    if (!index.contains(at)) {
      return Optional.empty(); // resolved, or no dead letter there
    }
    ConsumerRecord<byte[], byte[]> r = read(List.of(at)).get(at);
    return r == null ? Optional.empty() : stored(r);
  }

  /** See {@link GatewayStore#redrive}. */
  CompletableFuture<Void> redrive(GatewayStore.StoredDeadLetter stored) {
    KafkaPosition p;
    try {
      p = KafkaPosition.parse(stored.position(), topics);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    DeadLetter dl = stored.deadLetter();
    if (!p.isRecord()
        || !p.partition().topic().equals(topic)
        || dl.subscription().equals(UNDECODABLE)
        || dl.event().data() instanceof UndecodableRecord) {
      return CompletableFuture.failedFuture(
          new RedriveRefusedException(
              "cannot redrive dead letter "
                  + stored.position()
                  + ": it is not a decodable dead letter of topic "
                  + topic));
    }
    DeadLetterIndex.Position at =
        new DeadLetterIndex.Position(p.partition().partition(), p.offset());
    try {
      awaitCaughtUp(); // so that a dead letter stored just now can be claimed
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!index.claim(at)) {
      String why =
          index.isClaimed(at)
              ? "another redrive of it is under way"
              : "it is not an unresolved dead letter of topic " + topic + " (resolved already?)";
      return CompletableFuture.failedFuture(
          new RedriveRefusedException(
              "cannot redrive dead letter " + stored.position() + ": " + why));
    }
    String canonical = KafkaPosition.of(p.partition(), p.offset(), topics);
    CompletableFuture<Void> done;
    try {
      done =
          bus.redrive(dl)
              .thenCompose(result -> transport.append(topic, mark(canonical)))
              .thenApply(where -> (Void) null);
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    return done.whenComplete((v, e) -> index.release(at, e == null));
  }

  /**
   * A redrive refused before anything was sent (the gateway answers 409), told apart from the
   * producer's own {@link IllegalStateException}s, which say that Kafka cannot store.
   */
  static final class RedriveRefusedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    RedriveRefusedException(String message) {
      super(message);
    }
  }

  private static Event<String> mark(String position) {
    return Event.<String>builder(RESOLVED_TYPE).source(SOURCE).data(position).build();
  }

  /** Dead letters indexed and unresolved. */
  int indexed() {
    return index.size();
  }

  /** Dead letters that found the index full. */
  long notIndexed() {
    return index.notIndexed();
  }

  // ------------------------------------------------------------------ the reader thread

  /** The reader thread: indexes every dead letter and resolved mark, partition by partition. */
  private void follow() {
    try (KafkaConsumer<byte[], byte[]> consumer = transport.reader("gateway-deadletters")) {
      following = consumer;
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long nextLook = System.nanoTime() + metadataInterval.toNanos();
      while (running) {
        if (System.nanoTime() - nextLook >= 0) {
          lookForNewPartitions(consumer);
          nextLook = System.nanoTime() + metadataInterval.toNanos();
        }
        Iterable<ConsumerRecord<byte[], byte[]>> records;
        try {
          records = consumer.poll(POLL);
        } catch (OffsetOutOfRangeException e) {
          // Retention deleted records before they were read: they are no dead letters to list.
          LOG.warn(
              "dead letters of {} deleted before the index read them: {}", topic, e.partitions());
          consumer.seekToBeginning(e.partitions());
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          index(r);
        }
        for (TopicPartition tp : partitions) {
          index.indexedTo(tp.partition(), consumer.position(tp, READ_TIMEOUT));
        }
      }
    } catch (RuntimeException | Error e) {
      if (running) { // else close() woke it (a WakeupException): no failure
        fail(e);
      }
    } finally {
      following = null;
      index.abandon();
    }
  }

  /**
   * Asks the brokers for the topic's partitions and, if some were added, reads them too, from their
   * start. The reader thread only; a failed look-up is logged, and tried again later.
   */
  private void lookForNewPartitions(KafkaConsumer<byte[], byte[]> consumer) {
    List<TopicPartition> now;
    try {
      // Bounded by the interval: the reader must go on following the partitions it has.
      Duration timeout = metadataInterval.compareTo(POLL) < 0 ? POLL : metadataInterval;
      now = partitionsOf(transport, topic, timeout);
    } catch (StoreUnavailableException e) {
      if (Thread.currentThread().isInterrupted() || !running) {
        return;
      }
      LOG.warn(
          "cannot look for partitions added to the dead-letter topic {}; trying again in {}: {}",
          topic,
          metadataInterval,
          e.getMessage());
      return;
    }
    List<TopicPartition> known = partitions;
    List<TopicPartition> added = new ArrayList<>();
    for (TopicPartition tp : now) {
      if (!known.contains(tp)) {
        added.add(tp);
      }
    }
    if (added.isEmpty()) {
      return;
    }
    List<TopicPartition> all = new ArrayList<>(known);
    all.addAll(added);
    // Partitions still assigned keep their positions; the new ones are read from their start.
    consumer.assign(all);
    consumer.seekToBeginning(added);
    partitions = List.copyOf(all);
    LOG.info("dead-letter topic {}: indexing the partitions added to it, {}", topic, added);
  }

  private void fail(Throwable e) {
    failure = e;
    LOG.error(
        "the dead-letter index of topic {} stopped; dead letters cannot be listed until the"
            + " store is reopened",
        topic,
        e);
  }

  private void index(ConsumerRecord<byte[], byte[]> r) {
    Event<?> e = transport.decode(r);
    if (e.data() instanceof DeadLetter d) {
      add(d.subscription(), r);
    } else if (RESOLVED_TYPE.equals(e.type()) && e.data() instanceof String s) {
      try {
        KafkaPosition p = KafkaPosition.parse(s, topics);
        if (p.isRecord() && p.partition().topic().equals(topic)) {
          index.resolveMark(new DeadLetterIndex.Position(p.partition().partition(), p.offset()));
        }
      } catch (IllegalArgumentException x) {
        LOG.warn(
            "ignoring the resolved mark at {}-{}@{}: {}",
            r.topic(),
            r.partition(),
            r.offset(),
            x.getMessage());
      }
    } else if (e.data() instanceof UndecodableRecord) {
      add(UNDECODABLE, r);
    }
  }

  private void add(String subscription, ConsumerRecord<byte[], byte[]> r) {
    if (!index.add(subscription, r.partition(), r.offset(), r.timestamp()) && !warnedFull) {
      warnedFull = true;
      LOG.warn(
          "the dead-letter index of topic {} is full ({} dead letters): newer ones are not listed"
              + " until some are redriven and the store is reopened",
          topic,
          index.size());
    }
  }

  // ------------------------------------------------------------------ requests

  /**
   * Waits until the index has read every record stored before this call, so that a list or a
   * look-up sees every dead letter and every resolved mark stored before it.
   *
   * @throws StoreUnavailableException if the index stopped, the brokers do not tell the topic's
   *     end, or the index is still reading after {@value #CATCH_UP_MILLIS} ms (after the store was
   *     opened on a long topic)
   */
  private void awaitCaughtUp() {
    requireRunning();
    Map<Integer, Long> ends = endOffsets();
    boolean caughtUp;
    try {
      caughtUp = index.awaitIndexedTo(ends, CATCH_UP_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while the dead-letter index caught up", e);
    }
    requireRunning();
    if (!caughtUp) {
      throw new StoreUnavailableException(
          "the dead-letter index is still reading topic "
              + topic
              + " (at "
              + index.progress()
              + " of "
              + ends
              + ", offsets by partition); try again shortly",
          null);
    }
  }

  private void requireRunning() {
    Throwable f = failure;
    if (f != null) {
      throw new StoreUnavailableException(
          "the dead-letter index stopped: " + f + "; reopen the store", f);
    }
    if (!running) {
      throw new StoreUnavailableException("the Kafka store is closed", null);
    }
  }

  private Map<Integer, Long> endOffsets() {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (TopicPartition tp : partitions) {
      request.put(tp, OffsetSpec.latest());
    }
    try {
      Map<Integer, Long> out = new HashMap<>();
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e :
          transport
              .admin()
              .listOffsets(request)
              .all()
              .get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .entrySet()) {
        out.put(e.getKey().partition(), e.getValue().offset());
      }
      return out;
    } catch (ExecutionException e) {
      throw new StoreUnavailableException(
          "cannot read the end of " + topic + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new StoreUnavailableException(
          "the Kafka brokers did not tell the end of " + topic + " within " + READ_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while reading dead letters", e);
    }
  }

  /**
   * The records at {@code wanted}, read with the gateway's one record reader in one pass over each
   * partition from the lowest offset wanted there to the highest; those no longer stored are
   * missing. Requests take turns on the reader (a consumer is for one thread at a time, and making
   * one per request costs more than the read).
   */
  private Map<DeadLetterIndex.Position, ConsumerRecord<byte[], byte[]>> read(
      List<DeadLetterIndex.Position> wanted) {
    Map<TopicPartition, long[]> range = new HashMap<>();
    Set<DeadLetterIndex.Position> positions = new HashSet<>(wanted);
    for (DeadLetterIndex.Position p : wanted) {
      range.merge(
          new TopicPartition(topic, p.partition()),
          new long[] {p.offset(), p.offset()},
          (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
    Map<DeadLetterIndex.Position, ConsumerRecord<byte[], byte[]>> out = new HashMap<>();
    synchronized (readLock) {
      if (!running) {
        throw new StoreUnavailableException("the Kafka store is closed", null);
      }
      if (recordReader == null) {
        // It seeks to records it knows are stored: no long poll, whose pending fetch the next
        // request would wait for.
        recordReader =
            transport.reader(
                "gateway-deadletters-read", Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10));
      }
      KafkaConsumer<byte[], byte[]> consumer = recordReader;
      boolean done = false;
      try {
        consumer.assign(range.keySet());
        for (Map.Entry<TopicPartition, long[]> e : range.entrySet()) {
          consumer.seek(e.getKey(), e.getValue()[0]);
        }
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        Set<TopicPartition> left = new HashSet<>(range.keySet());
        while (true) {
          left.removeIf(tp -> consumer.position(tp, READ_TIMEOUT) > range.get(tp)[1]);
          if (left.isEmpty()) {
            done = true;
            return out;
          }
          if (System.nanoTime() > deadline) {
            throw new StoreUnavailableException(
                "cannot read the dead-letter topic " + topic + " within " + READ_TIMEOUT, null);
          }
          for (ConsumerRecord<byte[], byte[]> r : poll(consumer)) {
            DeadLetterIndex.Position p = new DeadLetterIndex.Position(r.partition(), r.offset());
            if (positions.contains(p)) {
              out.put(p, r);
            }
          }
        }
      } finally {
        if (!done) { // a failed read leaves the consumer in a state not worth knowing: a new one
          recordReader = null;
          consumer.close();
        }
      }
    }
  }

  private static Iterable<ConsumerRecord<byte[], byte[]>> poll(
      KafkaConsumer<byte[], byte[]> consumer) {
    try {
      return consumer.poll(POLL);
    } catch (InterruptException e) {
      throw new StoreUnavailableException("interrupted while reading dead letters", e);
    } catch (OffsetOutOfRangeException e) {
      // Retention deleted records since they were indexed: read on from the earliest kept.
      consumer.seekToBeginning(e.partitions());
      return List.of();
    } catch (KafkaException e) {
      throw new StoreUnavailableException("cannot read dead letters: " + e.getMessage(), e);
    }
  }

  private Optional<GatewayStore.StoredDeadLetter> stored(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    String position = KafkaPosition.of(tp, r.offset(), topics);
    Event<?> e = transport.decode(r);
    if (e.data() instanceof DeadLetter d) {
      return Optional.of(new GatewayStore.StoredDeadLetter(position, d));
    }
    if (e.data() instanceof UndecodableRecord u) {
      DeadLetter d =
          new DeadLetter(
              e,
              UNDECODABLE,
              0,
              u.getClass().getName(),
              "the dead letter's record does not decode: " + u.error(),
              null,
              Instant.ofEpochMilli(r.timestamp()));
      return Optional.of(new GatewayStore.StoredDeadLetter(position, d));
    }
    return Optional.empty();
  }

  private static List<TopicPartition> partitionsOf(
      KafkaTransport transport, String topic, Duration timeout) {
    try {
      TopicDescription d =
          transport
              .admin()
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic);
      List<TopicPartition> out = new ArrayList<>();
      for (TopicPartitionInfo p : d.partitions()) {
        out.add(new TopicPartition(topic, p.partition()));
      }
      return List.copyOf(out);
    } catch (ExecutionException e) {
      throw new StoreUnavailableException(
          "cannot describe the dead-letter topic " + topic + ": " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new StoreUnavailableException(
          "the Kafka brokers did not describe " + topic + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while opening the dead letters", e);
    }
  }

  /** Stops the reader thread and waits for it (10 s at most). Idempotent. */
  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = following;
    if (c != null) {
      c.wakeup(); // the only consumer method safe from another thread
    }
    try {
      reader.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (readLock) { // after the request reading, if any
      if (recordReader != null) {
        recordReader.close();
        recordReader = null;
      }
    }
  }
}
