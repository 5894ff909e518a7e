package dev.herald.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable snapshot of the live subscriptions, with caches from event type and payload class to
 * the matching subscriptions. Subscribing or unsubscribing builds a new snapshot (copy on write),
 * so publishers read routes without any lock. The caches fill on first use and are bounded: past
 * {@value #MAX_CACHED} distinct keys, routes are computed on each publish instead.
 */
final class Registry {
  static final SubscriptionImpl[] NONE = new SubscriptionImpl[0];
  private static final int MAX_CACHED = 10_000;

  final SubscriptionImpl[] all;
  private final SubscriptionImpl[] typeSubs;
  private final SubscriptionImpl[] classSubs;
  final Fanout unrouted;
  private final ConcurrentHashMap<String, Fanout> byType = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Class<?>, Fanout> byClass = new ConcurrentHashMap<>();

  // In front of the maps: one route per slot of its key's hash, the first one a publish found in
  // the map. Publishers send a few constant types and payload classes, so a publish finds its
  // routes with an array load and a comparison instead of a hash lookup (a map lookup took about a
  // tenth of a single publisher's samples in an emit). A slot is written once, so keys that share
  // it fall back to the map and never allocate a Route per publish. Racy: a Route is immutable, so
  // whatever a publisher reads is a route computed for this snapshot.
  private final Route[] firstByType = new Route[SLOTS];
  private final Route[] firstByClass = new Route[SLOTS];
  private static final int SLOTS = 64;

  private record Route(Object key, Fanout fanout) {}

  /** The routes of an event that subscriptions select both by type and by payload class. */
  private record Both(Fanout byType, Fanout byClass) {}

  private final ConcurrentHashMap<Both, Fanout> both = new ConcurrentHashMap<>();

  Registry(SubscriptionImpl[] all) {
    this.all = all;
    List<SubscriptionImpl> t = new ArrayList<>();
    List<SubscriptionImpl> c = new ArrayList<>();
    List<SubscriptionImpl> u = new ArrayList<>();
    for (SubscriptionImpl s : all) {
      if (s.selector.isUnrouted()) {
        u.add(s);
      } else if (s.selector.isClassSelector()) {
        c.add(s);
      } else {
        t.add(s);
      }
    }
    this.typeSubs = t.toArray(NONE);
    this.classSubs = c.toArray(NONE);
    this.unrouted = u.isEmpty() ? Fanout.NONE : new Fanout(u.toArray(NONE));
  }

  static Registry empty() {
    return new Registry(NONE);
  }

  Registry with(SubscriptionImpl s) {
    SubscriptionImpl[] next = new SubscriptionImpl[all.length + 1];
    System.arraycopy(all, 0, next, 0, all.length);
    next[all.length] = s;
    return new Registry(next);
  }

  Registry without(SubscriptionImpl s) {
    List<SubscriptionImpl> next = new ArrayList<>(all.length);
    for (SubscriptionImpl x : all) {
      if (x != s) {
        next.add(x);
      }
    }
    return new Registry(next.toArray(NONE));
  }

  boolean hasClassSubscriptions() {
    return classSubs.length > 0;
  }

  /** The route of events of {@code type} to the subscriptions that select them by type. */
  Fanout forType(String type) {
    if (typeSubs.length == 0) {
      return Fanout.NONE; // Every subscription selects by payload class: no lookup per publish.
    }
    int slot = type.hashCode() & (SLOTS - 1);
    Route first = firstByType[slot];
    if (first != null && (first.key == type || first.key.equals(type))) {
      return first.fanout;
    }
    Fanout r = byType.get(type);
    if (r != null) {
      if (first == null) {
        firstByType[slot] = new Route(type, r);
      }
    } else {
      List<SubscriptionImpl> m = new ArrayList<>();
      for (SubscriptionImpl s : typeSubs) {
        if (s.selector.matchesType(type)) {
          m.add(s);
        }
      }
      r = m.isEmpty() ? Fanout.NONE : new Fanout(m.toArray(NONE));
      if (byType.size() < MAX_CACHED) {
        byType.putIfAbsent(type, r);
      }
    }
    return r;
  }

  /**
   * The route of an event of {@code type} to {@code typeRoute} then {@code classRoute}, built once
   * per pair (routes are compared by identity: each is this snapshot's own), so that an event both
   * kinds of subscription select is not given a new plan per publish. Pairs of routes that were not
   * cached themselves (internal types, or past {@value #MAX_CACHED} keys) are not cached either.
   */
  Fanout both(String type, Fanout typeRoute, Fanout classRoute) {
    if (classRoute.subs.length == 0) {
      return typeRoute;
    }
    if (typeRoute.subs.length == 0) {
      return classRoute;
    }
    if (Selector.isInternal(type) || byType.size() >= MAX_CACHED || byClass.size() >= MAX_CACHED) {
      return Fanout.concat(typeRoute, classRoute);
    }
    Both key = new Both(typeRoute, classRoute);
    Fanout r = both.get(key);
    if (r == null) {
      r = Fanout.concat(typeRoute, classRoute);
      if (both.size() < MAX_CACHED) {
        both.putIfAbsent(key, r);
      }
    }
    return r;
  }

  /** The route of a payload of {@code payloadClass} to the subscriptions that select its class. */
  Fanout forClass(Class<?> payloadClass, String type) {
    boolean internal = Selector.isInternal(type);
    // Internal types are rare and select differently, so they bypass the class caches.
    int slot = payloadClass.hashCode() & (SLOTS - 1);
    Route first = internal ? null : firstByClass[slot];
    if (first != null && first.key == payloadClass) {
      return first.fanout;
    }
    Fanout r = internal ? null : byClass.get(payloadClass);
    if (r != null) {
      if (first == null) {
        firstByClass[slot] = new Route(payloadClass, r);
      }
    } else {
      List<SubscriptionImpl> m = new ArrayList<>();
      for (SubscriptionImpl s : classSubs) {
        if (s.selector.matchesClass(payloadClass, type)) {
          m.add(s);
        }
      }
      r = m.isEmpty() ? Fanout.NONE : new Fanout(m.toArray(NONE));
      if (!internal && byClass.size() < MAX_CACHED) {
        byClass.putIfAbsent(payloadClass, r);
      }
    }
    return r;
  }
}
