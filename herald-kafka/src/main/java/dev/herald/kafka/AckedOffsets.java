package dev.herald.kafka;

import java.util.Map;
import java.util.TreeMap;

/**
 * The contiguous acknowledged prefix of one partition: acknowledgements arrive out of order
 * (concurrent subscriptions, retries), and only an offset below which everything is acknowledged may
 * be committed. Safe for use from any thread; every method takes this object's lock and none calls out.
 */
final class AckedOffsets {
    private long next;
    // Acknowledged ranges [start, end) above the prefix; they join it once the gap before them closes.
    private final TreeMap<Long, Long> ahead = new TreeMap<>();

    AckedOffsets(long next) {
        this.next = next;
    }

    /** Marks {@code [from, to)} acknowledged; returns the prefix afterwards. */
    synchronized long ack(long from, long to) {
        if (to <= next) {
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

    /** The first offset not yet acknowledged: the offset to commit. */
    synchronized long next() {
        return next;
    }
}
