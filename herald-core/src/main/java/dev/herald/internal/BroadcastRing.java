package dev.herald.internal;

import dev.herald.Event;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One bounded ring that publishers write an event into once and the lanes of several subscriptions
 * read, each at a cursor of its own: the shared mailbox of subscriptions that always select the
 * same events (see {@link Subscriptions} for which share one). Publishing to four such
 * subscriptions costs one claim and one write instead of four mailbox offers, and the event becomes
 * visible to all of them at once.
 *
 * <p>Publishers (any thread) claim a sequence with a CAS on the tail, write the entry into its slot
 * (the item and the set of members it is for, a bit each) and publish it with a release store of
 * its sequence in the slot. A claim needs room: the ring holds at most {@link #capacity} entries
 * past its slowest live cursor, the limit cached so that a claim reads the cursors once per lap.
 * Each {@link Member} is read by its lane's drainer only (one thread at a time, as any lane's
 * mailbox), which skips the entries that are not for it.
 *
 * <p>Members join and leave under the bus's subscription lock, while publishers run. A member joins
 * at the tail: every entry for it is claimed by a publisher that found it in the routes, after it
 * joined. A leaving member is given an end: an entry claimed after its leave began is not for it
 * (the publisher checks {@link #departures} after its claim and drops the bits of members that
 * left), so it reads up to its end, then stops holding the ring back.
 *
 * <p>A drained ring keeps nothing reachable, as a lane's own mailbox. An entry for one member only
 * (every entry of a ring with a single subscription) is cleared by that member as it takes it. An
 * entry for several members is cleared by a sweep: knowing which member reads it last would cost
 * each member an atomic update of the entry, on a line the others read. A sweep, by one thread at a
 * time, lets go of the items below the slowest cursor and moves the {@code cleared} sequence up to
 * it; publishers claim only below {@code cleared} plus the capacity, so no slot a sweep clears can
 * have been claimed again. A publisher sweeps when it reaches its claim limit (once per lap: the
 * slots it is about to write); a member of a shared ring sweeps when it finds the ring drained, so
 * that once every member has, nothing is left. A member that finds another thread sweeping asks it
 * to go again rather than wait: that sweep then sees its cursor.
 */
final class BroadcastRing extends BroadcastRingFields.PadAfterSweep {
  /** How long a reader spins for a claimed entry to be written before it yields instead. */
  private static final int PUBLISH_SPINS = 64;

  /** Members get a bit each in an entry's {@code long} set, never reused within one ring. */
  static final int MAX_MEMBERS = Long.SIZE;

  private static final VarHandle TAIL;
  private static final VarHandle LIMIT;
  private static final VarHandle NEXT;
  private static final VarHandle SKIPPED;
  private static final VarHandle SWEEPING;
  private static final VarHandle SWEEP_WANTED;
  private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(BroadcastRingFields.Tail.class, "tail", long.class);
      LIMIT = l.findVarHandle(BroadcastRingFields.Tail.class, "claimLimit", long.class);
      NEXT = l.findVarHandle(BroadcastRingFields.Cursor.class, "next", long.class);
      SKIPPED = l.findVarHandle(BroadcastRingFields.Cursor.class, "skipped", long.class);
      SWEEPING = l.findVarHandle(BroadcastRingFields.Sweep.class, "sweeping", int.class);
      SWEEP_WANTED = l.findVarHandle(BroadcastRingFields.Sweep.class, "sweepWanted", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Tells rings apart for a total order of writes (see {@link Fanout}). */
  private static long rings;

  final long id;
  private final Object[] items;

  /**
   * Per slot, its entry's sequence (at 2 × slot) and the set of members it is for (just after):
   * side by side, so that a reader takes one line of the publishers' for both.
   */
  private final long[] seqs;

  private final int mask;
  final int capacity;

  /** The members, live and leaving; replaced (copy on write) under the subscription lock. */
  private volatile Member[] members = new Member[0];

  /** How many members ever left: a publisher whose count is older re-checks its bits. */
  volatile long departures;

  /**
   * Whether two members or more ever read it at once: then its members sweep when drained. Set
   * under the subscription lock; never cleared.
   */
  private volatile boolean shared;

  /** Bits given out so far; under the subscription lock. */
  private int bitsUsed;

  /** Members joined and not left; under the subscription lock. */
  private int live;

  /** A ring of {@code capacity} entries, rounded up to a power of two (at least 2). */
  BroadcastRing(int capacity) {
    int cap = BoundedArrayQueue.roundedCapacity(capacity);
    this.items = new Object[cap];
    this.seqs = new long[2 * cap];
    Arrays.fill(seqs, -1L);
    this.mask = cap - 1;
    this.capacity = cap;
    this.claimLimit = cap;
    synchronized (BroadcastRing.class) {
      this.id = rings++;
    }
  }

  /** How many slots hold an item now: for tests of what a ring keeps reachable. */
  int itemsHeld() {
    int n = 0;
    for (Object item : items) {
      if (item != null) {
        n++;
      }
    }
    return n;
  }

  /** Whether every bit is given out: a new subscription needs another ring. */
  boolean isSealed() {
    return bitsUsed == MAX_MEMBERS;
  }

  /** Whether every member that joined has left: no new subscription should join it. */
  boolean isDeserted() {
    return live == 0;
  }

  /** A new member, not yet reading: {@link #join} it once its lane exists. */
  Member newMember() {
    if (isSealed()) {
      throw new IllegalStateException("a ring has " + MAX_MEMBERS + " members at most");
    }
    return new Member(this, bitsUsed++);
  }

  /**
   * Makes {@code m} a reader from the current tail on; {@code lane} drains it. Call before the
   * routes that name its subscription are published, under the subscription lock.
   */
  void join(Member m, Lane lane) {
    // Held back from the start at a point no later than any entry for it; then added; then moved
    // to the tail as it is once added. A publisher computing the limit from the old members reads
    // them again and sees the change, or read every cursor before it: then its limit is at most
    // the tail at the addition plus the capacity, so it never overwrites an entry from the final
    // start on, and every entry for the member comes after that start.
    NEXT.setRelease(m, tail);
    List<Member> next = new ArrayList<>();
    for (Member x : members) {
      if (!x.isFinished()) {
        next.add(x);
      }
    }
    next.add(m);
    if (next.size() > 1) {
      shared = true;
    }
    members = next.toArray(new Member[0]);
    long start = tail;
    m.start = start;
    NEXT.setVolatile(m, start);
    m.lane = lane;
    live++;
  }

  /**
   * {@code m}'s subscription is no longer in the routes: its member reads what was claimed until
   * now and stops there. Under the subscription lock, after the routes without it are published.
   */
  void leave(Member m) {
    // The count first: a publisher that claims after the end is read below sees it, and drops m.
    departures++;
    m.end = tail;
    live--;
  }

  /** Claims a sequence if there is room; -1 when the ring is full. Any thread. */
  long tryClaim() {
    return tryClaim(1);
  }

  /**
   * Claims {@code n} consecutive sequences at once if there is room for all of them (at most the
   * capacity), and returns the first; -1 when there is not. Any thread. The claimer must publish
   * every one of them: readers wait at the first one that is claimed and not yet written.
   */
  long tryClaim(int n) {
    long limit = (long) LIMIT.getOpaque(this);
    long t;
    do {
      t = tail;
      if (t + n > limit) {
        limit = sweepForClaim() + capacity;
        if (t + n > limit) {
          return -1;
        }
        // A racing publisher may store an older, lower limit: harmless, it only costs a re-read.
        LIMIT.setOpaque(this, limit);
      }
    } while (!TAIL.compareAndSet(this, t, t + n));
    return t;
  }

  /**
   * Sweeps, waiting for a sweep in progress to end first (a publisher needs the cleared sequence as
   * it is now, or it could refuse a claim there is room for). Returns the cleared sequence.
   */
  private long sweepForClaim() {
    for (int spins = 0; !SWEEPING.compareAndSet(this, 0, 1); spins++) {
      // A sweep clears at most a lap of slots: a few microseconds, unless its thread was preempted.
      if (spins < PUBLISH_SPINS) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    return sweepWhileWanted();
  }

  /**
   * A member found the ring drained: sweeps, or, if another thread is sweeping, asks it to sweep
   * again once done. Either way a sweep that starts after this call's cursor reads sees them.
   */
  void sweepDrained() {
    // Before the CAS: a sweeper that holds the lock now reads the flag after it lets go of it.
    SWEEP_WANTED.setVolatile(this, 1);
    if (SWEEPING.compareAndSet(this, 0, 1)) {
      sweepWhileWanted();
    }
  }

  /** Sweeps, holding the sweep lock, as long as a member asks for it; lets go of the lock. */
  private long sweepWhileWanted() {
    long c;
    for (; ; ) {
      try {
        // Read-and-reset (not a plain store): an asking member's cursor stores happen before it.
        SWEEP_WANTED.getAndSet(this, 0);
        c = sweep();
      } finally {
        SWEEPING.setVolatile(this, 0);
      }
      // An asker that failed its CAS while the lock was held set the flag before it: read here,
      // after the release. If it is set, sweep again, unless another thread took the lock (that
      // one sweeps after the asker's cursor stores).
      if ((int) SWEEP_WANTED.getVolatile(this) == 0 || !SWEEPING.compareAndSet(this, 0, 1)) {
        return c;
      }
    }
  }

  /**
   * Lets go of the items below the slowest cursor and moves {@code cleared} up to it; returns
   * {@code cleared}. Under the sweep lock. No publisher can claim the slots cleared here: claims
   * stay below the old {@code cleared} plus the capacity until this sweep moves it.
   */
  private long sweep() {
    long from = cleared;
    long to = slowest(tail);
    // A member joining may show its first, earlier cursor (see join): nothing to clear then.
    if (to <= from) {
      return from;
    }
    Object[] items = this.items;
    for (long s = from; s < to; s++) {
      items[(int) s & mask] = null;
    }
    cleared = to;
    return to;
  }

  /** The lowest cursor among members still reading, or {@code tail} when none is. */
  private long slowest(long tail) {
    Member[] ms;
    long min;
    do {
      ms = members;
      min = tail;
      for (Member m : ms) {
        long n = (long) NEXT.getVolatile(m);
        if (n < m.end && n < min) {
          min = n;
        }
      }
    } while (ms != members);
    return min;
  }

  /**
   * The live member whose cursor holds the ring back, or null if the ring has room for a claim now.
   * A blocked publisher waits on its lane.
   */
  Member holdingBack() {
    long t = tail;
    Member slowest = null;
    long min = Long.MAX_VALUE;
    for (Member m : members) {
      long n = m.next;
      if (n < m.end && n < min && m.lane != null) {
        min = n;
        slowest = m;
      }
    }
    return slowest != null && t - min >= capacity ? slowest : null;
  }

  /**
   * Writes the entry claimed at {@code seq}: {@code item} for the members in {@code set} (an {@code
   * Object[]} indexed by bit, for items that differ by member). Every claim is published, with an
   * empty set if no member takes it, or the members' cursors would stop there.
   */
  void publish(long seq, Object item, long set) {
    int i = (int) seq & mask;
    items[i] = item;
    seqs[2 * i + 1] = set;
    // Release: the item and set are visible before a reader sees the sequence.
    SEQ.setRelease(seqs, 2 * i, seq);
  }

  /**
   * Makes sure every member with something to read has a drain scheduled, after an entry for the
   * members in {@code set} was written: those have, without a look at their cursors.
   */
  void scheduleMembers(long set) {
    for (Member m : members) {
      Lane lane = m.lane;
      if (lane == null) {
        continue;
      }
      if ((set & m.bitMask) != 0) {
        lane.schedule();
      } else {
        lane.scheduleIfQueued();
      }
    }
  }

  /** Makes sure every member with something to read has a drain scheduled. */
  void scheduleMembers() {
    scheduleMembers(0);
  }

  /** Adds every member's lane to {@code batch}, to be scheduled at the batch's end. */
  void addMembersTo(LaneBatch batch) {
    for (Member m : members) {
      Lane lane = m.lane;
      if (lane != null) {
        batch.add(lane);
      }
    }
  }

  /** Wakes, then schedules, every member's lane: the routing mark of {@code event} is gone. */
  void routed(Event<?> event, boolean schedule) {
    for (Member m : members) {
      Lane lane = m.lane;
      if (lane != null) {
        lane.routed(event);
        if (schedule) {
          lane.scheduleIfQueued();
        }
      }
    }
  }

  /**
   * One subscription's view of the ring: its lane's mailbox. Read by the lane's drainer only; a
   * ring member is never offered to (publishers write to its ring).
   */
  static final class Member extends BroadcastRingFields.PadAfterCursor implements Mailbox {
    final BroadcastRing ring;
    final int bit;
    final long bitMask;

    /** Where it stops reading once it left; read by publishers computing room. */
    volatile long end = Long.MAX_VALUE;

    /** Its drainer; null until it joined. */
    volatile Lane lane;

    /** The sequence it joined at; set before its lane is. */
    long start;

    /**
     * How many entries behind the tail the reader of a ring with one member keeps while publishers
     * write fast: 32 entries span whole cache lines of the slots' sequences (4 a line), items (16 a
     * line) and events (one or two lines each). A reader right behind its publisher took each of
     * those lines from the publisher's core while the publisher still wrote into it, and the line
     * went back and forth at every entry: between two cores whose cache-line round trip is long
     * (about 330 ns against 70 on the machine the benchmarks run on), 1 -> 1 fell from 11-15 to 4-6
     * million events a second (see docs/benchmarks.md). A member of a shared ring does not keep
     * behind: its lane shares the workers with the other members' lanes, which the spin would take
     * a worker from (1 -> 4 fell from 12.6-13.2 to 8.3-9.0 M/s with it).
     */
    static final int KEEP_BEHIND = 32;

    /**
     * Entries a reader takes in one run (without finding the ring empty) before it keeps behind: at
     * a moderate rate it finds the ring empty first and delivers each entry at once.
     */
    static final int KEEP_BEHIND_AFTER = 64;

    /**
     * How long a reader close behind waits for the publishers to move on: 128 pauses, about 3.5
     * microseconds on the machine the benchmarks run on. Publishers that moved less than half of
     * {@link #KEEP_BEHIND} meanwhile (under about 4.5 million entries a second there) count as
     * slow, and the reader reads right behind them again.
     */
    static final int KEEP_BEHIND_SPINS = 128;

    Member(BroadcastRing ring, int bit) {
      this.ring = ring;
      this.bit = bit;
      this.bitMask = 1L << bit;
    }

    /** Left, and read everything up to its end. */
    boolean isFinished() {
      return next >= end;
    }

    @Override
    public boolean offer(Object e) {
      throw new IllegalStateException("a ring member is written through its ring");
    }

    /**
     * The next entry for this member, skipping the others; null when there is none. If a publisher
     * has claimed the next sequence but not yet written it, waits for it (a few instructions away).
     */
    @Override
    public Object poll() {
      BroadcastRing r = ring;
      for (; ; ) {
        long n = (long) NEXT.getOpaque(this); // Only this thread writes it.
        if (n >= end) {
          return drained(n);
        }
        if (!r.shared && ++streak > KEEP_BEHIND_AFTER && n + KEEP_BEHIND >= knownTail) {
          keepBehind(n);
        }
        int i = (int) n & r.mask;
        long s = (long) SEQ.getAcquire(r.seqs, 2 * i);
        if (s != n) {
          if (n >= r.tail) {
            streak = 0;
            return drained(n);
          }
          for (int spins = 0; s != n; spins++) {
            if (s > n) {
              throw new IllegalStateException("ring overran the cursor of member " + bit);
            }
            // Past a few spins the publisher was likely preempted between its claim and its write:
            // give it the core rather than spin out a whole scheduling quantum.
            if (spins < PUBLISH_SPINS) {
              Thread.onSpinWait();
            } else {
              Thread.yield();
            }
            s = (long) SEQ.getAcquire(r.seqs, 2 * i);
          }
        }
        Object item = r.items[i];
        long set = r.seqs[2 * i + 1];
        if (set == bitMask) {
          // Its only reader: let the event go now, as an own mailbox does, rather than keep it
          // reachable until a publisher overwrites the slot a lap later. Before the release below,
          // so no publisher can have claimed the slot again yet.
          r.items[i] = null;
        }
        // Release: read before a publisher can see the room and write the slot a lap later.
        NEXT.setRelease(this, n + 1);
        if ((set & bitMask) != 0) {
          return item instanceof Object[] perMember ? perMember[bit] : item;
        }
        // Rare (a redrive to another member, a publish racing a subscribe): counted so that
        // offered() stays exact without a store per entry taken.
        SKIPPED.setOpaque(this, skipped + 1);
      }
    }

    /**
     * Called at {@code n}, close behind the publishers: gives them a moment to move on, unless they
     * write slowly or have stopped, and then knows the tail for the next entries.
     */
    private void keepBehind(long n) {
      BroadcastRing r = ring;
      long t = r.tail;
      if (n + KEEP_BEHIND >= t) {
        for (int i = 0; i < KEEP_BEHIND_SPINS; i++) {
          Thread.onSpinWait();
        }
        long moved = r.tail - t;
        t += moved;
        if (moved < KEEP_BEHIND / 2) {
          // Slow or stopped: read right behind them, as a lane at a moderate rate does, until
          // another run of entries.
          streak = 0;
        }
      }
      knownTail = t;
    }

    /**
     * Nothing to read at {@code n}: in a shared ring, lets go of what every member has read, if a
     * sweep has not yet. Returns null, for poll.
     */
    private Object drained(long n) {
      BroadcastRing r = ring;
      if (r.shared && r.cleared < n) {
        r.sweepDrained();
      }
      return null;
    }

    @Override
    public boolean isEmpty() {
      return next >= Math.min(end, ring.tail);
    }

    @Override
    public int size() {
      long n = next;
      long t = Math.min(end, ring.tail);
      return (int) Math.max(0, Math.min(t - n, ring.capacity));
    }

    @Override
    public boolean isFull() {
      long n = next;
      return n < end && ring.tail - n >= ring.capacity;
    }

    /**
     * Entries for it since it joined, taken or waiting (waiting entries for others among them,
     * seldom any).
     */
    @Override
    public long offered() {
      long skips = (long) SKIPPED.getOpaque(this);
      return Math.max(0, Math.min(end, ring.tail) - start - skips);
    }

    @Override
    public int capacity() {
      return ring.capacity;
    }
  }
}
