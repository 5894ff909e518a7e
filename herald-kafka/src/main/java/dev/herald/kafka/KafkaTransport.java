package dev.herald.kafka;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.codec.CloudEventsStructured;
import dev.herald.codec.JsonPayloadCodec;
import dev.herald.codec.PayloadCodec;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's {@link Transport} on Apache Kafka: publishing stores each event as one Kafka record, and
 * each durable subscription (one given a consumer group) is fed by a Kafka consumer group.
 *
 * <pre>
 *   KafkaTransport kafka = KafkaTransport.builder("broker1:9092,broker2:9092")
 *       .codec(JsonPayloadCodec.builder().allowPackages("com.example.orders").build())
 *       .build();
 *   EventBus bus = Herald.builder().transport(kafka).build();
 *   bus.subscribe("order.#", e -&gt; ship(e), SubscribeOptions.defaults().group("shipping"));
 * </pre>
 *
 * <p><b>Topics.</b> By default every event goes to one topic, {@value #DEFAULT_EVENTS_TOPIC}, and
 * dead letters to {@value #DEFAULT_DEAD_LETTER_TOPIC}. One topic for all types keeps the order of
 * all events with the same key, whatever their types (an {@code order.placed} before its {@code
 * order.cancelled}), because Kafka orders per partition and the key picks the partition. A per-type
 * mapping ({@link Builder#topics}) spreads load but gives up ordering across types. Feeds read the
 * topics named by {@link Builder#topics}'s {@code feedTopics}; a topic the mapping returns that no
 * feed reads is stored, never fed. Topics missing at {@link Builder#build} (and, for a custom
 * mapping, at first use) are created with the Admin API unless {@link Builder#autoCreateTopics} is
 * off, in which case building, or the store, fails naming the topic.
 *
 * <p><b>Records.</b> The CloudEvents Kafka protocol binding in binary mode, as {@link
 * KafkaRecordDescriptor} lays out: {@code ce_*} headers, {@code content-type}, the event key as the
 * record key (null for a keyless event), the data as the value in the form its datacontenttype
 * decides: through the {@link PayloadCodec} ({@link JsonPayloadCodec} by default; never Java
 * serialization) when it has none or a JSON one, a {@code String}'s bytes for {@code text/*}, a
 * {@code byte[]} as it is otherwise, empty for no data. Dead letters carry their subscription,
 * attempts and cause as {@code herald_dl_*} headers too. Feeds also read structured-mode records
 * ({@code content-type: application/cloudevents+json}). A feed reads a binary-mode record's {@code
 * ce_type} header before decoding it and skips, undecoded, the types its subscription never takes.
 * A record that makes no valid event is handed to the bus as a placeholder (its {@code ce_id} and
 * {@code ce_type} when readable, else the type {@value dev.herald.codec.UndecodableRecord#TYPE}; an
 * {@link dev.herald.codec.UndecodableRecord} with topic, partition, offset and error as data),
 * which the bus dead-letters, with the cause, to the dead-letter topic for each group that takes
 * that type: a poison record never blocks a partition nor stops a group.
 *
 * <p><b>Publishing.</b> An idempotent producer with {@code acks=all}: {@link #store}'s future
 * completes when the brokers have the record in every in-sync replica, and fails with the broker's
 * error ({@link KafkaTransportException} with a plain message for a record over the size limit and
 * for an authorization refusal). It is called on the publisher's thread (a Herald delivery thread,
 * for a handler that publishes) and does not wait there: it returns once the record is queued in
 * the producer, or with a future already failed with a {@link KafkaTransportException} when the
 * producer's buffer ({@code buffer.memory}) has less room left than a batch ({@code batch.size}) or
 * the record: a full buffer answers, as every full queue in Herald does, instead of holding the
 * publisher for {@code max.block.ms}. Publishers that outrun the brokers see failed stores, and
 * retry or slow down. Nor does a store wait for a topic's metadata: the producer loads it before
 * the first store to the topic (at {@link Builder#build} for the feed topics, in the topic set-up
 * below for the others) and keeps it ({@code metadata.max.idle.ms} is one day here, where Kafka's
 * is five minutes). Two cases remain in which a store can wait, for at most {@code max.block.ms} (5
 * s by default here): publishers racing for the buffer's last room, and a topic left unused for
 * longer than {@code metadata.max.idle.ms}.
 *
 * <p><b>Topic set-up.</b> A topic that a custom mapping returns and that this transport has not
 * seen is checked, created when allowed, and its metadata loaded at its first store, on a daemon
 * thread the transport owns ({@code herald-kafka-topics-<clientId>}, started on demand, gone after
 * 30 s idle and at {@link #close}), never on the caller's thread nor a shared pool. The set-up is
 * bounded by {@link Builder#startupTimeout} (plus {@code max.block.ms} for the metadata); stores to
 * the topic wait for it in their futures, and fail with its failure, which the next store to the
 * topic tries again.
 *
 * <p>One request in flight per broker ({@code max.in.flight.requests.per.connection=1}, where
 * Kafka's default is 5), unless {@link Builder#producerProperty} says otherwise. A broker reads the
 * next request on a connection only once it has answered the one before, so further requests in
 * flight merely queue there, each as a small batch paying the broker's whole per-request cost; a
 * record's store then waits for up to five requests ahead of it, and each hop of an event-driven
 * flow (a handler publishing what the next one consumes) as well, since a feed sees a record only
 * once it is stored. With one in flight the producer gathers what arrives meanwhile into the next
 * request. Raise it for a link whose round trip is long next to the broker's time per request.
 *
 * <p><b>Feeding.</b> Each {@link #feed} is one {@link KafkaConsumer} in consumer group {@link
 * Builder#groupIdPrefix} + group, on a poller thread of its own, with a deliverer thread that calls
 * the sink ({@link KafkaFeed}). Delivery is at least once and in order per partition (so per key):
 * an offset is committed only when every record below it in that partition is done. Several buses
 * (processes) subscribing with the same group share the partitions; when one leaves or dies, its
 * unfinished records go to another member.
 *
 * <p><b>Not on Kafka.</b> Subscriptions without a consumer group, and request/reply, stay
 * in-process on this transport as on every other: the engine routes them inside the publishing bus
 * and they never read Kafka. A subscriber in another process sees an event only through a durable
 * subscription. A request is stored like any published event (so durable subscribers see it), but
 * its reply reaches only a responder in the requesting bus.
 *
 * <p><b>Failures.</b> {@link Builder#build} fails fast, within {@link Builder#startupTimeout}, when
 * no broker answers at the bootstrap servers, naming them, and at once when a Kafka client refuses
 * its configuration (a bootstrap address without a port or with one out of range, a bad client
 * property), naming the cause; both as a {@link KafkaTransportException} with the client's
 * exception as its cause. A feed whose consumer hits an unexpected error (an authorization refusal,
 * say) logs it at ERROR with SLF4J (logger {@code dev.herald.kafka}; docs/logging.md), stops,
 * reports it to the bus (which calls {@code BusListener.onFeedFailed}), and shows it in {@link
 * #feeds()} ({@link KafkaFeed#state()}, {@link KafkaFeed#failure()}).
 *
 * <p>Thread-safe. {@link #close()} closes every feed (each waits, bounded, for what its sink holds,
 * commits and leaves its group), then flushes and closes the producer.
 */
public final class KafkaTransport implements Transport {
  /** The topic of every event under the default mapping. */
  public static final String DEFAULT_EVENTS_TOPIC = "herald.events";

  /** The topic of dead letters under the default mapping. */
  public static final String DEFAULT_DEAD_LETTER_TOPIC = "herald.deadletter";

  /**
   * Set-ups of new topics waiting for the set-up thread; past that a store to yet another fails.
   */
  private static final int MAX_WAITING_TOPIC_SET_UPS = 256;

  /** More than a record's own framing in a batch (length, attributes, deltas, header counts). */
  private static final int RECORD_OVERHEAD = 64;

  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.kafka");

  private final Builder config;
  private final Function<String, String> mapping;
  private final List<String> feedTopics;
  private final KafkaRecordDescriptor descriptor;
  private final KafkaFeed.FeedSettings feedSettings;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  private final int maxRequestSize;
  private final Map<String, CompletableFuture<Void>> topicsReady = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor topicSetup;
  private final long bufferMemory;
  private final int batchSize;
  private final Metric bufferAvailable;
  private final List<KafkaFeed> feeds = new ArrayList<>();
  private final AtomicInteger feedCount = new AtomicInteger();
  private boolean closed;

  private KafkaTransport(Builder b) {
    this.config = b;
    if (b.mapping != null) {
      this.mapping = b.mapping;
      this.feedTopics = List.copyOf(b.feedTopics);
    } else {
      String events = b.eventsTopic;
      String dead = b.deadLetterTopic;
      this.mapping = type -> DeadLetter.TYPE.equals(type) ? dead : events;
      this.feedTopics = List.copyOf(new LinkedHashSet<>(List.of(events, dead)));
    }
    this.descriptor = new KafkaRecordDescriptor(b.codec, CloudEventsStructured.DEFAULT_MAX_BYTES);
    this.feedSettings =
        new KafkaFeed.FeedSettings(
            b.pollTimeout,
            b.commitEvery,
            b.commitInterval,
            b.maxBufferedRecords,
            b.closeTimeout,
            b.assignmentListener);
    // Read before any client exists, so that a value the producer would refuse leaves nothing
    // running behind the exception.
    Map<String, Object> producerProps = producerProperties(b);
    this.maxRequestSize =
        (Integer)
            producerSetting(
                producerProps,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                ConfigDef.Type.INT,
                1_048_576);
    this.bufferMemory =
        (Long)
            producerSetting(
                producerProps,
                ProducerConfig.BUFFER_MEMORY_CONFIG,
                ConfigDef.Type.LONG,
                33_554_432L);
    this.batchSize =
        (Integer)
            producerSetting(
                producerProps, ProducerConfig.BATCH_SIZE_CONFIG, ConfigDef.Type.INT, 16_384);
    this.admin = client(b, () -> Admin.create(adminProperties(b)));
    try {
      awaitCluster();
      ensureTopics(feedTopics, System.nanoTime() + b.startupTimeout.toNanos());
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
    for (String t : feedTopics) {
      topicsReady.put(t, CompletableFuture.completedFuture(null));
    }
    try {
      this.producer =
          client(
              b,
              () ->
                  new KafkaProducer<>(
                      producerProps, new ByteArraySerializer(), new ByteArraySerializer()));
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
    this.bufferAvailable = producerMetric(producer, "buffer-available-bytes");
    try {
      for (String t : feedTopics) {
        loadMetadata(t);
      }
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      admin.close(Duration.ZERO);
      throw e;
    }
    String threadName = "herald-kafka-topics-" + b.clientId;
    this.topicSetup =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING_TOPIC_SET_UPS),
            r -> {
              Thread th = new Thread(r, threadName);
              th.setDaemon(true);
              return th;
            });
    topicSetup.allowCoreThreadTimeOut(true);
  }

  /**
   * The producer property {@code name} as the producer itself reads it ({@link
   * ConfigDef#parseType}: a string is trimmed, then parsed), or {@code otherwise} if it is not set.
   * A value the producer would refuse fails as the producer's own refusal does, naming the property
   * and the value.
   */
  private static Object producerSetting(
      Map<String, Object> props, String name, ConfigDef.Type type, Object otherwise) {
    Object value = props.get(name);
    if (value == null) {
      return otherwise;
    }
    try {
      return ConfigDef.parseType(name, value, type);
    } catch (ConfigException e) {
      throw new KafkaTransportException("invalid Kafka client configuration: " + e.getMessage(), e);
    }
  }

  /**
   * The producer's metric {@code name} of group {@code producer-metrics}, or null if it has none.
   */
  private static Metric producerMetric(KafkaProducer<?, ?> producer, String name) {
    for (Map.Entry<MetricName, ? extends Metric> m : producer.metrics().entrySet()) {
      if (m.getKey().name().equals(name) && m.getKey().group().equals("producer-metrics")) {
        return m.getValue();
      }
    }
    return null;
  }

  /**
   * Creates a Kafka client, turning the client's refusal of its configuration (a malformed
   * bootstrap address, an unknown property value) into a {@link KafkaTransportException} that names
   * the cause: the client's own exception says only "Failed to create new KafkaAdminClient" and
   * hides the reason in its causes.
   */
  private static <C> C client(Builder b, Supplier<C> create) {
    try {
      return create.get();
    } catch (KafkaException e) {
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      String reason =
          cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      boolean bootstrap = reason.contains(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
      throw new KafkaTransportException(
          (bootstrap
                  ? "invalid Kafka bootstrap servers '" + b.bootstrapServers + "': "
                  : "invalid Kafka client configuration: ")
              + reason,
          e);
    }
  }

  /**
   * A builder for a transport on the cluster at {@code bootstrapServers} ({@code host:port,...}).
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  @Override
  public String name() {
    return "kafka";
  }

  /** The topic that events of {@code type} are stored in. */
  public String topicFor(String type) {
    return mapping.apply(type);
  }

  /** The topics every feed reads. */
  public List<String> feedTopics() {
    return feedTopics;
  }

  /** What {@link Builder#groupIdPrefix} prepends to each subscription's group. */
  public String groupIdPrefix() {
    return config.groupIdPrefix;
  }

  /**
   * The transport's admin client, for tools that inspect its topics and groups (the gateway's lag
   * and dead letters). Owned by the transport and closed with it: do not close it.
   */
  public Admin admin() {
    return admin;
  }

  /**
   * A new consumer in no group, with this transport's bootstrap servers and client properties, for
   * a caller that assigns partitions and seeks itself (the gateway's cursors and dead-letter
   * browser): it commits nothing and never joins a group. {@code auto.offset.reset} is {@code
   * none}, so reading an offset that retention deleted fails ({@code OffsetOutOfRangeException})
   * instead of skipping. The caller owns it, and closes it.
   *
   * @param name part of its client id, for the brokers' logs and metrics
   */
  public KafkaConsumer<byte[], byte[]> reader(String name) {
    return reader(name, Map.of());
  }

  /**
   * {@link #reader(String)} with consumer properties of the caller's over the transport's (say
   * {@code fetch.max.wait.ms}, for a reader that seeks to records it knows exist and must not wait
   * on the broker's long poll); the properties {@link #reader(String)} fixes stay fixed.
   */
  public KafkaConsumer<byte[], byte[]> reader(String name, Map<String, ?> overrides) {
    Map<String, Object> p = new HashMap<>(config.clientProperties);
    p.putAll(overrides);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.clientId + "-" + name);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    return client(
        config,
        () -> new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
  }

  /**
   * The event in {@code record}, read as a feed reads it; for a record that makes no valid event,
   * the placeholder a feed would hand the bus (an {@link dev.herald.codec.UndecodableRecord} as
   * data). Any thread.
   */
  public Event<?> decode(ConsumerRecord<byte[], byte[]> record) {
    try {
      return descriptor.toEvent(record);
    } catch (RuntimeException e) {
      return KafkaRecordDescriptor.placeholder(record, e);
    }
  }

  /** The feeds started and not closed, failed ones included. */
  public synchronized List<KafkaFeed> feeds() {
    feeds.removeIf(f -> f.state() == KafkaFeed.State.CLOSED);
    return List.copyOf(feeds);
  }

  /**
   * Completes once every feed started so far has joined its consumer group and been given its
   * partitions ({@link KafkaFeed#assigned()}); fails if one of them fails or closes first.
   */
  public CompletableFuture<Void> feedsAssigned() {
    return CompletableFuture.allOf(
        feeds().stream().map(KafkaFeed::assigned).toArray(CompletableFuture[]::new));
  }

  @Override
  public CompletableFuture<Void> store(Event<?> event) {
    return store(null, event, false);
  }

  /**
   * Stores one event as {@link #store} does, and tells where: the future completes with the
   * record's topic, partition and offset. For callers that hand out positions (the HTTP gateway);
   * an event stored this way is not routed to any bus's in-process subscriptions.
   */
  public CompletableFuture<RecordMetadata> append(Event<?> event) {
    return store(null, event, true);
  }

  /**
   * {@link #append(Event)} to {@code topic} rather than the one the mapping names for the event's
   * type (the gateway keeps its resolved marks beside the dead letters they resolve). The topic is
   * set up as a new topic of a custom mapping is.
   */
  public CompletableFuture<RecordMetadata> append(String topic, Event<?> event) {
    return store(Objects.requireNonNull(topic, "topic"), event, true);
  }

  /**
   * The topic the mapping names for {@code type}. A mapping of the user's ({@link Builder#topics})
   * may have none for a type it was not written for; that store fails saying so, since a bare
   * {@code NullPointerException} would name neither the mapping nor the type.
   */
  private String mappedTopic(String type) {
    String to = mapping.apply(type);
    if (to == null || to.isBlank()) {
      throw new KafkaTransportException(
          "the topics mapping gave no topic for type '"
              + type
              + "'"
              + (to == null ? "" : " (a blank name)"));
    }
    return to;
  }

  private <T> CompletableFuture<T> store(String topic, Event<?> event, boolean tellWhere) {
    ProducerRecord<byte[], byte[]> record;
    try {
      String to = topic != null ? topic : mappedTopic(event.type());
      record = descriptor.toRecord(to, event);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> ready = topicReady(record.topic());
    if (ready.isDone() && !ready.isCompletedExceptionally()) {
      return send(event, record, tellWhere);
    }
    return ready.thenCompose(v -> send(event, record, tellWhere));
  }

  private <T> CompletableFuture<T> send(
      Event<?> event, ProducerRecord<byte[], byte[]> record, boolean tellWhere) {
    Stored<T> f = new Stored<>(event, record.topic(), tellWhere);
    long room = bufferRoom();
    int needed = Math.max(batchSize, sizeOf(record));
    if (room < needed) {
      // The producer would hold this thread until room frees, up to max.block.ms: answer instead.
      String message =
          "event "
              + event.id()
              + " ("
              + event.type()
              + ") not stored: the Kafka producer's buffer is full (buffer.memory is "
              + bufferMemory
              + " bytes, "
              + room
              + " free, this record needs "
              + needed
              + "), and a store never waits for "
              + "room; the brokers take records more slowly than they are published, or do not answer: "
              + "publish more slowly, retry, or raise buffer.memory";
      // The cause tells callers that map failures (429 against 503) that this one is push-back.
      f.completeExceptionally(
          new KafkaTransportException(message, new BufferExhaustedException(message)));
      return f;
    }
    try {
      producer.send(record, f);
    } catch (RuntimeException e) {
      f.completeExceptionally(explain(event, record.topic(), e));
    }
    return f;
  }

  /**
   * A store's future and the producer's callback in one object (one allocation per event, not two).
   * Completed on the producer's I/O thread, or on the publisher's when {@code send} throws; with
   * the record's metadata when {@code tellWhere}, else with null.
   */
  private final class Stored<T> extends CompletableFuture<T> implements Callback {
    private final Event<?> event;
    private final String topic;
    private final boolean tellWhere;

    Stored(Event<?> event, String topic, boolean tellWhere) {
      this.event = event;
      this.topic = topic;
      this.tellWhere = tellWhere;
    }

    @Override
    @SuppressWarnings("unchecked") // T is RecordMetadata when tellWhere, Void otherwise
    public void onCompletion(RecordMetadata metadata, Exception e) {
      if (e == null) {
        complete(tellWhere ? (T) metadata : null);
      } else {
        completeExceptionally(explain(event, topic, e));
      }
    }
  }

  /** Free bytes in the producer's buffer; the largest long if the producer does not say. */
  private long bufferRoom() {
    Object v = bufferAvailable == null ? null : bufferAvailable.metricValue();
    return v instanceof Number n ? n.longValue() : Long.MAX_VALUE;
  }

  /** An upper bound of the room {@code record} takes in a batch. */
  private static int sizeOf(ProducerRecord<byte[], byte[]> record) {
    int size =
        RECORD_OVERHEAD
            + (record.key() == null ? 0 : record.key().length)
            + (record.value() == null ? 0 : record.value().length);
    for (Header h : record.headers()) {
      size += h.key().length() * 3 + (h.value() == null ? 0 : h.value().length) + 10;
    }
    return size;
  }

  private Throwable explain(Event<?> event, String topic, Throwable e) {
    if (e instanceof RecordTooLargeException) {
      return new KafkaTransportException(
          "event "
              + event.id()
              + " ("
              + event.type()
              + ") is too large for "
              + "Kafka topic '"
              + topic
              + "': the producer's limit max.request.size is "
              + maxRequestSize
              + " bytes, and the broker's or topic's max.message.bytes may be lower ("
              + e.getMessage()
              + ")",
          e);
    }
    // A producer whose id request was refused fails later sends with a KafkaException ("in an error
    // state") whose cause is that refusal: explain the refusal, whichever way it arrives.
    Throwable refusal = e;
    while (refusal != null && !(refusal instanceof AuthorizationException)) {
      refusal = refusal.getCause();
    }
    if (refusal != null) {
      // The idempotent producer asks for a producer id before its first send; a principal with
      // WRITE
      // on no topic at all is refused that at cluster level, which reads as if it needed a cluster
      // ACL.
      String hint =
          refusal instanceof ClusterAuthorizationException
              ? "the idempotent producer needs WRITE on the topic (or IDEMPOTENT_WRITE on the cluster) ("
                  + refusal.getMessage()
                  + ")"
              : refusal.getMessage();
      return new KafkaTransportException(
          "not authorized to write event "
              + event.id()
              + " to Kafka topic '"
              + topic
              + "': "
              + hint,
          refusal);
    }
    return e;
  }

  private CompletableFuture<Void> topicReady(String topic) {
    CompletableFuture<Void> f = topicsReady.get(topic);
    if (f != null) {
      return f;
    }
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> raced = topicsReady.putIfAbsent(topic, mine);
    if (raced != null) {
      return raced;
    }
    mine.whenComplete(
        (v, e) -> {
          if (e != null) {
            topicsReady.remove(topic, mine); // a later store sets it up again
          }
        });
    try {
      topicSetup.execute(() -> setUp(topic, mine));
    } catch (RejectedExecutionException e) {
      mine.completeExceptionally(
          new KafkaTransportException(
              "cannot set up Kafka topic '"
                  + topic
                  + "': "
                  + (topicSetup.isShutdown()
                      ? "the transport is closed"
                      : MAX_WAITING_TOPIC_SET_UPS + " other topic set-ups are waiting"),
              e));
    }
    return mine;
  }

  /** Runs on the topic set-up thread: makes {@code topic} ready for the producer, bounded. */
  private void setUp(String topic, CompletableFuture<Void> ready) {
    try {
      ensureTopics(List.of(topic), System.nanoTime() + config.startupTimeout.toNanos());
      loadMetadata(topic);
      ready.complete(null);
    } catch (RuntimeException e) {
      ready.completeExceptionally(e);
    }
  }

  /**
   * Has the producer load {@code topic}'s metadata, so that no store waits for it; up to
   * max.block.ms.
   */
  private void loadMetadata(String topic) {
    try {
      producer.partitionsFor(topic);
    } catch (KafkaException e) {
      throw topicProblem(topic, e);
    }
  }

  /** Starts a feed; throws {@link IllegalStateException} once the transport is closed. */
  @Override
  public KafkaFeed feed(String group, Predicate<Event<?>> filter, FeedSink sink) {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(sink, "sink");
    KafkaFeed f;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("transport closed");
      }
      String groupId = config.groupIdPrefix + group;
      KafkaConsumer<byte[], byte[]> consumer =
          client(
              config,
              () ->
                  new KafkaConsumer<>(
                      consumerProperties(config, groupId, feedCount.incrementAndGet()),
                      new ByteArrayDeserializer(),
                      new ByteArrayDeserializer()));
      f = new KafkaFeed(groupId, consumer, feedTopics, descriptor, filter, sink, feedSettings);
      feeds.add(f);
    }
    f.start();
    return f;
  }

  /**
   * Closes every feed (each waits up to the close timeout for what its sink holds, commits, and
   * leaves its group; all are told to stop before any is waited for, so with the brokers gone their
   * waits overlap rather than add up), then flushes and closes the producer, waiting up to the
   * close timeout for the brokers: a store still unsent then fails. Idempotent.
   */
  @Override
  public void close() {
    List<KafkaFeed> toStop;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toStop = List.copyOf(feeds);
    }
    for (KafkaFeed f : toStop) {
      f.beginClose(); // all of them first: their waits for an absent broker overlap
    }
    for (KafkaFeed f : toStop) {
      f.close();
    }
    topicSetup.shutdownNow(); // a set-up under way is interrupted and fails its stores
    try {
      if (!topicSetup.awaitTermination(config.closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("the Kafka topic set-up thread did not stop within {}", config.closeTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    KafkaTransportException closing =
        new KafkaTransportException("the transport closed before the topic was set up");
    for (CompletableFuture<Void> ready : topicsReady.values()) {
      ready.completeExceptionally(closing); // set-ups never started
    }
    // Sends what it holds, waiting up to the close timeout; what is still unsent then (no broker
    // answers) fails its store's future rather than hold the close: flush() has no bound but the
    // records' delivery timeout (2 min by default).
    producer.close(config.closeTimeout);
    admin.close(config.closeTimeout);
  }

  // ------------------------------------------------------------------ start-up checks

  private void awaitCluster() {
    try {
      admin.describeCluster().nodes().get(config.startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw unreachable(e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw unreachable(e.getCause());
      }
      throw new KafkaTransportException(
          "cannot reach the Kafka cluster at "
              + config.bootstrapServers
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaTransportException(
          "interrupted while connecting to " + config.bootstrapServers, e);
    }
  }

  private KafkaTransportException unreachable(Throwable e) {
    return new KafkaTransportException(
        "no Kafka broker answered at "
            + config.bootstrapServers
            + " within "
            + config.startupTimeout.toMillis()
            + " ms: check bootstrap.servers, that the brokers run, and the "
            + "network and security settings",
        e);
  }

  /**
   * Makes sure {@code topics} exist, creating the missing ones when allowed; blocks until {@code
   * deadline} ({@link System#nanoTime}) at most.
   */
  private void ensureTopics(Collection<String> topics, long deadline) {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> x :
        admin.describeTopics(topics).topicNameValues().entrySet()) {
      try {
        x.getValue().get(millisUntil(deadline), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          missing.add(x.getKey());
        } else {
          throw topicProblem(x.getKey(), e.getCause());
        }
      } catch (TimeoutException | InterruptedException e) {
        throw topicProblem(x.getKey(), e);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    if (!config.autoCreateTopics) {
      throw new KafkaTransportException(
          "Kafka topic"
              + (missing.size() > 1 ? "s " : " ")
              + missing
              + " missing at "
              + config.bootstrapServers
              + " and autoCreateTopics is off: create "
              + (missing.size() > 1 ? "them" : "it")
              + ", or turn autoCreateTopics on",
          missing);
    }
    List<NewTopic> create = new ArrayList<>();
    for (String t : missing) {
      create.add(
          new NewTopic(t, Optional.of(config.partitions), config.replicationFactor)
              .configs(config.topicConfig));
    }
    for (Map.Entry<String, KafkaFuture<Void>> x : admin.createTopics(create).values().entrySet()) {
      try {
        x.getValue().get(millisUntil(deadline), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw topicProblem(x.getKey(), e.getCause());
        }
      } catch (TimeoutException | InterruptedException e) {
        throw topicProblem(x.getKey(), e);
      }
    }
    awaitLeaders(missing, deadline);
  }

  private static long millisUntil(long deadline) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  /**
   * Waits until the leader of every partition of new {@code topics} serves it. Producing to a topic
   * the brokers are still setting up fails the first batch with NOT_LEADER_OR_FOLLOWER while later
   * ones may land, which leaves the idempotent producer retrying an out-of-order batch until its
   * delivery timeout. A ListOffsets request is answered by the partition leader only once it leads;
   * retriable errors are retried until the startup timeout.
   */
  private void awaitLeaders(List<String> topics, long deadline) {
    while (true) {
      try {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
          for (TopicPartitionInfo p : d.partitions()) {
            latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
          }
        }
        admin.listOffsets(latest).all().get();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw topicProblem(topics.get(0), e.getCause());
        }
      } catch (InterruptedException e) {
        throw topicProblem(topics.get(0), e);
      }
      try {
        // The brokers are still applying the new topic's metadata, and there is nothing to wait on.
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw topicProblem(topics.get(0), e);
      }
    }
  }

  private KafkaTransportException topicProblem(String topic, Throwable e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    if (e instanceof TopicAuthorizationException || e instanceof AuthorizationException) {
      return new KafkaTransportException(
          "not authorized to describe or create Kafka topic '"
              + topic
              + "' at "
              + config.bootstrapServers
              + ": "
              + e.getMessage(),
          e);
    }
    return new KafkaTransportException(
        "cannot check or create Kafka topic '"
            + topic
            + "' at "
            + config.bootstrapServers
            + ": "
            + e,
        e);
  }

  // ------------------------------------------------------------------ client properties

  private static Map<String, Object> adminProperties(Builder b) {
    Map<String, Object> p = new HashMap<>(b.clientProperties);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, b.clientId + "-admin");
    int timeout = (int) Math.min(Integer.MAX_VALUE, b.startupTimeout.toMillis());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
    return p;
  }

  private static Map<String, Object> producerProperties(Builder b) {
    Map<String, Object> p = new HashMap<>(b.clientProperties);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, b.clientId + "-producer");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    // Loaded before the first store to a topic and kept, so that no store waits for it (see above).
    p.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, Duration.ofDays(1).toMillis());
    // The broker serves one request per connection at a time: more in flight only queue there (see
    // above).
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    p.putAll(b.producerProperties);
    // Not overridable: what the store future promises rests on these.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return p;
  }

  private static Map<String, Object> consumerProperties(Builder b, String groupId, int n) {
    Map<String, Object> p = new HashMap<>(b.clientProperties);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, b.clientId + "-" + groupId + "-" + n);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putAll(b.consumerProperties);
    // Not overridable: the feed commits what is done, and the group is the subscription's.
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return p;
  }

  /** Mutable builder; not thread-safe. */
  /**
   * Told when a feed's consumer is assigned partitions of its group: at its first join, and after
   * every rebalance that gives it partitions, such as those of a member that left or died. A member
   * that keeps state per partition learns here that it must rebuild it, for example from what the
   * partitions' previous owner published, before it handles their records.
   *
   * <p>Runs on the feed's poller thread, inside the consumer's poll, before any record of {@code
   * partitions} is delivered. It should return quickly (the consumer cannot heartbeat meanwhile);
   * leave the rebuilding itself to the handler. If it throws, the feed fails ({@link
   * KafkaFeed#failure()}) rather than deliver records to a member that was not told.
   */
  @FunctionalInterface
  public interface AssignmentListener {
    /**
     * {@code partitions} were assigned to a consumer of {@code groupId} (the Kafka {@code
     * group.id}, prefix included).
     */
    void assigned(String groupId, Collection<TopicPartition> partitions);
  }

  public static final class Builder {
    private final String bootstrapServers;
    private String eventsTopic = DEFAULT_EVENTS_TOPIC;
    private String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
    private Function<String, String> mapping;
    private Set<String> feedTopics;
    private PayloadCodec codec = JsonPayloadCodec.defaults();
    private final Map<String, Object> clientProperties = new HashMap<>();
    private final Map<String, Object> producerProperties = new HashMap<>();
    private final Map<String, Object> consumerProperties = new HashMap<>();
    private String clientId = "herald";
    private String groupIdPrefix = "";
    private Duration pollTimeout = Duration.ofMillis(100);
    private int commitEvery = 4096;
    private Duration commitInterval = Duration.ofSeconds(1);
    private int maxBufferedRecords = 1024;
    private Duration closeTimeout = Duration.ofSeconds(10);
    private Duration startupTimeout = Duration.ofSeconds(10);
    private boolean autoCreateTopics = true;
    private int partitions = 3;
    private Optional<Short> replicationFactor = Optional.empty();
    private final Map<String, String> topicConfig = new HashMap<>();
    private AssignmentListener assignmentListener = (groupId, partitions) -> {};

    private Builder(String bootstrapServers) {
      this.bootstrapServers = requireText(bootstrapServers, "bootstrapServers");
    }

    /**
     * The topic of every event but dead letters under the default mapping; {@value
     * #DEFAULT_EVENTS_TOPIC} by default.
     */
    public Builder eventsTopic(String topic) {
      this.eventsTopic = requireText(topic, "topic");
      return this;
    }

    /**
     * The topic of dead letters under the default mapping; {@value #DEFAULT_DEAD_LETTER_TOPIC} by
     * default.
     */
    public Builder deadLetterTopic(String topic) {
      this.deadLetterTopic = requireText(topic, "topic");
      return this;
    }

    /**
     * Replaces the default mapping: events of type {@code t} are stored in {@code
     * typeToTopic.apply(t)} (dead letters are of type {@value DeadLetter#TYPE}), and every feed
     * reads {@code feedTopics}, which should hold every topic the mapping returns. Where the
     * mapping returns null or a blank name for a type, every store of that type fails (the
     * publisher is told, and the bus counts it as {@code storeFailed}) with a {@link
     * KafkaTransportException} "the topics mapping gave no topic for type '...'"; where it returns
     * a name Kafka refuses, the store fails with a {@link KafkaTransportException} naming that
     * topic and giving Kafka's refusal.
     */
    public Builder topics(Function<String, String> typeToTopic, Collection<String> feedTopics) {
      this.mapping = Objects.requireNonNull(typeToTopic, "typeToTopic");
      if (feedTopics.isEmpty()) {
        throw new IllegalArgumentException("feedTopics must not be empty");
      }
      this.feedTopics = new LinkedHashSet<>(feedTopics);
      return this;
    }

    /** The payload codec; {@link JsonPayloadCodec#defaults()} by default. */
    public Builder codec(PayloadCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * A Kafka client property for the producer, the consumers and the admin client (security, say).
     */
    public Builder clientProperty(String name, Object value) {
      clientProperties.put(name, value);
      return this;
    }

    /**
     * A producer property. {@code enable.idempotence} and {@code acks} are fixed ({@code true},
     * {@code all}); serializers are Herald's.
     */
    public Builder producerProperty(String name, Object value) {
      producerProperties.put(name, value);
      return this;
    }

    /**
     * A consumer property. {@code group.id} and {@code enable.auto.commit} are fixed; {@code
     * auto.offset.reset} is {@code earliest} unless set here.
     */
    public Builder consumerProperty(String name, Object value) {
      consumerProperties.put(name, value);
      return this;
    }

    /** The prefix of every client id this transport's clients use; {@code herald} by default. */
    public Builder clientId(String clientId) {
      this.clientId = requireText(clientId, "clientId");
      return this;
    }

    /**
     * Prepended to each subscription's group to make the Kafka {@code group.id}, for example to
     * keep two environments apart on one cluster; empty by default.
     */
    public Builder groupIdPrefix(String prefix) {
      this.groupIdPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** How long one poll waits for records; 100 ms by default. */
    public Builder pollTimeout(Duration timeout) {
      this.pollTimeout = requirePositive(timeout, "pollTimeout");
      return this;
    }

    /**
     * A feed commits once this many records are done since its last commit, or once {@link
     * #commitInterval} has passed with some done; 4096 by default. Each commit is a request to the
     * group coordinator and a replicated write to {@code __consumer_offsets}; a feed counts every
     * record of its topics, the types its subscription skips included, so a small value makes many
     * groups on one busy topic commit hundreds of times a second. A crash redelivers at most what
     * was finished since the last commit.
     */
    public Builder commitEvery(int records) {
      if (records <= 0) {
        throw new IllegalArgumentException("commitEvery must be > 0: " + records);
      }
      this.commitEvery = records;
      return this;
    }

    /** See {@link #commitEvery}; 1 s by default. */
    public Builder commitInterval(Duration interval) {
      this.commitInterval = requirePositive(interval, "commitInterval");
      return this;
    }

    /**
     * How many polled records a feed holds before the sink takes them; when full it pauses its
     * partitions until half have been taken. 1024 by default.
     */
    public Builder maxBufferedRecords(int records) {
      if (records <= 1) {
        throw new IllegalArgumentException("maxBufferedRecords must be > 1: " + records);
      }
      this.maxBufferedRecords = records;
      return this;
    }

    /**
     * How long closing waits, at each step: for the sink to finish what it holds, for the final
     * commit, for the producer to flush. 10 s by default.
     */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = requirePositive(timeout, "closeTimeout");
      return this;
    }

    /**
     * Told each time a feed's consumer is assigned partitions; none by default. See {@link
     * AssignmentListener}.
     */
    public Builder onAssigned(AssignmentListener listener) {
      this.assignmentListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * How long {@link #build} waits for the cluster to answer, and each topic check; 10 s by
     * default.
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = requirePositive(timeout, "startupTimeout");
      return this;
    }

    /** Whether missing topics are created (with the Admin API); on by default. */
    public Builder autoCreateTopics(boolean create) {
      this.autoCreateTopics = create;
      return this;
    }

    /** Partitions of the topics this transport creates; 3 by default. */
    public Builder partitions(int partitions) {
      if (partitions <= 0) {
        throw new IllegalArgumentException("partitions must be > 0: " + partitions);
      }
      this.partitions = partitions;
      return this;
    }

    /** Replication factor of the topics this transport creates; the brokers' default by default. */
    public Builder replicationFactor(int factor) {
      if (factor <= 0 || factor > Short.MAX_VALUE) {
        throw new IllegalArgumentException("replicationFactor must be > 0: " + factor);
      }
      this.replicationFactor = Optional.of((short) factor);
      return this;
    }

    /**
     * A topic configuration for the topics this transport creates, e.g. {@code
     * min.insync.replicas}.
     */
    public Builder topicConfig(String name, String value) {
      topicConfig.put(name, value);
      return this;
    }

    /**
     * Connects, checks (or creates) the feed topics, and builds the transport.
     *
     * @throws KafkaTransportException if no broker answers within the startup timeout, a feed topic
     *     is missing while auto-creation is off, or this client may not describe or create it
     */
    public KafkaTransport build() {
      return new KafkaTransport(this);
    }

    private static String requireText(String s, String what) {
      if (Objects.requireNonNull(s, what).isBlank()) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
      return s;
    }

    private static Duration requirePositive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be > 0: " + d);
      }
      return d;
    }
  }
}
