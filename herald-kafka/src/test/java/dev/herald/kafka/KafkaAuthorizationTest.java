package dev.herald.kafka;

import static dev.herald.kafka.KafkaTransportTest.freshPrefix;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.BusListener;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.kafka.KafkaTransportTest.Order;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a user sees when the brokers refuse them: a one-broker cluster with SASL/PLAIN and KRaft's
 * StandardAuthorizer (no ACL, no access), a client that is not a super user, and ACLs granted per
 * test.
 */
@Timeout(value = 120, unit = SECONDS)
class KafkaAuthorizationTest {
  private static final String LOGIN_CONFIG = "java.security.auth.login.config";
  private static final String USER = "User:" + AuthorizedCluster.USER;

  private static AuthorizedCluster cluster;

  private final String prefix = freshPrefix("auth");
  private final String events = prefix + "events";
  private final String deadletter = prefix + "deadletter";

  @BeforeAll
  static void startCluster() {
    cluster = AuthorizedCluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  // ------------------------------------------------------------------ publishing

  /**
   * The idempotent producer asks for a producer id first, which a principal without WRITE on any
   * topic (nor IDEMPOTENT_WRITE on the cluster) is refused as a cluster authorization failure; the
   * store still names the topic it could not write, and granting WRITE on that topic is the fix.
   */
  @Test
  void aPublishWithNoWriteAclAnywhereFailsNamingTheTopicAndStoresNothing() throws Exception {
    createTopics();
    allow(AclOperation.DESCRIBE, events, deadletter);
    LinkedBlockingQueue<Throwable> storeFailures = new LinkedBlockingQueue<>();
    try (KafkaTransport t = transport().build()) {
      EventBus bus =
          Herald.builder()
              .transport(t)
              .listener(
                  new BusListener() {
                    @Override
                    public void onStoreFailed(Event<?> event, Throwable cause) {
                      storeFailures.add(cause);
                    }
                  })
              .build();
      Event<Order> e = Event.of("order.placed", new Order("1", 10));
      assertThatThrownBy(() -> bus.publish(e).get(30, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaTransportException.class)
          .hasMessageContaining("not authorized")
          .hasMessageContaining(e.id())
          .hasMessageContaining("'" + events + "'")
          .hasMessageContaining("needs WRITE on the topic")
          .hasCauseInstanceOf(ClusterAuthorizationException.class);
      assertThat(storeFailures.poll(30, SECONDS)).isInstanceOf(KafkaTransportException.class);
      assertThat(bus.stats().storeFailed()).isEqualTo(1);
      assertThat(endOffset(events)).isZero();

      allow(AclOperation.WRITE, events);
      bus.publish(Event.of("order.placed", new Order("2", 20))).get(30, SECONDS);
      assertThat(endOffset(events)).isEqualTo(1);
      assertThat(bus.stats().storeFailed()).isEqualTo(1);
      bus.close(Duration.ofSeconds(10));
    }
  }

  @Test
  void aStoreToATopicTheClientMayNotWriteFailsNamingTheTopicAndTheProducerStaysUsable()
      throws Exception {
    createTopics();
    allow(AclOperation.DESCRIBE, events, deadletter);
    allow(AclOperation.WRITE, deadletter); // may write somewhere, so the producer gets its id
    try (KafkaTransport t = transport().build()) {
      Event<Order> e = Event.of("order.placed", new Order("1", 10));
      assertThatThrownBy(() -> t.store(e).get(30, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaTransportException.class)
          .hasMessageContaining(
              "not authorized to write event " + e.id() + " to Kafka topic '" + events + "'")
          .hasCauseInstanceOf(TopicAuthorizationException.class);
      assertThat(endOffset(events)).isZero();

      allow(AclOperation.WRITE, events);
      t.store(Event.of("order.placed", new Order("2", 20))).get(30, SECONDS);
      assertThat(endOffset(events)).isEqualTo(1);
    }
  }

  // ------------------------------------------------------------------ feeding

  /** Subscribes {@code bus} in group "orders" and returns the failure its feed reports. */
  private static Throwable subscribeAndAwaitFeedFailure(EventBus bus, Failures failures)
      throws InterruptedException {
    bus.subscribe(
        "order.placed", e -> {}, SubscribeOptions.defaults().group("orders").name("orders"));
    Throwable cause = failures.causes.poll(60, SECONDS);
    assertThat(failures.subscriptions.poll()).isEqualTo("orders");
    return cause;
  }

  @Test
  void aSubscriptionWhoseGroupMayNotReadTheTopicFailsItsFeedNamingTheTopic() throws Exception {
    createTopics();
    allow(AclOperation.DESCRIBE, events, deadletter);
    allow(
        AclOperation.READ,
        deadletter); // only the events topic is refused, so the message must name it
    allowGroup(prefix + "orders");
    Failures failures = new Failures();
    try (KafkaTransport t = transport().build()) {
      EventBus bus = Herald.builder().transport(t).listener(failures).build();
      Throwable cause = subscribeAndAwaitFeedFailure(bus, failures);
      assertThat(cause)
          .isInstanceOf(KafkaTransportException.class)
          .hasMessage(
              "feed of group '"
                  + prefix
                  + "orders': not authorized to read topics ["
                  + events
                  + "]")
          .hasCauseInstanceOf(TopicAuthorizationException.class);
      assertThat(t.feeds())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.state()).isEqualTo(KafkaFeed.State.FAILED);
                assertThat(f.failure()).containsSame(cause);
              });

      // Once granted, a new feed of the same group on the same transport reads the topic.
      allow(AclOperation.READ, events);
      allow(AclOperation.WRITE, events);
      t.store(Event.of("order.placed", new Order("1", 10))).get(30, SECONDS);
      LinkedBlockingQueue<Event<?>> fed = new LinkedBlockingQueue<>();
      KafkaFeed again =
          t.feed(
              "orders",
              e -> true,
              (e, done) -> {
                fed.add(e);
                done.run();
              });
      assertThat(fed.poll(60, SECONDS))
          .isNotNull()
          .extracting(Event::type)
          .isEqualTo("order.placed");
      assertThat(again.state()).isEqualTo(KafkaFeed.State.RUNNING);
      bus.close(Duration.ofSeconds(10)); // closes the transport too
      assertThat(failures.causes).isEmpty(); // the failed feed was reported once
    }
  }

