package dev.herald.log;

import java.util.Map;
import java.util.TreeMap;

/**
 * The contiguous acknowledged prefix of one feed: acknowledgements arrive out of order (concurrent
 * subscriptions, retries), and only offsets below {@link #next()} may be committed. Safe for use from
 * any thread; every method takes this object's lock, and none calls out.
 */
final class AckedPrefix {
    private long next;
    // Acknowledged ranges [start, end) above the prefix; they join it once the gap before them closes.
    private final TreeMap<Long, Long> ahead = new TreeMap<>();

    AckedPrefix(long next) {
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

    /** Whether {@code offset} is acknowledged (below the prefix, or in a range ahead of it). */
    synchronized boolean isAcked(long offset) {
        if (offset < next) {
            return true;
        }
        Map.Entry<Long, Long> range = ahead.floorEntry(offset);
        return range != null && offset < range.getValue();
    }

    /** The first offset not yet acknowledged: everything below it is finished. */
    synchronized long next() {
        return next;
    }
}
