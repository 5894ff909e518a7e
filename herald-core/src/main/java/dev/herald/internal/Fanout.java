package dev.herald.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How an event reaches the subscriptions of one route: one write per {@link BroadcastRing} that
 * some of them share, one offer per subscription with a mailbox of its own. Immutable, built once
 * per route of a {@link Registry} snapshot (or per publish, for the rare routes no snapshot
 * caches).
 *
 * <p>Writes go in one order for every route: rings by their id, then own mailboxes in the route's
 * order (type subscriptions before class subscriptions, each in subscription order). A publisher
 * blocked on a full ring or mailbox therefore waits only on ones later in that order than those it
 * already wrote to, never on itself (see {@link Router}).
 */
final class Fanout {
  static final Fanout NONE = new Fanout(Registry.NONE);

  /** The route's subscriptions; a tracked publish has one slot per element. */
  final SubscriptionImpl[] subs;

  /** The rings, in ring order. */
  final Part[] rings;

  /** The slots of the subscriptions with mailboxes of their own, in route order. */
  final int[] own;

  /**
   * Whether the event needs a routing mark: it becomes visible in more than one place, so a lane
   * could run it before the last write (see {@link RoutingMarks}).
   */
  final boolean mark;

  /** One ring's share of a route. */
  static final class Part {
    final BroadcastRing ring;

    /** The bits of the route's members active when this part was built. */
    final long set;

    /** The ring's departures then: when it moved on, the set is checked again. */
    final long departures;

    /** The route slot of each bit's member, -1 for members not in the route. */
    final int[] slotOfBit;

    /** The route's subscriptions, for the re-check. */
    private final SubscriptionImpl[] subs;

    Part(BroadcastRing ring, long set, long departures, int[] slotOfBit, SubscriptionImpl[] subs) {
      this.ring = ring;
      this.set = set;
      this.departures = departures;
      this.slotOfBit = slotOfBit;
      this.subs = subs;
    }

    /**
     * The members to write an entry claimed now for: the set, less members that have left since it
     * was built. Call after the claim (see {@link BroadcastRing#leave}).
     */
    long liveSet() {
      if (ring.departures == departures) {
        return set;
      }
      long live = set;
      for (long s = set; s != 0; s &= s - 1) {
        int bit = Long.numberOfTrailingZeros(s);
        if (!subs[slotOfBit[bit]].isActive()) {
          live &= ~(1L << bit);
        }
      }
      return live;
    }
  }

  Fanout(SubscriptionImpl[] subs) {
    this.subs = subs;
    List<Part> parts = new ArrayList<>();
    List<BroadcastRing> seen = new ArrayList<>();
    int[] ownSlots = new int[subs.length];
    int owned = 0;
    for (int slot = 0; slot < subs.length; slot++) {
      BroadcastRing.Member m = subs[slot].ringMember;
      if (m == null) {
        ownSlots[owned++] = slot;
      } else if (!seen.contains(m.ring)) {
        seen.add(m.ring);
      }
    }
    seen.sort(Comparator.comparingLong(r -> r.id));
    for (BroadcastRing ring : seen) {
      // The count before the members' states: a member that left after it is caught by the
      // publisher's re-check, one that left before shows inactive here.
      long departures = ring.departures;
      int[] slotOfBit = new int[BroadcastRing.MAX_MEMBERS];
      Arrays.fill(slotOfBit, -1);
      long set = 0;
      for (int slot = 0; slot < subs.length; slot++) {
        BroadcastRing.Member m = subs[slot].ringMember;
        if (m != null && m.ring == ring) {
          slotOfBit[m.bit] = slot;
          if (subs[slot].isActive()) {
            set |= 1L << m.bit;
          }
        }
      }
      parts.add(new Part(ring, set, departures, slotOfBit, subs));
    }
    this.rings = parts.toArray(new Part[0]);
    this.own = Arrays.copyOf(ownSlots, owned);
    this.mark = rings.length + own.length > 1;
  }

  /** The route of {@code a} then {@code b}: a publish that both a type and a class select. */
  static Fanout concat(Fanout a, Fanout b) {
    if (b.subs.length == 0) {
      return a;
    }
    if (a.subs.length == 0) {
      return b;
    }
    SubscriptionImpl[] all = Arrays.copyOf(a.subs, a.subs.length + b.subs.length);
    System.arraycopy(b.subs, 0, all, a.subs.length, b.subs.length);
    return new Fanout(all);
  }
}