  @Test
  void aSubscriptionWhoseGroupIsNotAllowedFailsItsFeedNamingTheGroup() throws Exception {
    createTopics();
    allow(AclOperation.DESCRIBE, events, deadletter);
    allow(AclOperation.READ, events, deadletter);
    Failures failures = new Failures();
    try (KafkaTransport t = transport().build()) {
      EventBus bus = Herald.builder().transport(t).listener(failures).build();
      Throwable cause = subscribeAndAwaitFeedFailure(bus, failures);
      assertThat(cause)
          .isInstanceOf(KafkaTransportException.class)
          .hasMessageContaining("group '" + prefix + "orders'")
          .hasMessageContaining("not authorized to use the consumer group")
          .hasCauseInstanceOf(GroupAuthorizationException.class);
      assertThat(t.feeds())
          .singleElement()
          .satisfies(f -> assertThat(f.state()).isEqualTo(KafkaFeed.State.FAILED));
      bus.close(Duration.ofSeconds(10));
    }
  }

  // ------------------------------------------------------------------ building

  @Test
  void aTopicTheClientMayNotDescribeFailsTheBuildNamingTheTopic() throws Exception {
    createTopics();
    allow(AclOperation.DESCRIBE, deadletter);
    assertThatThrownBy(() -> transport().build())
        .isInstanceOf(KafkaTransportException.class)
        .hasMessageContaining("not authorized to describe or create Kafka topic '" + events + "'");
  }

  // ------------------------------------------------------------------ helpers

  private static final class Failures implements BusListener {
    final LinkedBlockingQueue<String> subscriptions = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Throwable> causes = new LinkedBlockingQueue<>();

    @Override
    public void onFeedFailed(String subscription, Throwable cause) {
      subscriptions.add(subscription);
      causes.add(cause);
    }
  }

  /** A transport authenticated as the cluster's ordinary user, on this test's topics and groups. */
  private KafkaTransport.Builder transport() {
    return KafkaTransport.builder(cluster.kit.bootstrapServers())
        .eventsTopic(events)
        .deadLetterTopic(deadletter)
        .groupIdPrefix(prefix)
        .clientId(prefix + "herald")
        .replicationFactor(1)
        .partitions(1)
        .startupTimeout(Duration.ofSeconds(10))
        .closeTimeout(Duration.ofSeconds(2))
        .codec(KafkaTransportTest.CODEC)
        .clientProperty("security.protocol", "SASL_PLAINTEXT")
        .clientProperty("sasl.mechanism", "PLAIN")
        .clientProperty(
            "sasl.jaas.config",
            AuthorizedCluster.jaas(AuthorizedCluster.USER, AuthorizedCluster.USER_SECRET));
  }

