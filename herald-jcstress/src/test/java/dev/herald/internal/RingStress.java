package dev.herald.internal;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link BroadcastRing}, the mailbox that subscriptions selecting the same events share: publishers
 * claim a sequence with a CAS and publish the entry with a release store of its sequence; each
 * member reads at its own cursor; a member that leaves reads up to its end, and a publisher that
 * claims after the end drops its bit. In package {@code dev.herald.internal}: the ring is not API.
 */
public final class RingStress {
  private RingStress() {}

  /** An element whose field a reader that saw it too early would read as 0. */
  static final class Item {
    int value;

    Item(int value) {
      this.value = value;
    }
  }

  static BroadcastRing ring(int capacity, BroadcastRing.Member... out) {
    BroadcastRing ring = new BroadcastRing(capacity);
    for (int i = 0; i < out.length; i++) {
      out[i] = ring.newMember();
      ring.join(out[i], null);
    }
    return ring;
  }

  /** Claims a run of two for the one member (bit 0) and writes 1 then 2 into it. */
  static void writeRunOfTwo(BroadcastRing ring) {
    long seq = ring.tryClaim(2);
    ring.publish(seq, new Item(1), 0b1);
    ring.publish(seq + 1, new Item(2), 0b1);
  }

  /** Sum of the values a member reads until it finds nothing. */
  static int drain(BroadcastRing.Member m) {
    int sum = 0;
    Object e;
    while ((e = m.poll()) != null) {
      sum += ((Item) e).value;
    }
    return sum;
  }

  /** Two publishers at once: each member reads both entries, once each, whoever claimed first. */
  @JCStressTest
  @Outcome(id = "3, 3", expect = Expect.ACCEPTABLE, desc = "both members read both entries")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an entry lost or read twice by a member")
  @State
  public static class TwoPublishers {
    private final BroadcastRing.Member[] m = new BroadcastRing.Member[2];
    private final BroadcastRing ring = ring(4, m);

    @Actor
    public void first() {
      ring.publish(ring.tryClaim(), new Item(1), 0b11);
    }

    @Actor
    public void second() {
      ring.publish(ring.tryClaim(), new Item(2), 0b11);
    }

    @Arbiter
    public void read(II_Result r) {
      r.r1 = drain(m[0]);
      r.r2 = drain(m[1]);
    }
  }

  /**
   * A publisher and a reader at once: the reader sees nothing or the whole entry (its item's field
   * and its set written), and what it did not read is still there.
   */
  @JCStressTest
  @Outcome(id = "0, 42", expect = Expect.ACCEPTABLE, desc = "read before the publish")
  @Outcome(id = "42, 0", expect = Expect.ACCEPTABLE, desc = "read the entry, whole")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an entry seen early, lost or read twice")
  @State
  public static class PublishAndRead {
    private final BroadcastRing.Member[] m = new BroadcastRing.Member[1];
    private final BroadcastRing ring = ring(4, m);

    @Actor
    public void publisher() {
      ring.publish(ring.tryClaim(), new Item(42), 0b1);
    }

    @Actor
    public void reader(II_Result r) {
      Object e = m[0].poll();
      r.r1 = e == null ? 0 : ((Item) e).value == 42 ? 42 : -1;
    }

    @Arbiter
    public void rest(II_Result r) {
      r.r2 = drain(m[0]);
    }
  }

