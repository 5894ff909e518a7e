package dev.herald.server;

import dev.herald.log.Log;
import dev.herald.log.OffsetStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The consumer groups of a log, for the gateway: every group that committed an offset for the
 * events topic, its committed offset (the next it will read) and the topic's end offset. A group
 * shows once it has committed for the first time; its lag counts every record it has yet to pass,
 * whether or not its subscriptions take that record's type. Stateless: each call reads the offset
 * store's snapshot. Safe for use from any thread.
 */
final class LogGroups {
  /** The name of the log's one partition. */
  static final String PARTITION = "0";

  private final OffsetStore offsets;
  private final Log log;

  LogGroups(OffsetStore offsets, Log log) {
    this.offsets = offsets;
    this.log = log;
  }

  List<GatewayStore.GroupLag> groups() {
    Map<String, Long> committed = offsets.committedGroups(log.name());
    long end = log.endOffset();
    List<GatewayStore.GroupLag> out = new ArrayList<>(committed.size());
    committed.forEach(
        (group, offset) ->
            out.add(
                new GatewayStore.GroupLag(
                    group, List.of(new GatewayStore.PartitionLag(PARTITION, offset, end)))));
    return out;
  }
}
