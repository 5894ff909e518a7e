package dev.herald.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * The form of a {@link KafkaGatewayStore} position; the one place that knows it.
 *
 * <pre>
 *   position = entry *( "_" entry )
 *   entry    = topic "." partition "." offset      (decimal integers, no sign)
 *   topic    = the index of the topic in the transport's feed topics (0 = the first)
 *   offset   = the offset of the last record read in that partition
 * </pre>
 *
 * Example: {@code 0.2.41_0.0.17_1.0.3}: offset 41 of partition 2 of the first feed topic was read
 * last, and before it offset 17 of its partition 0 and offset 3 of partition 0 of the second.
 *
 * <p>A position is a vector: a reader resumes every partition it names right after that partition's
 * offset, and every partition it does not name from that partition's start (nothing of it was
 * read). Entries are in topic and partition order, so a streamed event's position does not say
 * which of its entries is the event's own record; a dead letter's and a publish's position is that
 * one record's entry only. The characters are all unreserved in URLs, so a position goes into a
 * path or query as it is. Immutable.
 */
final class KafkaPosition {
  /** The longest position accepted: about 1,300 partitions. */
  static final int MAX_CHARS = 16 * 1024;

  private final Map<TopicPartition, Long> offsets;

  private KafkaPosition(Map<TopicPartition, Long> offsets) {
    this.offsets = offsets;
  }

  /**
   * Reads {@code text}.
   *
   * @throws IllegalArgumentException if it is not a position over {@code topics}
   */
  static KafkaPosition parse(String text, List<String> topics) {
    Objects.requireNonNull(text, "position");
    if (text.isEmpty() || text.length() > MAX_CHARS) {
      throw invalid(text, "it must have 1 to " + MAX_CHARS + " characters");
    }
    Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
    for (String entry : text.split("_", -1)) {
      String[] parts = entry.split("\\.", -1);
      if (parts.length != 3) {
        throw invalid(text, "each entry is topic.partition.offset");
      }
      long topic = number(text, parts[0]);
      long partition = number(text, parts[1]);
      long offset = number(text, parts[2]);
      if (topic >= topics.size() || partition > Integer.MAX_VALUE) {
        throw invalid(text, "it names no partition of topics " + topics);
      }
      TopicPartition tp = new TopicPartition(topics.get((int) topic), (int) partition);
      if (offsets.put(tp, offset) != null) {
        throw invalid(text, "it names partition " + tp + " twice");
      }
    }
    return new KafkaPosition(offsets);
  }

  /** The position of one record. */
  static String of(TopicPartition tp, long offset, List<String> topics) {
    return index(tp, topics) + "." + tp.partition() + "." + offset;
  }

  /** The position of a reader that has read each partition of {@code offsets} up to its offset. */
  static String of(Map<TopicPartition, Long> offsets, List<String> topics) {
    List<Map.Entry<TopicPartition, Long>> entries = new ArrayList<>(offsets.entrySet());
    entries.sort(
        Comparator.comparingInt((Map.Entry<TopicPartition, Long> e) -> index(e.getKey(), topics))
            .thenComparingInt(e -> e.getKey().partition()));
    StringBuilder b = new StringBuilder();
    for (Map.Entry<TopicPartition, Long> e : entries) {
      if (b.length() > 0) {
        b.append('_');
      }
      b.append(of(e.getKey(), e.getValue(), topics));
    }
    return b.toString();
  }

  /** Whether this is the position of one record ({@link #partition()}, {@link #offset()}). */
  boolean isRecord() {
    return offsets.size() == 1;
  }

  /** The last offset read in each partition it names, in the order it names them. */
  Map<TopicPartition, Long> offsets() {
    return offsets;
  }

  /**
   * The partition of its first entry: for a position of one record (a dead letter's), the record's.
   */
  TopicPartition partition() {
    return offsets.keySet().iterator().next();
  }

  /**
   * The offset of its first entry: for a position of one record (a dead letter's), the record's.
   */
  long offset() {
    return offsets.values().iterator().next();
  }

  private static int index(TopicPartition tp, List<String> topics) {
    int i = topics.indexOf(tp.topic());
    if (i < 0) {
      throw new IllegalArgumentException(tp.topic() + " is not one of the topics " + topics);
    }
    return i;
  }

  private static long number(String text, String digits) {
    if (digits.isEmpty() || digits.length() > 18) {
      throw invalid(text, "each number has 1 to 18 digits");
    }
    long n = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        throw invalid(text, "each number is decimal digits");
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static IllegalArgumentException invalid(String text, String why) {
    String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return new IllegalArgumentException("not a Kafka position: '" + shown + "': " + why);
  }
}
