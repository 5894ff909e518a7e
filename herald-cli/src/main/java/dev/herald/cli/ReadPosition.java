package dev.herald.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A position the gateway streamed, read in its documented form (docs/server.md) so that a replay
 * over {@code --url} knows where a range ends: the log's is one offset ({@code 41}); Kafka's names
 * the last offset read in each partition ({@code 0.2.41_0.0.17}, {@code topic.partition.offset}
 * entries); {@code earliest} has read nothing. Here each entry is a partition's name (the text
 * before the offset; none on the log) and its last offset read. Immutable.
 */
final class ReadPosition {
  private final Map<String, Long> offsets;

  private ReadPosition(Map<String, Long> offsets) {
    this.offsets = offsets;
  }

  /**
   * Reads {@code position}.
   *
   * @throws UsageError if it is not of that form
   */
  static ReadPosition of(String position) {
    Map<String, Long> offsets = new LinkedHashMap<>();
    if (position.isEmpty() || position.equals("earliest")) {
      return new ReadPosition(offsets);
    }
    for (String entry : position.split("_", -1)) {
      int dot = entry.lastIndexOf('.');
      try {
        offsets.put(
            dot < 0 ? "" : entry.substring(0, dot), Long.parseLong(entry.substring(dot + 1)));
      } catch (NumberFormatException e) {
        throw new UsageError("not a position: '" + position + "'", e);
      }
    }
    return new ReadPosition(offsets);
  }

  /**
   * The record a reader read to move from here to {@code next}, as one entry: the partition whose
   * offset changed; null when none did.
   */
  Map.Entry<String, Long> recordTo(ReadPosition next) {
    for (Map.Entry<String, Long> e : next.offsets.entrySet()) {
      if (!e.getValue().equals(offsets.get(e.getKey()))) {
        return e;
      }
    }
    return null;
  }

  /** Whether {@code record} lies at or before this position in its partition. */
  boolean includes(Map.Entry<String, Long> record) {
    Long end = record == null ? null : offsets.get(record.getKey());
    return end != null && record.getValue() <= end;
  }

  /** Whether a reader here has read every partition {@code end} names up to its offset there. */
  boolean reached(ReadPosition end) {
    for (Map.Entry<String, Long> e : end.offsets.entrySet()) {
      if (offsets.getOrDefault(e.getKey(), -1L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
