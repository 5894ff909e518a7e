package dev.herald.server;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.codec.UndecodableRecord;
import dev.herald.kafka.KafkaTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters of one {@link KafkaTransport}, for {@link KafkaGatewayStore}: the bus stores
 * each as an event of type {@value DeadLetter#TYPE} in the transport's dead-letter topic, and a
 * redrive stores there a resolved mark, an event of type {@value #RESOLVED_TYPE} whose data is the
 * dead letter's position (as the log store does, in its events topic). Listing reads the topic from
 * its start to its end at the time of the call with a consumer in no group (assign and seek:
 * nothing is committed, no group sees a difference), keeps the position of each dead letter of the
 * group asked for and the resolved marks, then reads again the oldest unresolved ones, at most the
 * limit. It keeps one small entry per dead letter of the group while it reads, never their events.
 *
 * <p>Which group: a dead letter names the subscription that gave up ({@link
 * DeadLetter#subscription()}), and a redrive goes back to the subscriptions of that name ({@link
 * EventBus#redrive}); the group of a dead letter is therefore its subscription's name. A
 * dead-letter record that does not decode is listed only when no group is asked for, as a dead
 * letter of subscription {@code ""}, and cannot be redriven.
 *
 * <p>Two redrives of one dead letter at once both publish it: redrive is at least once. Each call
 * runs on the caller's thread with its own consumer, bounded by {@link #READ_TIMEOUT}. Safe for use
 * from any thread.
 */
final class KafkaDeadLetters {
  /** The type of the marks that resolve dead letters; the data is the dead letter's position. */
  static final String RESOLVED_TYPE = "herald.deadletter.resolved";

  /** How long one listing may read before it gives up (a broker that stopped answering). */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  /** Dead letters of one group one listing keeps track of; more is answered as busy. */
  static final int MAX_TRACKED = 1_000_000;

  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.deadletters");
  private static final Duration POLL = Duration.ofMillis(200);
  private static final String SOURCE = "/herald/gateway";
  private static final String UNDECODABLE = "";

  private final KafkaTransport transport;
  private final EventBus bus;
  private final String topic;
  private final List<String> topics;

  KafkaDeadLetters(KafkaTransport transport, EventBus bus) {
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
  }

  /** See {@link GatewayStore#deadLetters}; {@code group} null lists every group's. */
  List<GatewayStore.StoredDeadLetter> list(String group, int limit) {
    if (limit <= 0) {
      return List.of();
    }
    try (KafkaConsumer<byte[], byte[]> consumer = transport.reader("gateway-deadletters")) {
      Scan scan = scan(consumer, group, true, null);
      List<Found> open = new ArrayList<>();
      for (Found f : scan.found) {
        if (!scan.resolved.contains(f.position)) {
          open.add(f);
        }
      }
      open.sort(
          Comparator.comparingLong(Found::timestamp)
              .thenComparingInt(f -> f.partition.partition())
              .thenComparingLong(Found::offset));
      List<Found> wanted = open.subList(0, Math.min(limit, open.size()));
      Map<String, ConsumerRecord<byte[], byte[]>> records = read(consumer, wanted);
      List<GatewayStore.StoredDeadLetter> out = new ArrayList<>();
      for (Found f : wanted) {
        ConsumerRecord<byte[], byte[]> r = records.get(f.position);
        if (r != null) {
          stored(r).ifPresent(out::add);
        }
      }
      return out;
    }
  }

  /** See {@link GatewayStore#deadLetter}. */
  Optional<GatewayStore.StoredDeadLetter> find(String position) {
    KafkaPosition p = KafkaPosition.parse(position, topics);
    if (!p.isRecord() || !p.partition().topic().equals(topic)) {
      return Optional.empty();
    }
    String canonical = KafkaPosition.of(p.partition(), p.offset(), topics);
    try (KafkaConsumer<byte[], byte[]> consumer = transport.reader("gateway-deadletters")) {
      Scan scan = scan(consumer, null, false, canonical);
      if (scan.captured == null || scan.resolved.contains(canonical)) {
        return Optional.empty();
      }
      return stored(scan.captured);
    }
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
          new IllegalStateException(
              "cannot redrive dead letter "
                  + stored.position()
                  + ": it is not a decodable dead letter of topic "
                  + topic));
    }
    String canonical = KafkaPosition.of(p.partition(), p.offset(), topics);
    return bus.redrive(dl)
        .thenCompose(result -> transport.append(topic, mark(canonical)))
        .thenApply(where -> (Void) null);
  }

  private static Event<String> mark(String position) {
    return Event.<String>builder(RESOLVED_TYPE).source(SOURCE).data(position).build();
  }

  private record Found(TopicPartition partition, long offset, long timestamp, String position) {}

  private record Scan(
      List<Found> found, Set<String> resolved, ConsumerRecord<byte[], byte[]> captured) {}

  /**
   * Reads the dead-letter topic from its start to its end as it is now: the dead letters of {@code
   * group} (every group's when null) when {@code collect}, the positions resolved, and the record
   * at position {@code capture} when there is one.
   */
  private Scan scan(
      KafkaConsumer<byte[], byte[]> consumer, String group, boolean collect, String capture) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo p : consumer.partitionsFor(topic)) {
      partitions.add(new TopicPartition(topic, p.partition()));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    List<Found> found = new ArrayList<>();
    Set<String> resolved = new HashSet<>();
    ConsumerRecord<byte[], byte[]> captured = null;
    long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    Set<TopicPartition> left = new HashSet<>(partitions);
    while (true) {
      left.removeIf(tp -> consumer.position(tp) >= end.get(tp));
      if (left.isEmpty()) {
        return new Scan(found, resolved, captured);
      }
      if (System.nanoTime() > deadline) {
        throw new StoreUnavailableException(
            "cannot read the dead-letter topic " + topic + " within " + READ_TIMEOUT, null);
      }
      for (ConsumerRecord<byte[], byte[]> r : poll(consumer)) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (r.offset() >= end.get(tp)) {
          continue; // stored after the listing began
        }
        if (capture != null && capture.equals(KafkaPosition.of(tp, r.offset(), topics))) {
          captured = r;
        }
        Event<?> e = transport.decode(r);
        if (e.data() instanceof DeadLetter d) {
          if (collect && (group == null || d.subscription().equals(group))) {
            track(found, tp, r);
          }
        } else if (RESOLVED_TYPE.equals(e.type()) && e.data() instanceof String s) {
          resolved.add(canonical(s));
        } else if (collect && group == null && e.data() instanceof UndecodableRecord) {
          track(found, tp, r);
        }
      }
    }
  }

  private void track(List<Found> found, TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
    if (found.size() >= MAX_TRACKED) {
      throw new StoreBusyException(
          "more than " + MAX_TRACKED + " dead letters to list in " + topic + ": redrive some",
          null);
    }
    found.add(new Found(tp, r.offset(), r.timestamp(), KafkaPosition.of(tp, r.offset(), topics)));
  }

  /** A mark's position as this store writes it; a mark that names no record resolves nothing. */
  private String canonical(String position) {
    try {
      KafkaPosition p = KafkaPosition.parse(position, topics);
      return KafkaPosition.of(p.partition(), p.offset(), topics);
    } catch (IllegalArgumentException e) {
      LOG.warn("ignoring a resolved mark in {}: {}", topic, e.getMessage());
      return position;
    }
  }

  /**
   * The records of {@code wanted}, by position, read in one pass over each partition from the
   * lowest offset wanted there to the highest; those no longer stored are missing.
   */
  private Map<String, ConsumerRecord<byte[], byte[]>> read(
      KafkaConsumer<byte[], byte[]> consumer, List<Found> wanted) {
    Map<TopicPartition, long[]> range = new HashMap<>();
    Set<String> positions = new HashSet<>();
    for (Found f : wanted) {
      positions.add(f.position);
      range.merge(
          f.partition,
          new long[] {f.offset, f.offset},
          (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
    Map<String, ConsumerRecord<byte[], byte[]>> out = new HashMap<>();
    if (range.isEmpty()) {
      return out;
    }
    consumer.assign(range.keySet());
    for (Map.Entry<TopicPartition, long[]> e : range.entrySet()) {
      consumer.seek(e.getKey(), e.getValue()[0]);
    }
    long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    Set<TopicPartition> left = new HashSet<>(range.keySet());
    while (true) {
      left.removeIf(tp -> consumer.position(tp) > range.get(tp)[1]);
      if (left.isEmpty()) {
        return out;
      }
      if (System.nanoTime() > deadline) {
        throw new StoreUnavailableException(
            "cannot read the dead-letter topic " + topic + " within " + READ_TIMEOUT, null);
      }
      for (ConsumerRecord<byte[], byte[]> r : poll(consumer)) {
        String position =
            KafkaPosition.of(new TopicPartition(r.topic(), r.partition()), r.offset(), topics);
        if (positions.contains(position)) {
          out.put(position, r);
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
}
