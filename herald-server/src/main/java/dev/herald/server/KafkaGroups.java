package dev.herald.server;

import dev.herald.kafka.KafkaTransport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The consumer groups of one {@link KafkaTransport}, for {@link KafkaGatewayStore#groups()}: the
 * groups whose id starts with the transport's group id prefix and that read its feed topics (they
 * committed an offset there, or a member is assigned a partition there). Each is reported under its
 * subscription's group name (the prefix removed), with every partition of the feed topics:
 * committed is the group's committed offset, or the partition's start when it committed none there
 * yet (a new group reads from the start), and end is the partition's end offset. Stateless; each
 * call asks the brokers through the transport's admin client, bounded by {@link #TIMEOUT_MS} per
 * request.
 */
final class KafkaGroups {
  static final long TIMEOUT_MS = 10_000;

  private KafkaGroups() {}

  static List<GatewayStore.GroupLag> of(KafkaTransport transport) {
    Admin admin = transport.admin();
    String prefix = transport.groupIdPrefix();
    try {
      List<String> ids = new ArrayList<>();
      for (GroupListing g : get(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all())) {
        if (g.groupId().startsWith(prefix)) {
          ids.add(g.groupId());
        }
      }
      if (ids.isEmpty()) {
        return List.of();
      }
      List<TopicPartition> partitions = new ArrayList<>();
      for (TopicDescription d :
          get(admin.describeTopics(transport.feedTopics()).allTopicNames()).values()) {
        for (TopicPartitionInfo p : d.partitions()) {
          partitions.add(new TopicPartition(d.name(), p.partition()));
        }
      }
      Map<TopicPartition, Long> start = offsets(admin, partitions, OffsetSpec.earliest());
      Map<TopicPartition, Long> end = offsets(admin, partitions, OffsetSpec.latest());
      Map<String, ConsumerGroupDescription> described =
          get(admin.describeConsumerGroups(ids).all());
      Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
      for (String id : ids) {
        specs.put(id, new ListConsumerGroupOffsetsSpec());
      }
      ListConsumerGroupOffsetsResult offsets = admin.listConsumerGroupOffsets(specs);
      List<GatewayStore.GroupLag> out = new ArrayList<>();
      for (String id : ids) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            get(offsets.partitionsToOffsetAndMetadata(id));
        if (!readsFeedTopics(transport, committed.keySet(), described.get(id))) {
          continue;
        }
        List<GatewayStore.PartitionLag> lags = new ArrayList<>();
        for (TopicPartition tp : partitions) {
          OffsetAndMetadata c = committed.get(tp);
          lags.add(
              new GatewayStore.PartitionLag(
                  tp.toString(), c == null ? start.get(tp) : c.offset(), end.get(tp)));
        }
        out.add(new GatewayStore.GroupLag(id.substring(prefix.length()), lags));
      }
      return out;
    } catch (ExecutionException e) {
      throw new StoreUnavailableException(
          "cannot read the consumer groups: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new StoreUnavailableException(
          "the Kafka brokers did not list the consumer groups within " + TIMEOUT_MS + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while reading the consumer groups", e);
    }
  }

  private static boolean readsFeedTopics(
      KafkaTransport transport,
      Collection<TopicPartition> committed,
      ConsumerGroupDescription description) {
    List<String> topics = transport.feedTopics();
    for (TopicPartition tp : committed) {
      if (topics.contains(tp.topic())) {
        return true;
      }
    }
    if (description != null) {
      for (MemberDescription m : description.members()) {
        for (TopicPartition tp : m.assignment().topicPartitions()) {
          if (topics.contains(tp.topic())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static Map<TopicPartition, Long> offsets(
      Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (TopicPartition tp : partitions) {
      request.put(tp, spec);
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e :
        get(admin.listOffsets(request).all()).entrySet()) {
      out.put(e.getKey(), e.getValue().offset());
    }
    return out;
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f)
      throws ExecutionException, InterruptedException, TimeoutException {
    return f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }
}
