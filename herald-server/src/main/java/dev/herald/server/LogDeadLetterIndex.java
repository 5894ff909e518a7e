package dev.herald.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * The positions (log offsets) of the unresolved dead letters of one log, by the name of the
 * subscription that dead-lettered them, oldest first: 8 bytes a dead letter, at most {@code
 * capacity} of them. Dead-letter records that do not decode (no subscription can be read from them)
 * are kept apart, under no subscription.
 *
 * <p>Bounded: once {@code capacity} positions are held, a new dead letter is not indexed but
 * counted ({@link #notIndexed}); it is listed again after a restart if earlier ones were resolved
 * by then. Positions are only ever added in increasing order (the indexer reads the log in order).
 *
 * <p>Threads: fed by the indexer thread, read and resolved by request threads; every method is
 * guarded by this object's monitor, and none calls out while holding it.
 */
final class LogDeadLetterIndex {
  /** The key of the dead-letter records whose subscription could not be read. */
  static final String UNDECODABLE = "";

  private final int capacity;
  private final Map<String, Positions> bySubscription = new TreeMap<>();
  private final Set<Long> redriving = new HashSet<>();
  private int size;
  private long notIndexed;
  private long indexedTo;
  private int waiting;
  private boolean abandoned;

  LogDeadLetterIndex(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be > 0: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Indexes the dead letter at {@code position}; false (and counted) when the index is full. */
  synchronized boolean add(String subscription, long position) {
    if (size >= capacity) {
      notIndexed++;
      return false;
    }
    bySubscription.computeIfAbsent(subscription, s -> new Positions()).append(position);
    size++;
    return true;
  }

  /** Forgets the dead letter at {@code position} (it was resolved); false if it was not held. */
  synchronized boolean resolve(long position) {
    for (Map.Entry<String, Positions> e : bySubscription.entrySet()) {
      if (e.getValue().remove(position)) {
        size--;
        if (e.getValue().isEmpty()) {
          bySubscription.remove(e.getKey());
        }
        return true;
      }
    }
    return false;
  }

  /** Whether the dead letter at {@code position} is indexed and unresolved. */
  synchronized boolean contains(long position) {
    for (Positions p : bySubscription.values()) {
      if (p.contains(position)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Claims the dead letter at {@code position} for a redrive: false if it is not indexed (resolved,
   * or never seen) or another redrive holds it. Released by {@link #resolve} or {@link #release}.
   */
  synchronized boolean claim(long position) {
    if (!contains(position)) {
      return false;
    }
    return redriving.add(position);
  }

  synchronized boolean isClaimed(long position) {
    return redriving.contains(position);
  }

  /** Ends a claim: {@code resolved} when the redrive and its mark were stored. */
  synchronized void release(long position, boolean resolved) {
    redriving.remove(position);
    if (resolved) {
      resolve(position);
    }
  }

  /**
   * The oldest {@code limit} positions of {@code subscription}, or of every subscription (and the
   * undecodable records) when it is null.
   */
  synchronized List<Long> oldest(String subscription, int limit) {
    List<Long> out = new ArrayList<>(Math.min(limit, 1024));
    if (subscription != null) {
      Positions p = bySubscription.get(subscription);
      if (p != null) {
        p.collect(out, limit);
      }
      return out;
    }
    // A k-way merge of the sorted lists, k = the number of subscriptions with dead letters.
    PriorityQueue<long[]> heads = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    List<List<Long>> lists = new ArrayList<>();
    for (Positions p : bySubscription.values()) {
      List<Long> l = new ArrayList<>();
      p.collect(l, limit);
      if (!l.isEmpty()) {
        heads.add(new long[] {l.get(0), lists.size(), 0});
        lists.add(l);
      }
    }
    while (out.size() < limit && !heads.isEmpty()) {
      long[] h = heads.poll();
      out.add(h[0]);
      List<Long> l = lists.get((int) h[1]);
      int next = (int) h[2] + 1;
      if (next < l.size()) {
        heads.add(new long[] {l.get(next), h[1], next});
      }
    }
    return out;
  }

  /** The indexer has read every record below {@code offset}. */
  synchronized void indexedTo(long offset) {
    if (offset > indexedTo) {
      indexedTo = offset;
      if (waiting > 0) {
        notifyAll(); // wakes the requests waiting in awaitIndexedTo
      }
    }
  }

  /**
   * Waits until every record below {@code offset} is indexed, at most {@code timeoutMillis}.
   *
   * @return whether it was
   */
  synchronized boolean awaitIndexedTo(long offset, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    waiting++;
    try {
      while (indexedTo < offset && !abandoned) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
      return indexedTo >= offset;
    } finally {
      waiting--;
    }
  }

  /** The indexer stopped: nobody waits for it any more. */
  synchronized void abandon() {
    abandoned = true;
    notifyAll(); // wakes the requests waiting in awaitIndexedTo
  }

  /** Every record below this offset has been indexed. */
  synchronized long indexedTo() {
    return indexedTo;
  }

  synchronized int size() {
    return size;
  }

  /** Dead letters that found the index full. */
  synchronized long notIndexed() {
    return notIndexed;
  }

  /**
   * Sorted offsets, appended in increasing order; a removed one stays in place as {@code -p-1} (its
   * order key is still p, so binary search holds) until half are removed and the array compacts.
   * Not thread-safe: the index's monitor guards it.
   */
  private static final class Positions {
    private long[] a = new long[8];
    private int n;
    private int removed;

    void append(long p) {
      if (n > 0 && key(a[n - 1]) >= p) {
        throw new IllegalStateException("positions out of order: " + p + " after " + key(a[n - 1]));
      }
      if (n == a.length) {
        long[] b = new long[n * 2];
        System.arraycopy(a, 0, b, 0, n);
        a = b;
      }
      a[n++] = p;
    }

    boolean contains(long p) {
      int i = find(p);
      return i >= 0 && a[i] == p;
    }

    boolean remove(long p) {
      int i = find(p);
      if (i < 0 || a[i] != p) {
        return false;
      }
      a[i] = -p - 1;
      removed++;
      if (removed > n / 2) {
        compact();
      }
      return true;
    }

    boolean isEmpty() {
      return n == removed;
    }

    void collect(List<Long> out, int limit) {
      for (int i = 0; i < n && out.size() < limit; i++) {
        if (a[i] >= 0) {
          out.add(a[i]);
        }
      }
    }

    private int find(long p) {
      int lo = 0;
      int hi = n - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        long k = key(a[mid]);
        if (k < p) {
          lo = mid + 1;
        } else if (k > p) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -1;
    }

    private void compact() {
      int j = 0;
      for (int i = 0; i < n; i++) {
        if (a[i] >= 0) {
          a[j++] = a[i];
        }
      }
      n = j;
      removed = 0;
      if (a.length > 64 && n < a.length / 4) {
        long[] b = new long[Math.max(8, a.length / 2)];
        System.arraycopy(a, 0, b, 0, n);
        a = b;
      }
    }

    private static long key(long x) {
      return x >= 0 ? x : -x - 1;
    }
  }
}
