package dev.herald.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * The positions of the unresolved dead letters of one store, by the name of the subscription that
 * dead-lettered them, for both stores of the gateway: a position is a partition and an offset in it
 * (the log has one partition, 0; Kafka's dead-letter topic has several). Dead-letter records that
 * do not decode (no subscription can be read from them) are kept apart, under no subscription
 * ({@link #UNDECODABLE}).
 *
 * <p>Order: each dead letter has an order key (the log: its offset, which costs nothing more;
 * Kafka: its record's timestamp), and {@link #oldest} lists by order key, then partition, then
 * offset. Within one partition the offsets only ever grow as the indexer reads it, and a
 * partition's dead letters are listed in offset order.
 *
 * <p>Bounded: 8 bytes a dead letter (16 when its order key is not its offset), at most {@code
 * capacity} of them. Once {@code capacity} positions are held, a new dead letter is not indexed but
 * counted ({@link #notIndexed}); it is listed again after a restart if earlier ones were resolved
 * by then.
 *
 * <p>Catching up: the indexer says how far it has read each partition ({@link #indexedTo(int,
 * long)}), and a request waits until it has read what was stored before the request came ({@link
 * #awaitIndexedTo(Map, long)}).
 *
 * <p>Threads: fed by the indexer thread, read and resolved by request threads; every method is
 * guarded by this object's monitor, and none calls out while holding it.
 */
final class DeadLetterIndex {
  /** The key of the dead-letter records whose subscription could not be read. */
  static final String UNDECODABLE = "";

  /** A dead letter's place in the store: a partition of the dead-letter topic and an offset. */
  record Position(int partition, long offset) {}

  private final int capacity;
  // subscription -> partition -> its dead letters there, in offset order
  private final Map<String, Map<Integer, Positions>> bySubscription = new TreeMap<>();
  private final Set<Position> redriving = new HashSet<>();
  // Marks read before their dead letters (Kafka reads partitions side by side), by position.
  private final Set<Position> marked = new HashSet<>();
  private final Map<Integer, Long> indexedTo = new HashMap<>();
  private int size;
  private long notIndexed;
  private int waiting;
  private boolean abandoned;

  DeadLetterIndex(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be > 0: " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Indexes the dead letter at {@code offset} of {@code partition}, listed by {@code order}; false
   * (and counted) when the index is full.
   *
   * @throws IllegalStateException if {@code offset} is not above the last one indexed for this
   *     subscription in this partition
   */
  synchronized boolean add(String subscription, int partition, long offset, long order) {
    if (!marked.isEmpty() && marked.remove(new Position(partition, offset))) {
      return true; // its resolved mark came first, from another partition: resolved already
    }
    if (size >= capacity) {
      notIndexed++;
      return false;
    }
    bySubscription
        .computeIfAbsent(subscription, s -> new TreeMap<>())
        .computeIfAbsent(partition, p -> new Positions())
        .append(offset, order);
    size++;
    return true;
  }

  /** The log's {@link #add(String, int, long, long)}: partition 0, ordered by offset. */
  boolean add(String subscription, long position) {
    return add(subscription, 0, position, position);
  }

  /** Forgets the dead letter at {@code p} (it was resolved); false if it was not held. */
  synchronized boolean resolve(Position p) {
    for (Map.Entry<String, Map<Integer, Positions>> e : bySubscription.entrySet()) {
      Positions lane = e.getValue().get(p.partition());
      if (lane != null && lane.remove(p.offset())) {
        size--;
        if (lane.isEmpty()) {
          e.getValue().remove(p.partition());
          if (e.getValue().isEmpty()) {
            bySubscription.remove(e.getKey());
          }
        }
        return true;
      }
    }
    return false;
  }

  /**
   * Applies a resolved mark for the dead letter at {@code p}, read by the indexer: resolves it, or,
   * when the indexer has not yet read {@code p}'s partition that far (a mark in another partition
   * can be read before its dead letter), keeps the mark so that {@link #add} skips that dead letter
   * (at most {@code capacity} such marks). False if nothing was resolved at once.
   */
  synchronized boolean resolveMark(Position p) {
    if (resolve(p)) {
      return true;
    }
    if (p.offset() >= indexedTo.getOrDefault(p.partition(), 0L) && marked.size() < capacity) {
      marked.add(p);
    }
    return false;
  }

  boolean resolve(long position) {
    return resolve(new Position(0, position));
  }

  /** Whether the dead letter at {@code p} is indexed and unresolved. */
  synchronized boolean contains(Position p) {
    for (Map<Integer, Positions> partitions : bySubscription.values()) {
      Positions lane = partitions.get(p.partition());
      if (lane != null && lane.contains(p.offset())) {
        return true;
      }
    }
    return false;
  }

  boolean contains(long position) {
    return contains(new Position(0, position));
  }

  /**
   * Claims the dead letter at {@code p} for a redrive: false if it is not indexed (resolved, or
   * never seen) or another redrive holds it. Released by {@link #resolve} or {@link #release}.
   */
  synchronized boolean claim(Position p) {
    if (!contains(p)) {
      return false;
    }
    return redriving.add(p);
  }

  boolean claim(long position) {
    return claim(new Position(0, position));
  }

  synchronized boolean isClaimed(Position p) {
    return redriving.contains(p);
  }

  boolean isClaimed(long position) {
    return isClaimed(new Position(0, position));
  }

  /** Ends a claim: {@code resolved} when the redrive and its mark were stored. */
  synchronized void release(Position p, boolean resolved) {
    redriving.remove(p);
    if (resolved) {
      resolve(p);
    }
  }

  void release(long position, boolean resolved) {
    release(new Position(0, position), resolved);
  }

  /**
   * The oldest {@code limit} dead letters of {@code subscription}, or of every subscription (and
   * the undecodable records) when it is null: by order key, then partition, then offset.
   */
  synchronized List<Position> oldestPositions(String subscription, int limit) {
    List<Map<Integer, Positions>> chosen = new ArrayList<>();
    if (subscription == null) {
      chosen.addAll(bySubscription.values());
    } else if (bySubscription.containsKey(subscription)) {
      chosen.add(bySubscription.get(subscription));
    }
    // A k-way merge of the sorted lanes, k = the (subscription, partition) pairs with dead letters.
    List<Head> lanes = new ArrayList<>();
    for (Map<Integer, Positions> partitions : chosen) {
      for (Map.Entry<Integer, Positions> e : partitions.entrySet()) {
        Head h = new Head(e.getKey(), e.getValue().live(limit));
        if (h.has()) {
          lanes.add(h);
        }
      }
    }
    PriorityQueue<Head> heads =
        new PriorityQueue<>(
            Math.max(1, lanes.size()),
            Comparator.comparingLong(Head::order)
                .thenComparingInt(h -> h.partition)
                .thenComparingLong(Head::offset));
    heads.addAll(lanes);
    List<Position> out = new ArrayList<>(Math.min(limit, 1024));
    while (out.size() < limit && !heads.isEmpty()) {
      Head h = heads.poll();
      out.add(new Position(h.partition, h.offset()));
      h.i++;
      if (h.has()) {
        heads.add(h);
      }
    }
    return out;
  }

  /** The log's {@link #oldestPositions}: offsets of partition 0. */
  List<Long> oldest(String subscription, int limit) {
    List<Long> out = new ArrayList<>();
    for (Position p : oldestPositions(subscription, limit)) {
      out.add(p.offset());
    }
    return out;
  }

  /** The indexer has read every record of {@code partition} below {@code offset}. */
  synchronized void indexedTo(int partition, long offset) {
    Long before = indexedTo.get(partition);
    if (before == null || offset > before) {
      indexedTo.put(partition, offset);
      if (waiting > 0) {
        notifyAll(); // wakes the requests waiting in awaitIndexedTo
      }
    }
  }

  /** The log's {@link #indexedTo(int, long)}. */
  void indexedTo(long offset) {
    indexedTo(0, offset);
  }

  /**
   * Waits until every record below {@code ends.get(p)} of each partition {@code p} is indexed, at
   * most {@code timeoutMillis}.
   *
   * @return whether it was
   */
  synchronized boolean awaitIndexedTo(Map<Integer, Long> ends, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    waiting++;
    try {
      while (!indexed(ends) && !abandoned) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
      return indexed(ends);
    } finally {
      waiting--;
    }
  }

  /** The log's {@link #awaitIndexedTo(Map, long)}. */
  boolean awaitIndexedTo(long offset, long timeoutMillis) throws InterruptedException {
    return awaitIndexedTo(Map.of(0, offset), timeoutMillis);
  }

  private boolean indexed(Map<Integer, Long> ends) {
    for (Map.Entry<Integer, Long> e : ends.entrySet()) {
      if (indexedTo.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The indexer stopped: nobody waits for it any more. */
  synchronized void abandon() {
    abandoned = true;
    notifyAll(); // wakes the requests waiting in awaitIndexedTo
  }

  /** Every record of partition 0 below this offset has been indexed (the log's progress). */
  synchronized long indexedTo() {
    return indexedTo.getOrDefault(0, 0L);
  }

  /** How far the indexer has read each partition: every record below the offset. */
  synchronized Map<Integer, Long> progress() {
    return Map.copyOf(indexedTo);
  }

  synchronized int size() {
    return size;
  }

  /** Dead letters that found the index full. */
  synchronized long notIndexed() {
    return notIndexed;
  }

  /** One lane's live entries, as a merge reads them. */
  private static final class Head {
    final int partition;
    final long[][] entries; // {offsets, orders}
    int i;

    Head(int partition, long[][] entries) {
      this.partition = partition;
      this.entries = entries;
    }

    boolean has() {
      return i < entries[0].length;
    }

    long offset() {
      return entries[0][i];
    }

    long order() {
      return entries[1][i];
    }
  }

  /**
   * Sorted offsets, appended in increasing order, with their order keys (kept only once one differs
   * from its offset); a removed offset stays in place as {@code -p-1} (its sort key is still p, so
   * binary search holds) until half are removed and the arrays compact. Not thread-safe: the
   * index's monitor guards it.
   */
  private static final class Positions {
    private long[] a = new long[8];
    private long[] orders; // null while every order key is its offset (the log)
    private int n;
    private int removed;

    void append(long p, long order) {
      if (n > 0 && key(a[n - 1]) >= p) {
        throw new IllegalStateException("positions out of order: " + p + " after " + key(a[n - 1]));
      }
      if (n == a.length) {
        a = grow(a, n * 2);
        if (orders != null) {
          orders = grow(orders, n * 2);
        }
      }
      if (orders == null && order != p) {
        orders = new long[a.length];
        for (int i = 0; i < n; i++) {
          orders[i] = key(a[i]);
        }
      }
      if (orders != null) {
        orders[n] = order;
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

    /** The first {@code limit} live entries: {offsets, order keys}. */
    long[][] live(int limit) {
      int count = Math.min(limit, n - removed);
      long[] offsets = new long[count];
      long[] keys = new long[count];
      int j = 0;
      for (int i = 0; i < n && j < count; i++) {
        if (a[i] >= 0) {
          offsets[j] = a[i];
          keys[j] = orders == null ? a[i] : orders[i];
          j++;
        }
      }
      return new long[][] {offsets, keys};
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
          if (orders != null) {
            orders[j] = orders[i];
          }
          a[j++] = a[i];
        }
      }
      n = j;
      removed = 0;
      if (a.length > 64 && n < a.length / 4) {
        int size = Math.max(8, a.length / 2);
        a = grow(a, size);
        if (orders != null) {
          orders = grow(orders, size);
        }
      }
    }

    private static long[] grow(long[] from, int size) {
      long[] to = new long[size];
      System.arraycopy(from, 0, to, 0, Math.min(from.length, size));
      return to;
    }

    private static long key(long x) {
      return x >= 0 ? x : -x - 1;
    }
  }
}