  /**
   * A member leaves while a publisher claims, as {@link Fanout.Part#liveSet} decides after the
   * claim: an entry written for the leaving member is one it reads before its end. The result is
   * (whether the entry names the member, whether the member read it).
   */
  @JCStressTest
  @Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "claimed after the leave: not for it")
  @Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "claimed before its end: read")
  @Outcome(id = "1, 0", expect = Expect.FORBIDDEN, desc = "written for it past its end: lost")
  @Outcome(expect = Expect.FORBIDDEN, desc = "read what was not for it")
  @State
  public static class LeaveRacesClaim {
    private final BroadcastRing.Member[] m = new BroadcastRing.Member[2];
    private final BroadcastRing ring = ring(4, m);
    private final long departures = ring.departures;
    private long set;

    @Actor
    public void leaving() {
      ring.leave(m[1]);
    }

    @Actor
    public void publisher() {
      long seq = ring.tryClaim();
      set = ring.departures == departures ? 0b11 : 0b01;
      ring.publish(seq, new Item(1), set);
    }

    @Arbiter
    public void read(II_Result r) {
      r.r1 = (set & 0b10) != 0 ? 1 : 0;
      r.r2 = drain(m[1]);
    }
  }

  /**
   * Sweeps race a publisher's claims: two members that read a full lap without finding the ring
   * drained (so nothing was swept yet) drain it again, one after the other, while a publisher
   * claims and writes the next two entries, its first claim sweeping the lap the members read. A
   * sweep that cleared a slot claimed again would lose an entry (a member would read a null item
   * and stop). The result is the sum each member read.
   */
  @JCStressTest
  @Outcome(id = "3, 3", expect = Expect.ACCEPTABLE, desc = "each member read both new entries")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an entry cleared after it was written, or read twice")
  @State
  public static class SweepRacesClaim {
    private final BroadcastRing.Member[] m = new BroadcastRing.Member[2];
    private final BroadcastRing ring = ring(2, m);

    public SweepRacesClaim() {
      ring.publish(ring.tryClaim(), new Item(100), 0b11);
      ring.publish(ring.tryClaim(), new Item(100), 0b11);
      for (BroadcastRing.Member member : m) {
        member.poll();
        member.poll(); // the lap read, the next poll not made: no sweep yet
      }
    }

    @Actor
    public void publisher() {
      ring.publish(ring.tryClaim(), new Item(1), 0b11);
      ring.publish(ring.tryClaim(), new Item(2), 0b11);
    }

    @Actor
    public void readers(II_Result r) {
      // Both members on one actor: jcstress runs a test only with a CPU for each actor.
      r.r1 = drain(m[0]);
      r.r2 = drain(m[1]);
    }

    @Arbiter
    public void rest(II_Result r) {
      r.r1 += drain(m[0]);
      r.r2 += drain(m[1]);
    }
  }

  /**
   * Two members drain a shared ring at once, each sweeping as it finds the ring drained: whichever
   * sweeps last, or is asked to sweep again, sees both cursors at the tail, so the ring holds no
   * item once both are done. The result is (items the ring still holds, the sum both read).
   */
  @JCStressTest
  @Outcome(id = "0, 6", expect = Expect.ACCEPTABLE, desc = "both read everything; nothing held")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an item kept after both drained, or an entry lost")
  @State
  public static class DrainedTogether {
    private final BroadcastRing.Member[] m = new BroadcastRing.Member[2];
    private final BroadcastRing ring = ring(4, m);
    private int first;
    private int second;

    public DrainedTogether() {
      ring.publish(ring.tryClaim(), new Item(1), 0b11);
      ring.publish(ring.tryClaim(), new Item(2), 0b11);
    }

    @Actor
    public void first() {
      first = drain(m[0]);
    }

    @Actor
    public void second() {
      second = drain(m[1]);
    }

    @Arbiter
    public void rest(II_Result r) {
      r.r1 = ring.itemsHeld();
      r.r2 = first + second;
    }
  }

  /**
   * A batch's run of two entries claimed with one CAS, beside a single claim: the member reads all
   * three once, and the run's two next to each other, in order. The result is (the sum read, 1 if
   * the run's entries were read one right after the other in order, else 0).
   */
  @JCStressTest
  @Outcome(id = "7, 1", expect = Expect.ACCEPTABLE, desc = "all read once, the run in one piece")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an entry lost or read twice, or the run split")
  @State
  public static class RunBesideSingle {
    private final BroadcastRing.Member[] m = new BroadcastRing.Member[1];
    private final BroadcastRing ring = ring(4, m);

    @Actor
    public void run() {
      writeRunOfTwo(ring);
    }

    @Actor
    public void single() {
      ring.publish(ring.tryClaim(), new Item(4), 0b1);
    }

    @Arbiter
    public void read(II_Result r) {
      int sum = 0;
      int previous = 0;
      int together = 0;
      Object e;
      while ((e = m[0].poll()) != null) {
        int v = ((Item) e).value;
        if (previous == 1 && v == 2) {
          together = 1;
        }
        previous = v;
        sum += v;
      }
      r.r1 = sum;
      r.r2 = together;
    }
  }

  /**
   * A reader polls twice while a run of two is written: once it has seen the run's first entry, the
   * second is claimed too, so its next poll waits for it rather than find the ring empty. The
   * result is (the first poll's value, the second's, the sum left for a drain after), 0 for none.
   */
  @JCStressTest
  @Outcome(id = "0, 0, 3", expect = Expect.ACCEPTABLE, desc = "both polls before the claim")
  @Outcome(id = "0, 1, 2", expect = Expect.ACCEPTABLE, desc = "the first poll before the claim")
  @Outcome(id = "1, 2, 0", expect = Expect.ACCEPTABLE, desc = "both polls after the claim")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an entry seen early, out of order, lost or twice")
  @State
  public static class RunAndRead {
    private final BroadcastRing.Member[] m = new BroadcastRing.Member[1];
    private final BroadcastRing ring = ring(4, m);

    @Actor
    public void publisher() {
      writeRunOfTwo(ring);
    }

    @Actor
    public void reader(III_Result r) {
      r.r1 = value(m[0].poll());
      r.r2 = value(m[0].poll());
    }

    @Arbiter
    public void rest(III_Result r) {
      r.r3 = drain(m[0]);
    }

    /** An item's value, 0 for none, -1 for an item whose field was seen before it was written. */
    private static int value(Object e) {
      if (e == null) {
        return 0;
      }
      int v = ((Item) e).value;
      return v == 0 ? -1 : v;
    }
  }
}
