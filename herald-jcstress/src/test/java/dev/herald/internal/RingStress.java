package dev.herald.internal;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
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
}
