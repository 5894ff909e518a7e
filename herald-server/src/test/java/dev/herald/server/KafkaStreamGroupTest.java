package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Herald;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.awaitility.Awaitility;

/**
 * {@link StreamGroupTest} on one embedded Kafka broker of the class's, with topics of three
 * partitions: the group's streams are members of a Kafka consumer group, and split its partitions.
 */
class KafkaStreamGroupTest extends StreamGroupTest {
  private EmbeddedKafka kafka;
  private KafkaTransport transport;

  @Override
  protected GatewayStore openStore() {
    kafka = EmbeddedKafka.start();
    transport =
        KafkaTransport.builder(kafka.bootstrapServers())
            .eventsTopic("streams.events")
            .deadLetterTopic("streams.deadletter")
            .groupIdPrefix("streams-")
            .clientId("streams")
            .partitions(3)
            .commitInterval(Duration.ofMillis(100))
            .startupTimeout(Duration.ofSeconds(30))
            .build();
    return KafkaGatewayStore.over(transport, Herald.builder().transport(transport).build());
  }

  @Override
  protected void awaitMembers(String group, int members) {
    String id = transport.groupIdPrefix() + group;
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              ConsumerGroupDescription d =
                  transport
                      .admin()
                      .describeConsumerGroups(List.of(id))
                      .all()
                      .get(10, TimeUnit.SECONDS)
                      .get(id);
              assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
              assertThat(d.members()).hasSize(members);
              for (MemberDescription m : d.members()) {
                assertThat(m.assignment().topicPartitions()).isNotEmpty();
              }
            });
  }

  /** Each round waits for the Kafka group's rebalances: a few rounds exercise the same path. */
  @Override
  protected int leaverRounds() {
    return 2;
  }

  @Override
  protected void afterStore() {
    if (kafka != null) {
      kafka.close();
    }
  }
}
