package dev.herald.spring.boot;

import dev.herald.Backpressure;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code herald.*} properties of the auto-configured {@link dev.herald.EventBus}. Each setter
 * checks its value, so a bad one fails the context's start with the property's name in the message
 * ({@code Failed to bind properties under 'herald.worker-threads'}); the checks that involve two
 * properties run once all are bound ({@link #check()}), and name both. A {@code herald.*} name that
 * is none of these properties (a typo: {@code herald.transprot}) fails the start too, naming it,
 * rather than leave the bus on another transport or directory than meant; environment variables and
 * system properties are not checked so (Spring's rule: they are shared with other programs, {@code
 * HERALD_TOKEN} of the command line among them).
 */
@ConfigurationProperties(prefix = "herald", ignoreUnknownFields = false)
public class HeraldProperties {
  /** The transports a bus can store its events with. */
  public enum Transport {
    /** In-process only: no store, no consumer groups. */
    MEMORY,
    /** Herald's durable log in {@code herald.log.directory} (needs herald-log). */
    LOG,
    /** Apache Kafka at {@code herald.kafka.bootstrap-servers} (needs herald-kafka). */
    KAFKA
  }

  /** What a publish does when a subscription's mailbox is full; see {@link Backpressure}. */
  public enum BackpressurePolicy {
    /** The publish fails at once with a MailboxFullException. */
    FAIL,
    /** The publisher waits for room, up to {@code herald.subscription.block-timeout}. */
    BLOCK,
    /** The incoming event is dropped. */
    DROP_NEWEST,
    /** The oldest queued event is dropped to make room. */
    DROP_OLDEST
  }

  /**
   * Where the bus stores events for durable subscriptions (consumer groups): memory, log or kafka.
   */
  private Transport transport = Transport.MEMORY;

  /**
   * Size of the bus's own pool of handler threads. Default: the number of processors, at least 2.
   */
  private Integer workerThreads;

  /**
   * How long closing the bus on context shutdown waits for the events in flight; what is left is
   * counted as dropped and reported.
   */
  private Duration closeTimeout = Duration.ofSeconds(30);

  private final Log log = new Log();
  private final Kafka kafka = new Kafka();
  private final Codec codec = new Codec();
  private final Subscription subscription = new Subscription();
  private final Tracing tracing = new Tracing();

  public Transport getTransport() {
    return transport;
  }

  public void setTransport(Transport transport) {
    this.transport = required("transport", transport);
  }

  public Integer getWorkerThreads() {
    return workerThreads;
  }

  public void setWorkerThreads(Integer workerThreads) {
    if (workerThreads != null) {
      within("worker-threads", workerThreads, 1, 4096);
    }
    this.workerThreads = workerThreads;
  }

  public Duration getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(Duration closeTimeout) {
    this.closeTimeout = notNegative("close-timeout", closeTimeout);
  }

  public Log getLog() {
    return log;
  }

  public Kafka getKafka() {
    return kafka;
  }

  public Codec getCodec() {
    return codec;
  }

  public Subscription getSubscription() {
    return subscription;
  }

  public Tracing getTracing() {
    return tracing;
  }

  /**
   * Checks what involves two properties.
   *
   * @throws IllegalStateException naming both properties
   */
  public void check() {
    Retry retry = subscription.getRetry();
    if (retry.getMaxDelay().compareTo(retry.getInitialDelay()) < 0) {
      throw new IllegalStateException(
          "herald.subscription.retry.max-delay ("
              + retry.getMaxDelay()
              + ") must not be less than herald.subscription.retry.initial-delay ("
              + retry.getInitialDelay()
              + ")");
    }
  }

  /** The herald-log transport. */
  public static class Log {
    /** The directory of the durable log; created if missing. */
    private Path directory = Path.of("herald-data");

    public Path getDirectory() {
      return directory;
    }

    public void setDirectory(Path directory) {
      this.directory = required("log.directory", directory);
    }
  }

  /** The herald-kafka transport. */
  public static class Kafka {
    /** Comma-separated host:port pairs of the Kafka brokers to connect to. */
    private String bootstrapServers = "localhost:9092";

    /** The topic every event is stored in. */
    private String eventsTopic = "herald.events";

    /** The topic dead letters are stored in. */
    private String deadLetterTopic = "herald.deadletter";

    /**
     * Prefix of the Kafka consumer group ids of durable subscriptions (to keep environments apart).
     */
    private String groupIdPrefix = "";

    /** Partitions of the topics Herald creates. */
    private int partitions = 3;

    /** Further Kafka client settings (producer, consumer and admin), e.g. security.protocol. */
    private final Map<String, String> properties = new LinkedHashMap<>();

    public String getBootstrapServers() {
      return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
      this.bootstrapServers = notBlank("kafka.bootstrap-servers", bootstrapServers);
    }

    public String getEventsTopic() {
      return eventsTopic;
    }

    public void setEventsTopic(String eventsTopic) {
      this.eventsTopic = notBlank("kafka.events-topic", eventsTopic);
    }

    public String getDeadLetterTopic() {
      return deadLetterTopic;
    }

    public void setDeadLetterTopic(String deadLetterTopic) {
      this.deadLetterTopic = notBlank("kafka.dead-letter-topic", deadLetterTopic);
    }

    public String getGroupIdPrefix() {
      return groupIdPrefix;
    }

    public void setGroupIdPrefix(String groupIdPrefix) {
      this.groupIdPrefix = required("kafka.group-id-prefix", groupIdPrefix);
    }

    public int getPartitions() {
      return partitions;
    }

    public void setPartitions(int partitions) {
      this.partitions = within("kafka.partitions", partitions, 1, 10_000);
    }

    public Map<String, String> getProperties() {
      return properties;
    }
  }

  /** The payload codec of the storing transports. */
  public static class Codec {
    /**
     * Packages whose classes a stored payload may be decoded into when only the record names its
     * class (a subscription that names its payload class gets it anyway). Default: the packages of
     * the application ({@code @SpringBootApplication}'s).
     */
    private List<String> allowedPackages = new ArrayList<>();

    public List<String> getAllowedPackages() {
      return allowedPackages;
    }

    public void setAllowedPackages(List<String> allowedPackages) {
      this.allowedPackages = required("codec.allowed-packages", allowedPackages);
    }
  }

  /**
   * Options of the subscriptions made for {@code @Subscribe} methods, where the annotation says
   * nothing.
   */
  public static class Subscription {
    /** Events each subscription's mailbox holds, rounded up to a power of two. */
    private int mailboxCapacity = 8192;

    /** What a publish does when a mailbox is full: fail, block, drop-newest or drop-oldest. */
    private BackpressurePolicy backpressure = BackpressurePolicy.FAIL;

    /** How long a publisher waits for room with the block policy before the publish fails. */
    private Duration blockTimeout = Duration.ofSeconds(5);

    private final Retry retry = new Retry();

    public int getMailboxCapacity() {
      return mailboxCapacity;
    }

    public void setMailboxCapacity(int mailboxCapacity) {
      this.mailboxCapacity =
          within(
              "subscription.mailbox-capacity",
              mailboxCapacity,
              2,
              SubscribeOptions.MAX_MAILBOX_CAPACITY);
    }

    public BackpressurePolicy getBackpressure() {
      return backpressure;
    }

    public void setBackpressure(BackpressurePolicy backpressure) {
      this.backpressure = required("subscription.backpressure", backpressure);
    }

    public Duration getBlockTimeout() {
      return blockTimeout;
    }

    public void setBlockTimeout(Duration blockTimeout) {
      this.blockTimeout = notNegative("subscription.block-timeout", blockTimeout);
    }

    public Retry getRetry() {
      return retry;
    }

    /** The options these properties give, before the annotation's own. */
    public SubscribeOptions toOptions() {
      Backpressure policy =
          switch (backpressure) {
            case FAIL -> Backpressure.fail();
            case BLOCK -> Backpressure.block(blockTimeout);
            case DROP_NEWEST -> Backpressure.dropNewest();
            case DROP_OLDEST -> Backpressure.dropOldest();
          };
      return SubscribeOptions.defaults()
          .mailboxCapacity(mailboxCapacity)
          .backpressure(policy)
          .retry(retry.toPolicy());
    }
  }

  /** Retries of a failed handler call, as {@link RetryPolicy#exponential} takes them. */
  public static class Retry {
    /** Attempts in all, the first included; 1 sends a failed event to the dead letters at once. */
    private int maxAttempts = 1;

    /** Delay before the first retry; each next one is twice as late. */
    private Duration initialDelay = Duration.ofMillis(100);

    /** The longest delay between two attempts. */
    private Duration maxDelay = Duration.ofSeconds(10);

    /** Each delay is multiplied by a random factor in [1 - jitter, 1]. */
    private double jitter = 0.2;

    public int getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
      this.maxAttempts = within("subscription.retry.max-attempts", maxAttempts, 1, 1_000_000);
    }

    public Duration getInitialDelay() {
      return initialDelay;
    }

    public void setInitialDelay(Duration initialDelay) {
      this.initialDelay = notNegative("subscription.retry.initial-delay", initialDelay);
    }

    public Duration getMaxDelay() {
      return maxDelay;
    }

    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = notNegative("subscription.retry.max-delay", maxDelay);
    }

    public double getJitter() {
      return jitter;
    }

    public void setJitter(double jitter) {
      if (!(jitter >= 0.0 && jitter <= 1.0)) {
        throw new IllegalArgumentException(
            "herald.subscription.retry.jitter: must be within [0, 1], was " + jitter);
      }
      this.jitter = jitter;
    }

    /** The policy these properties give. */
    public RetryPolicy toPolicy() {
      return maxAttempts == 1
          ? RetryPolicy.none()
          : RetryPolicy.exponential(maxAttempts, initialDelay, maxDelay).withJitter(jitter);
    }
  }

  /** The OpenTelemetry integration (herald-opentelemetry). */
  public static class Tracing {
    /**
     * Whether a handler's process span is the child of the publisher's send span (true), or the
     * root of a trace of its own with a link to it (false, as the messaging conventions advise).
     */
    private boolean parentChild;

    public boolean isParentChild() {
      return parentChild;
    }

    public void setParentChild(boolean parentChild) {
      this.parentChild = parentChild;
    }
  }

  private static <T> T required(String name, T value) {
    if (value == null) {
      throw new IllegalArgumentException("herald." + name + ": must be set");
    }
    return value;
  }

  private static String notBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("herald." + name + ": must not be blank");
    }
    return value;
  }

  private static int within(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "herald." + name + ": must be within [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  private static Duration notNegative(String name, Duration value) {
    if (required(name, value).isNegative()) {
      throw new IllegalArgumentException("herald." + name + ": must not be negative, was " + value);
    }
    return value;
  }
}
