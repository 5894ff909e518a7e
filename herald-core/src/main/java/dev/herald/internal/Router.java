package dev.herald.internal;

import dev.herald.Backpressure;
import dev.herald.Delivery;
import dev.herald.DropReason;
import dev.herald.Event;
import dev.herald.MailboxFullException;
import dev.herald.SubscribeOptions;

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
    SubscriptionImpl[] byType = reg.forType(event.type());
    SubscriptionImpl[] byClass = byClass(reg, event.type(), event.data());
    if (only != null) {
      byType = named(byType, only);
      byClass = named(byClass, only);
    }
    boolean unroutedNow = false;
    if (byType.length + byClass.length == 0) {
      if (stored) {
        observers.storedOnly();
      } else {
        unroutedNow = true;
        observers.unrouted(event);
        byType = reg.unrouted;
      }
    }
    Tracker tracker =
        track ? new Tracker(event, byType.length + byClass.length, stored, unroutedNow) : null;
    MailboxFullException refused = offerAll(event, byType, byClass, tracker, batch);
    if (tracker != null) {
      tracker.routed();
    }
    if (refused != null) {
      throw refused;
    }
    return tracker;
  }

  /**
   * Offers the event to each subscription, in the registry's order, applying each one's policy to a
   * full mailbox. Returns the first refusal, if any.
   *
   * <p>An effect never overtakes its cause: with two mailboxes or more, a lane that ran the event
   * before the last offer could let an effect of it reach a later mailbox first. So the event is
   * marked as being routed ({@link RoutingMarks}) from before the first offer to after the last,
   * and a lane that takes a marked event waits for the mark to go; and lanes are scheduled only
   * once every mailbox holds the event (a batch's lanes, once the batch is offered), so that they
   * seldom find it marked. A full mailbox first gets the lanes offered so far scheduled, so that
   * they drain while the publisher waits for room there. Lanes that wait for a mark hold no thread,
   * and every publisher offers in the same order, so a publisher blocked on a full mailbox waits
   * only for lanes later in that order: never for itself.
   */
  private MailboxFullException offerAll(
      Event<?> event,
      SubscriptionImpl[] byType,
      SubscriptionImpl[] byClass,
      Tracker tracker,
      LaneBatch batch) {
    int n = byType.length + byClass.length;
    boolean mark = n > 1;
    boolean defer = mark || batch != null;
    MailboxFullException refused = null;
    if (mark) {
      RoutingMarks.begin(event);
    }
    try {
      for (int slot = 0; slot < n; slot++) {
        SubscriptionImpl s = slot < byType.length ? byType[slot] : byClass[slot - byType.length];
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
          scheduleLanes(event, byType, byClass, slot);
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
        for (int slot = 0; slot < n; slot++) {
          Lane lane = laneOf(event, byType, byClass, slot);
          lane.routed(event);
          if (batch == null) {
            lane.scheduleIfQueued();
          }
        }
      }
    }
    return refused;
  }

  /** Schedules the lanes of {@code event} at the first {@code count} subscriptions. */
  private static void scheduleLanes(
      Event<?> event, SubscriptionImpl[] byType, SubscriptionImpl[] byClass, int count) {
    for (int slot = 0; slot < count; slot++) {
      laneOf(event, byType, byClass, slot).scheduleIfQueued();
    }
  }

  private static Lane laneOf(
      Event<?> event, SubscriptionImpl[] byType, SubscriptionImpl[] byClass, int slot) {
    SubscriptionImpl s = slot < byType.length ? byType[slot] : byClass[slot - byType.length];
    return s.laneFor(event);
  }

  /** Whether an in-process subscription selects an event of {@code type} with {@code payload}. */
  boolean hasRoute(String type, Object payload) {
    Registry reg = subscriptions.registry();
    return reg.forType(type).length + byClass(reg, type, payload).length > 0;
  }

  private static SubscriptionImpl[] named(SubscriptionImpl[] subs, String name) {
    for (SubscriptionImpl s : subs) {
      if (s.name.equals(name)) {
        return new SubscriptionImpl[] {s};
      }
    }
    return Registry.NONE;
  }

  /** The subscriptions that select a payload by its class; none for a null payload. */
  private static SubscriptionImpl[] byClass(Registry reg, String type, Object payload) {
    return payload != null && reg.hasClassSubscriptions()
        ? reg.forClass(payload.getClass(), type)
        : Registry.NONE;
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
        String detail;
        if (Lane.CURRENT.get() != null) {
          detail = "the publisher is a Herald delivery thread, which never blocks";
        } else {
          try {
            if (lane.offerBlocking(item, s.blockNanos)) {
              return null;
            }
            detail =
                life.isClosed()
                    ? "the bus closed while waiting"
                    : "no room within "
                        + s.backpressure.timeout()
                        + "; a longer Backpressure.block(timeout) or a larger"
                        + " SubscribeOptions.mailboxCapacity(n) gives it more room";
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            detail = "interrupted while waiting for room";
          }
        }
        lane.droppedOnArrival.incrementAndGet();
        dropped(s, event, item, DropReason.REJECTED);
        return new MailboxFullException(s.name, detail);
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