  /** Creates this test's topics as the super user, so the test user needs no CREATE. */
  private void createTopics() throws Exception {
    cluster
        .admin
        .createTopics(
            List.of(new NewTopic(events, 1, (short) 1), new NewTopic(deadletter, 1, (short) 1)))
        .all()
        .get(30, SECONDS);
  }

  private void allow(AclOperation op, String... topics) throws Exception {
    List<AclBinding> acls = new ArrayList<>();
    for (String topic : topics) {
      acls.add(acl(ResourceType.TOPIC, topic, op));
    }
    grant(acls);
  }

  private void allowGroup(String group) throws Exception {
    grant(List.of(acl(ResourceType.GROUP, group, AclOperation.READ)));
  }

  private static AclBinding acl(ResourceType type, String name, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry(USER, "*", op, AclPermissionType.ALLOW));
  }

  /**
   * Creates ACLs and waits until the broker's authorizer has them: the broker answers DescribeAcls
   * from its own authorizer, which learns of new ACLs from the metadata log, after the controller.
   */
  private void grant(List<AclBinding> acls) throws Exception {
    cluster.admin.createAcls(acls).all().get(30, SECONDS);
    await()
        .atMost(30, SECONDS)
        .until(
            () -> {
              List<AclBinding> known = new ArrayList<>();
              for (AclBinding a : acls) {
                known.addAll(cluster.admin.describeAcls(a.toFilter()).values().get(30, SECONDS));
              }
              return known.containsAll(acls);
            });
  }

  private long endOffset(String topic) throws Exception {
    TopicPartition p = new TopicPartition(topic, 0);
    return cluster
        .admin
        .listOffsets(Map.of(p, OffsetSpec.latest()))
        .partitionResult(p)
        .get(30, SECONDS)
        .offset();
  }

  /**
   * A one-node (combined) cluster whose listeners speak SASL_PLAINTEXT with PLAIN. With that
   * protocol the test kit configures, by itself, StandardAuthorizer with {@code
   * allow.everyone.if.no.acl.found} off, the super user {@value #ADMIN} (the brokers' own
   * principal, and that of {@link KafkaClusterTestKit#admin()}), an ordinary user {@value #USER},
   * and a JAAS file it points the JVM's {@value LOGIN_CONFIG} at, which {@link #close} restores.
   */
  static final class AuthorizedCluster implements AutoCloseable {
    static final String ADMIN = "plain-admin";
    static final String USER = "plain-user1";
    static final String USER_SECRET = "plain-user1-secret";

    final KafkaClusterTestKit kit;
    final Admin admin;
    private final String loginConfigBefore;

    private AuthorizedCluster(KafkaClusterTestKit kit, String loginConfigBefore) {
      this.kit = kit;
      this.admin = kit.admin();
      this.loginConfigBefore = loginConfigBefore;
    }

    static AuthorizedCluster start() {
      String before = System.getProperty(LOGIN_CONFIG);
      KafkaClusterTestKit kit = null;
      try {
        TestKitNodes nodes =
            new TestKitNodes.Builder()
                .setCombined(true)
                .setNumControllerNodes(1)
                .setNumBrokerNodes(1)
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setBrokerListenerName(ListenerName.normalised("EXTERNAL"))
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .build();
        KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes);
        Map<String, String> props =
            new HashMap<>(
                Map.of(
                    "group.initial.rebalance.delay.ms", "0",
                    "offsets.topic.replication.factor", "1",
                    "offsets.topic.num.partitions", "1",
                    "transaction.state.log.replication.factor", "1",
                    "transaction.state.log.min.isr", "1",
                    "auto.create.topics.enable", "false"));
        props.forEach(b::setConfigProp);
        kit = b.build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
        return new AuthorizedCluster(kit, before);
      } catch (Exception e) {
        if (kit != null) {
          TestClusters.close(kit);
        }
        restore(before);
        throw new IllegalStateException("cannot start the SASL/ACL test Kafka cluster", e);
      }
    }

    static String jaas(String user, String password) {
      return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
          + user
          + "\" password=\""
          + password
          + "\";";
    }

    @Override
    public void close() {
      admin.close(Duration.ofSeconds(5));
      TestClusters.close(kit);
      restore(loginConfigBefore);
    }

    private static void restore(String loginConfig) {
      if (loginConfig == null) {
        System.clearProperty(LOGIN_CONFIG);
      } else {
        System.setProperty(LOGIN_CONFIG, loginConfig);
      }
    }
  }
}
