package dev.herald.internal.transport;

import java.util.Map;
import java.util.TreeMap;

/**
 * The contiguous acknowledged prefix of a stream of offsets (a log topic, a Kafka partition), for a
 * {@link dev.herald.spi.Transport} that commits a consumer group's progress: acknowledgements
 * arrive out of order (concurrent lanes, retries), and only an offset below which everything is
 * acknowledged may be committed. Safe for use from any thread; every method takes this object's
 * lock, and none calls out.
 */
public final class AckedPrefix {
  private long next;
  // Acknowledged ranges [start, end) above the prefix; they join it once the gap before them
  // closes.
  private final TreeMap<Long, Long> ahead = new TreeMap<>();

  /** A prefix that starts at {@code next}: everything below it counts as acknowledged. */
  public AckedPrefix(long next) {
    this.next = next;
  }

  /** Marks {@code [from, to)} acknowledged; returns the prefix afterwards. */
  public synchronized long ack(long from, long to) {
    if (to <= next) {
      return next;
    }
    if (from <= next && ahead.isEmpty()) {
      // In order, the common case: the prefix just grows, without boxing a range into the map.
      next = to;
      return next;
    }
    ahead.merge(Math.max(from, next), to, Math::max);
    Map.Entry<Long, Long> first;
    while ((first = ahead.firstEntry()) != null && first.getKey() <= next) {
      next = Math.max(next, first.getValue());
      ahead.pollFirstEntry();
    }
    return next;
  }

  /** Whether {@code offset} is acknowledged (below the prefix, or in a range ahead of it). */
  public synchronized boolean isAcked(long offset) {
    if (offset < next) {
      return true;
    }
    Map.Entry<Long, Long> range = ahead.floorEntry(offset);
    return range != null && offset < range.getValue();
  }

  /**
   * The first offset not yet acknowledged: everything below it is finished, and may be committed.
   */
  public synchronized long next() {
    return next;
  }
}
