package dev.herald.log;

import java.util.Map;
import java.util.OptionalLong;

/**
 * Committed consumer offsets per group per topic, stored durably in the log directory. Safe for use
 * from any thread; commits are serialised and each one is durable (temp file, fsync, atomic rename,
 * directory fsync) before it returns.
 */
public interface OffsetStore {

  /**
   * Records {@code offset} (the next offset the group will read) for {@code group} and {@code
   * topic}. Committed offsets never move backwards: a commit at or below the stored offset is
   * ignored and returns false, so replayed or reordered commits are harmless.
   *
   * @return true when the stored offset advanced
   * @throws java.io.UncheckedIOException when the commit could not be made durable; the stored
   *     offset is then unchanged
   */
  boolean commit(String group, String topic, long offset);

  /** The committed offset, or empty when the group never committed for the topic. */
  OptionalLong committed(String group, String topic);

  /**
   * Every group that committed for {@code topic}, with its committed offset: a snapshot, sorted by
   * group name, for tools that show each group's progress (lag).
   */
  Map<String, Long> committedGroups(String topic);
}
