package dev.herald.internal;

import dev.herald.Backpressure;
import dev.herald.Delivery;
import dev.herald.DropReason;
import dev.herald.Event;
import dev.herald.MailboxFullException;
import dev.herald.PublishResult;
import dev.herald.SubscribeOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Routes an event to the mailboxes of the in-process subscriptions that select it, and applies a
 * subscription's {@link Backpressure} policy when its mailbox is full. An event no subscription
 * selects is stored only (when a transport took it for durable subscriptions) or unrouted. Called
 * on the publishing thread, without locks: routes come from the copy-on-write {@link Registry}.
 * Only the {@link Backpressure#block BLOCK} policy waits, and never on a Herald delivery thread.
 */
final class Router {
  private final Subscriptions subscriptions;
  private final Observers observers;
  private final Lifecycle life;

  Router(Subscriptions subscriptions, Observers observers, Lifecycle life) {
    this.subscriptions = subscriptions;
    this.observers = observers;
    this.life = life;
  }

  /**
   * Routes an event to every matching subscription of this process. An event that matches none is
   * stored only when {@code stored} (the transport was handed it for durable subscriptions), else
   * unrouted: counted, reported, and routed to the unrouted channel.
   *
   * <p>No handler runs on the event before it is in every matching mailbox: see {@link #offerAll}.
   *
   * @param only when not null, only the matching subscriptions of that name take the event (a
   *     redrive)
   * @param batch null for a single publish; for an event of a batch, where the lanes it is queued
   *     in are collected, for the batch to schedule each once at its end
   * @return the tracker when {@code track}, else null
   * @throws MailboxFullException after routing, if a subscription refused the event
   */
  Tracker route(Event<?> event, boolean track, boolean stored, String only, LaneBatch batch) {
    Registry reg = subscriptions.registry();
    Fanout route = routeOf(reg, event);
    if (only != null) {
      route = named(route, only);
    }
    boolean unroutedNow = false;
    if (route.subs.length == 0) {
      if (stored) {
        observers.storedOnly();
      } else {
        unroutedNow = true;
        observers.unrouted(event);
        route = reg.unrouted;
      }
    }
    Tracker tracker = track ? new Tracker(event, route.subs.length, stored, unroutedNow) : null;
    MailboxFullException refused = offerAll(event, route, tracker, batch);
    if (tracker != null) {
      tracker.routed();
    }
    if (refused != null) {
      throw refused;
    }
    return tracker;
  }

  /** The subscriptions of this process that select {@code event}. */
  private static Fanout routeOf(Registry reg, Event<?> event) {
    Fanout route = reg.forType(event.type());
    Object data = event.data();
    if (data != null && reg.hasClassSubscriptions()) {
      route = reg.both(event.type(), route, reg.forClass(data.getClass(), event.type()));
    }
    return route;
  }

  /** The most events of a batch written with one claim: a run never waits for a whole ring. */
  private static final int MAX_RUN = 256;

  /**
   * For a batch on a bus that stores nothing: writes the run of events from {@code from} on that
   * all go to one place only, with one claim for the whole run, and collects the lanes it wrote to
   * into {@code batch}. The place is a single ring ({@link #ringRun}) or a single subscription's
   * own mailbox ({@link #mailboxRun}); the run is at most {@link #MAX_RUN} events and the place's
   * capacity. When {@code futures} is not null (a tracked batch), each event is tracked and its
   * future added there, in order. Returns how many events it wrote; 0 when the run is a single
   * event, its route is another shape, or the place has no room for all of it now: the caller then
   * routes {@code events[from]} on its own, which applies the backpressure policy. A run needs no
   * routing mark, as a single write to one place needs none: each event becomes visible to all its
   * readers at once, and their lanes are scheduled once the batch is offered.
   */
  int writeRun(
      Event<?>[] events,
      int from,
      LaneBatch batch,
      List<CompletableFuture<PublishResult>> futures) {
    Registry reg = subscriptions.registry();
    Fanout route = routeOf(reg, events[from]);
    if (route.mark) {
      return 0;
    }
    if (route.rings.length == 1 && route.own.length == 0) {
      return ringRun(reg, route, events, from, batch, futures);
    }
    if (route.rings.length == 0 && route.own.length == 1) {
      return mailboxRun(reg, route, events, from, batch, futures);
    }
    return 0;
  }

  /** How many events from {@code from} on, at most {@code most}, take {@code route}. */
  private static int runLength(Registry reg, Fanout route, Event<?>[] events, int from, int most) {
    int n = 1;
    int end = Math.min(events.length, from + most);
    while (from + n < end && routeOf(reg, events[from + n]) == route) {
      n++;
    }
    return n;
  }

  /** {@link #writeRun} into the route's one ring, which is all of it. */
  private static int ringRun(
      Registry reg,
      Fanout route,
      Event<?>[] events,
      int from,
      LaneBatch batch,
      List<CompletableFuture<PublishResult>> futures) {
    Fanout.Part part = route.rings[0];
    BroadcastRing ring = part.ring;
    int n = runLength(reg, route, events, from, Math.min(MAX_RUN, ring.capacity));
    if (n == 1) {
      return 0;
    }
    long seq = ring.tryClaim(n);
    if (seq < 0) {
      return 0;
    }
    // After the claim, as for a single write: a member that left since takes nothing past its end.
    long set = part.liveSet();
    for (int i = 0; i < n; i++) {
      Event<?> event = events[from + i];
      if (futures == null) {
        ring.publish(seq + i, event, set);
      } else {
        Tracker t = new Tracker(event, route.subs.length, false, false);
        ring.publish(seq + i, trackedItems(route, part, set, t), set);
        t.routed();
        futures.add(t.future);
      }
    }
    ring.addMembersTo(batch);
    return n;
  }

  /**
   * {@link #writeRun} into the own mailbox of the route's one subscription, which is all of it: a
   * subscription under the fail or drop-newest policy (the default is fail) with one lane. Only a
   * single-consumer mailbox claims runs; a drop-oldest one, which publishers poll to evict, takes
   * its events one by one.
   */
  private static int mailboxRun(
      Registry reg,
      Fanout route,
      Event<?>[] events,
      int from,
      LaneBatch batch,
      List<CompletableFuture<PublishResult>> futures) {
    int slot = route.own[0];
    SubscriptionImpl s = route.subs[slot];
    if (s.lanes.length != 1 || !s.isActive() || !(s.lanes[0].queue instanceof MpscArrayQueue q)) {
      return 0;
    }
    int n = runLength(reg, route, events, from, Math.min(MAX_RUN, q.capacity()));
    if (n == 1) {
      return 0;
    }
    long index = q.claim(n);
    if (index < 0) {
      return 0;
    }
    for (int i = 0; i < n; i++) {
      Event<?> event = events[from + i];
      if (futures == null) {
        q.fill(index + i, event);
      } else {
        Tracker t = new Tracker(event, route.subs.length, false, false);
        q.fill(index + i, t.item(slot));
        t.routed();
        futures.add(t.future);
      }
    }
    batch.add(s.lanes[0]);
    return n;
  }

  /**
   * Writes the event to each ring of the route, then offers it to each mailbox of its own, in the
   * {@linkplain Fanout one order every route follows}, applying the subscriptions' policy to a full
   * ring or mailbox. Returns the first refusal, if any.
   *
   * <p>An effect never overtakes its cause: when the event becomes visible in two places or more, a
   * lane that ran it before the last write could let an effect of it reach a later one first. So
   * the event is then marked as being routed ({@link RoutingMarks}) from before the first write to
   * after the last, and a lane that takes a marked event waits for the mark to go; and lanes are
   * scheduled only once every ring and mailbox holds the event (a batch's lanes, once the batch is
   * offered), so that they seldom find it marked. A single ring needs no mark: one write makes the
   * event visible to all its members at once. A full ring or mailbox first gets the lanes written
   * to so far scheduled, so that they drain while the publisher waits for room there. Lanes that
   * wait for a mark hold no thread, and every publisher writes in the same order, so a publisher
   * blocked on a full one waits only for lanes later in that order: never for itself.
   */
  private MailboxFullException offerAll(
      Event<?> event, Fanout route, Tracker tracker, LaneBatch batch) {
    boolean mark = route.mark;
    boolean defer = mark || batch != null;
    MailboxFullException refused = null;
    if (mark) {
      RoutingMarks.begin(event);
    }
    try {
      Fanout.Part[] rings = route.rings;
      for (int k = 0; k < rings.length; k++) {
        MailboxFullException e = write(event, route, k, tracker, batch, defer);
        if (refused == null) {
          refused = e;
        }
      }
      int[] own = route.own;
      for (int k = 0; k < own.length; k++) {
        int slot = own[k];
        SubscriptionImpl s = route.subs[slot];
        if (!s.isActive()) {
          if (tracker != null) {
            tracker.skip();
          }
          continue;
        }
        Lane lane = s.laneFor(event);
        Object item = tracker == null ? event : tracker.item(slot);
        if (!defer) {
          if (lane.offer(item)) {
            continue;
          }
        } else if (lane.enqueue(item)) {
          if (batch != null) {
            batch.add(lane);
          }
          continue;
        } else if (batch != null) {
          batch.scheduleAll();
        } else {
          scheduleWritten(event, route, rings.length, k);
        }
        MailboxFullException e = mailboxFull(s, lane, event, item);
        if (refused == null) {
          refused = e;
        }
      }
    } finally {
      if (mark) {
        RoutingMarks.end(event);
        // A lane may hold the event for the mark to go (see Lane.routed). Lanes a single publish
        // queued into are scheduled now; a batch's, at the batch's end.
        for (Fanout.Part p : route.rings) {
          p.ring.routed(event, batch == null);
        }
        for (int slot : route.own) {
          Lane lane = route.subs[slot].laneFor(event);
          lane.routed(event);
          if (batch == null) {
            lane.scheduleIfQueued();
          }
        }
      }
    }
    return refused;
  }

  /**
   * Writes the event once into the ring of part {@code k} of the route, for its members; a full
   * ring gets the policy of its members (block, all of them: see {@link Subscriptions}). Returns
   * the refusal, if any.
   */
  private MailboxFullException write(
      Event<?> event, Fanout route, int k, Tracker tracker, LaneBatch batch, boolean defer) {
    Fanout.Part part = route.rings[k];
    BroadcastRing ring = part.ring;
    long seq = ring.tryClaim();
    if (seq < 0) {
      if (batch != null) {
        batch.scheduleAll();
      } else if (defer) {
        scheduleWritten(event, route, k, 0);
      }
      ring.scheduleMembers(); // Those with something to read drain while the publisher waits.
      seq = claimWhenRoom(ring, route.subs[firstSlot(part)]);
      if (seq < 0) {
        return refusedByRing(event, route, part, tracker, seq);
      }
    }
    // After the claim: a member that left since the route was built takes nothing past its end.
    long set = part.liveSet();
    Object item = event;
    if (tracker != null) {
      item = trackedItems(route, part, set, tracker);
    }
    ring.publish(seq, item, set);
    if (batch != null) {
      ring.addMembersTo(batch);
    } else if (!defer) {
      ring.scheduleMembers(set);
    }
    return null;
  }

  /**
   * Schedules the lanes written to so far: the members of the route's first {@code rings} rings,
   * and the own mailboxes of its first {@code owned} subscriptions with one.
   */
  private static void scheduleWritten(Event<?> event, Fanout route, int rings, int owned) {
    for (int k = 0; k < rings; k++) {
      route.rings[k].ring.scheduleMembers();
    }
    for (int k = 0; k < owned; k++) {
      route.subs[route.own[k]].laneFor(event).scheduleIfQueued();
    }
  }

  /**
   * The items of a tracked entry, indexed by bit, one for each member in {@code set}; the route's
   * other members of the ring (closed since) have their slots skipped. An entry for one member
   * (every entry of a ring with a single subscription) is that member's item itself, no array: a
   * member takes an entry that is not an array as its own (see {@link BroadcastRing.Member#poll}).
   */
  private static Object trackedItems(Fanout route, Fanout.Part part, long set, Tracker tracker) {
    boolean single = Long.bitCount(set) == 1;
    Object[] perMember =
        single ? null : new Object[Long.SIZE - Long.numberOfLeadingZeros(set | 1L)];
    Object only = null;
    for (int bit = 0; bit < Long.SIZE; bit++) {
      int slot = part.slotOfBit[bit];
      if (slot < 0) {
        continue;
      }
      if ((set & (1L << bit)) == 0) {
        tracker.skip();
      } else if (single) {
        only = tracker.item(slot);
      } else {
        perMember[bit] = tracker.item(slot);
      }
    }
    return single ? only : perMember;
  }

  private static int firstSlot(Fanout.Part part) {
    for (int slot : part.slotOfBit) {
      if (slot >= 0) {
        return slot;
      }
    }
    throw new IllegalStateException("a route's ring part names no member");
  }

  // Why a blocked publish was refused (see blockRefusal); negative, as claimWhenRoom answers them.
  private static final long DELIVERY_THREAD = -1;
  private static final long TIMED_OUT = -2;
  private static final long CLOSED = -3;
  private static final long INTERRUPTED = -4;

  /**
   * Waits for room in a full ring, whose members all block with the same timeout as {@code s}, and
   * claims a sequence; or answers why not, as a negative code. Waits on the lane of the member that
   * holds the ring back, which wakes it as it reads; then on the next one's, if another one holds
   * it back by then. A Herald delivery thread never waits.
   */
  private long claimWhenRoom(BroadcastRing ring, SubscriptionImpl s) {
    if (Lane.CURRENT.get() != null) {
      return DELIVERY_THREAD;
    }
    // By the bus's clock, so that a block timeout passes when a virtual clock passes it.
    long deadline = s.time.nanoTime() + s.blockNanos;
    try {
      for (; ; ) {
        long seq = ring.tryClaim();
        if (seq >= 0) {
          return seq;
        }
        if (life.isClosed()) {
          return CLOSED;
        }
        if (deadline - s.time.nanoTime() <= 0) {
          return TIMED_OUT;
        }
        BroadcastRing.Member slow = ring.holdingBack();
        if (slow == null) {
          Thread.onSpinWait(); // Room came as we looked: claim again.
          continue;
        }
        slow.lane.awaitRoom(deadline);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return INTERRUPTED;
    }
  }

  /**
   * No room in the ring of {@code part}: the event is refused to each of its members there, each
   * counted and reported as a drop, as each one's own mailbox would have refused it. The refusal
   * names the member that held the ring back.
   */
  private MailboxFullException refusedByRing(
      Event<?> event, Fanout route, Fanout.Part part, Tracker tracker, long why) {
    SubscriptionImpl first = route.subs[firstSlot(part)];
    BroadcastRing.Member slow = part.ring.holdingBack();
    String name = null;
    long set = part.liveSet();
    for (int bit = 0; bit < Long.SIZE; bit++) {
      int slot = part.slotOfBit[bit];
      if (slot < 0) {
        continue;
      }
      SubscriptionImpl s = route.subs[slot];
      if ((set & (1L << bit)) == 0) {
        if (tracker != null) {
          tracker.skip();
        }
        continue;
      }
      Lane lane = s.lanes[0];
      Object item = tracker == null ? event : tracker.item(slot);
      lane.droppedOnArrival.incrementAndGet();
      dropped(s, event, item, DropReason.REJECTED);
      if (name == null || (slow != null && slow.lane == lane)) {
        name = s.name;
      }
    }
    return new MailboxFullException(name != null ? name : first.name, blockRefusal(first, why));
  }

  /** Why a publish that waited for room under {@code s}'s block policy was refused. */
  private static String blockRefusal(SubscriptionImpl s, long why) {
    if (why == DELIVERY_THREAD) {
      return "the publisher is a Herald delivery thread, which never blocks";
    }
    if (why == CLOSED) {
      return "the bus closed while waiting";
    }
    if (why == INTERRUPTED) {
      return "interrupted while waiting for room";
    }
    return "no room within "
        + s.backpressure.timeout()
        + "; a longer Backpressure.block(timeout) or a larger"
        + " SubscribeOptions.mailboxCapacity(n) gives it more room";
  }

  /** Whether an in-process subscription selects an event of {@code type} with {@code payload}. */
  boolean hasRoute(String type, Object payload) {
    Registry reg = subscriptions.registry();
    return reg.forType(type).subs.length > 0
        || (payload != null
            && reg.hasClassSubscriptions()
            && reg.forClass(payload.getClass(), type).subs.length > 0);
  }

  /** The route's subscription named {@code name} alone, or none. */
  private static Fanout named(Fanout route, String name) {
    for (SubscriptionImpl s : route.subs) {
      if (s.name.equals(name)) {
        return new Fanout(new SubscriptionImpl[] {s});
      }
    }
    return Fanout.NONE;
  }

  /** The mailbox was full: apply the subscription's policy. Returns the refusal, if any. */
  private MailboxFullException mailboxFull(
      SubscriptionImpl s, Lane lane, Event<?> event, Object item) {
    Backpressure.Kind kind = s.backpressure.kind();
    switch (kind) {
      case DROP_NEWEST:
        lane.droppedOnArrival.incrementAndGet();
        dropped(s, event, item, DropReason.NEWEST);
        return null;
      case DROP_OLDEST:
        for (; ; ) {
          Object old = lane.queue.poll();
          if (old != null) {
            lane.evicted.incrementAndGet();
            dropped(s, Completion.eventOf(old), old, DropReason.OLDEST);
          }
          if (lane.offer(item)) {
            return null;
          }
        }
      case BLOCK:
        long why;
        if (Lane.CURRENT.get() != null) {
          why = DELIVERY_THREAD;
        } else {
          try {
            if (lane.offerBlocking(item, s.blockNanos)) {
              return null;
            }
            why = life.isClosed() ? CLOSED : TIMED_OUT;
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            why = INTERRUPTED;
          }
        }
        lane.droppedOnArrival.incrementAndGet();
        dropped(s, event, item, DropReason.REJECTED);
        return new MailboxFullException(s.name, blockRefusal(s, why));
      case FAIL:
      default:
        lane.droppedOnArrival.incrementAndGet();
        dropped(s, event, item, DropReason.REJECTED);
        return new MailboxFullException(
            s.name,
            "policy FAIL (the default), capacity "
                + lane.queue.capacity()
                + "; to make publishers wait for room instead, subscribe with"
                + " SubscribeOptions.backpressure(Backpressure.block(timeout)), and for more room"
                + " SubscribeOptions.mailboxCapacity(n) (default "
                + SubscribeOptions.DEFAULT_MAILBOX_CAPACITY
                + ")");
    }
  }

  private void dropped(SubscriptionImpl s, Event<?> event, Object item, DropReason reason) {
    observers.dropped(s.name, event, reason);
    Completion.complete(item, new Delivery(s.name, Delivery.Outcome.DROPPED, 0, reason, null));
  }
}
