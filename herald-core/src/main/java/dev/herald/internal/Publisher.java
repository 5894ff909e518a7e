package dev.herald.internal;

import dev.herald.BatchRefusedException;
import dev.herald.BusClosedException;
import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.MailboxFullException;
import dev.herald.PublishResult;
import dev.herald.StoreRefusedException;
import dev.herald.spi.Transport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The first step of the data path: admits a publish through the {@link PublishGate} (refused once
 * the bus is closed, except from its own handlers while it drains), stores the event with the
 * transport when there is one, and hands it to the {@link Router}. Called on the publishing thread,
 * without locks; a store's outcome is observed on whichever thread the transport completes it.
 */
final class Publisher {
  private final PublishGate gate = new PublishGate();
  private final Router router;
  private final Transport transport;
  private final Observers observers;
  private final Lifecycle life;

  /** The bus's interceptors, or null when it has none (then publishing pays nothing for them). */
  private final Interceptors interceptors;

  Publisher(
      Router router,
      Transport transport,
      Observers observers,
      Lifecycle life,
      Interceptors interceptors) {
    this.router = router;
    this.transport = transport;
    this.observers = observers;
    this.life = life;
    this.interceptors = interceptors;
  }

  /** Publishes entering and leaving the bus; close() waits until none is inside. */
  PublishGate gate() {
    return gate;
  }

  /**
   * Publishes {@code event} to the subscriptions that match it, or, when {@code only} is not null,
   * to those of them named {@code only}. {@code what} names the operation in a refusal.
   */
  CompletableFuture<PublishResult> publish(Event<?> event, String only, String what) {
    if (interceptors == null) {
      return publishHere(event, only, what);
    }
    Event<?> e = interceptors.onPublish(event);
    CompletableFuture<PublishResult> f;
    try {
      f = publishHere(e, only, what);
    } catch (RuntimeException | Error failure) {
      interceptors.onPublished(e, failure);
      throw failure;
    }
    interceptors.onPublished(e, f.isCompletedExceptionally() ? failureOf(f) : null);
    return f;
  }

  private CompletableFuture<PublishResult> publishHere(Event<?> event, String only, String what) {
    PublishGate.Cell in = enter(what);
    try {
      return tracked(event, only, null);
    } finally {
      in.exit();
    }
  }

  /**
   * The body of a tracked publish, inside the gate. {@code batch}: where lanes to schedule later
   * are collected, for an event of a batch; null for a single publish.
   */
  private CompletableFuture<PublishResult> tracked(Event<?> event, String only, LaneBatch batch) {
    try {
      if (transport == null) {
        return router.route(event, true, false, only, batch).future;
      }
      CompletableFuture<Void> stored = storeUnobserved(event);
      Tracker t;
      try {
        t = router.route(event, true, true, only, batch);
      } catch (MailboxFullException e) {
        observed(event, stored); // stored all the same: a failure to store still counts
        throw e;
      }
      PublishResult routed = t.future.getNow(null);
      if (routed != null) {
        // Nothing in process took it (durable subscribers only, the usual case on a storing
        // transport): one stage that observes the store and yields the result, not two.
        return stored.handle(
            (v, failure) -> {
              if (failure != null) {
                observers.storeFailed(transport.name(), event, failure);
                throw failure instanceof CompletionException c
                    ? c
                    : new CompletionException(failure);
              }
              observers.stored();
              return routed;
            });
      }
      return observed(event, stored).thenCombine(t.future, (v, r) -> r);
    } catch (MailboxFullException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Publishes a batch, tracked; see {@link dev.herald.EventBus#publishAll}. */
  List<CompletableFuture<PublishResult>> publishAll(List<? extends Event<?>> events) {
    Event<?>[] batch = batchOf(events);
    if (interceptors == null) {
      return publishAllHere(batch);
    }
    intercept(batch);
    List<CompletableFuture<PublishResult>> results;
    try {
      results = publishAllHere(batch);
    } catch (RuntimeException | Error failure) {
      for (Event<?> e : batch) {
        interceptors.onPublished(e, failure);
      }
      throw failure;
    }
    for (int i = 0; i < batch.length; i++) {
      CompletableFuture<PublishResult> f = results.get(i);
      interceptors.onPublished(batch[i], f.isCompletedExceptionally() ? failureOf(f) : null);
    }
    return results;
  }

  /**
   * Replaces each event of {@code batch} by what the interceptors make of it. If they refuse one,
   * those already intercepted hear that the batch failed.
   */
  private void intercept(Event<?>[] batch) {
    for (int i = 0; i < batch.length; i++) {
      try {
        batch[i] = interceptors.onPublish(batch[i]);
      } catch (RuntimeException | Error failure) {
        for (int j = 0; j < i; j++) {
          interceptors.onPublished(batch[j], failure);
        }
        throw failure;
      }
    }
  }

  private List<CompletableFuture<PublishResult>> publishAllHere(Event<?>[] batch) {
    if (batch.length == 0) {
      return List.of();
    }
    List<CompletableFuture<PublishResult>> results = new ArrayList<>(batch.length);
    PublishGate.Cell in = enter("publishAll");
    LaneBatch lanes = new LaneBatch();
    int entered = 1;
    try {
      for (int i = 0; i < batch.length; i++) {
        if (i > 0) {
          in.enterOneMore();
          entered++;
        }
        int run = run(batch, i, lanes, results, in);
        if (run > 0) {
          entered += run - 1;
          i += run - 1;
          continue;
        }
        results.add(tracked(batch[i], null, lanes));
      }
    } finally {
      lanes.scheduleAll();
      in.exit(entered);
    }
    return Collections.unmodifiableList(results);
  }

  /**
   * On a bus that stores nothing, writes the run of a batch's events from {@code batch[i]} on that
   * go to one place only (a ring, or one subscription's own mailbox), with one claim (see {@link
   * Router#writeRun}), and counts its events after the first in at the gate, the caller having
   * counted the first. Returns the run's length; 0 when {@code batch[i]} is to be published on its
   * own.
   */
  private int run(
      Event<?>[] batch,
      int i,
      LaneBatch lanes,
      List<CompletableFuture<PublishResult>> futures,
      PublishGate.Cell in) {
    if (transport != null) {
      return 0; // A storing bus hands each event to its transport before routing it.
    }
    int run = router.writeRun(batch, i, lanes, futures);
    for (int k = 1; k < run; k++) {
      in.enterOneMore();
    }
    return run;
  }

  /** Publishes {@code event} untracked; see {@link dev.herald.EventBus#emit}. */
  void emit(Event<?> event) {
    if (interceptors == null) {
      emitHere(event);
      return;
    }
    Event<?> e = interceptors.onPublish(event);
    try {
      emitHere(e);
    } catch (RuntimeException | Error failure) {
      interceptors.onPublished(e, failure);
      throw failure;
    }
    interceptors.onPublished(e, null);
  }

  private void emitHere(Event<?> event) {
    PublishGate.Cell in = enter("emit");
    try {
      untracked(event, null);
    } finally {
      in.exit();
    }
  }

  /** The body of an emit, inside the gate; {@code batch} as for {@link #tracked}. */
  private void untracked(Event<?> event, LaneBatch batch) {
    if (transport != null) {
      CompletableFuture<Void> stored = store(event);
      if (stored.isCompletedExceptionally()) {
        // Refused at once (a full append queue, say): the emitter hears of it, as a publisher
        // would. It was handed to the transport and reached no subscription: stored only (and,
        // through store(), storeFailed), never routed.
        observers.storedOnly();
        throw new StoreRefusedException(transport.name(), event, failureOf(stored));
      }
    }
    router.route(event, false, transport != null, null, batch);
  }

  /** Publishes a batch, untracked; see {@link dev.herald.EventBus#emitAll}. */
  void emitAll(List<? extends Event<?>> events) {
    Event<?>[] batch = batchOf(events);
    if (interceptors == null) {
      emitAllHere(batch, null);
      return;
    }
    intercept(batch);
    int[] reached = new int[1];
    try {
      emitAllHere(batch, reached);
    } catch (BatchRefusedException refused) {
      boolean[] failed = new boolean[batch.length];
      for (int i : refused.refused()) {
        failed[i] = true;
      }
      for (int i = 0; i < batch.length; i++) {
        interceptors.onPublished(batch[i], failed[i] ? refused : null);
      }
      throw refused;
    } catch (StoreRefusedException refused) {
      // The events before the refused one were published, but for those a mailbox refused.
      boolean[] failed = new boolean[batch.length];
      BatchRefusedException before = null;
      for (Throwable t : refused.getSuppressed()) {
        if (t instanceof BatchRefusedException b) {
          before = b;
          for (int i : b.refused()) {
            failed[i] = true;
          }
        }
      }
      for (int i = 0; i < batch.length; i++) {
        interceptors.onPublished(batch[i], i >= reached[0] ? refused : failed[i] ? before : null);
      }
      throw refused;
    } catch (RuntimeException | Error failure) {
      for (Event<?> e : batch) {
        interceptors.onPublished(e, failure);
      }
      throw failure;
    }
    for (Event<?> e : batch) {
      interceptors.onPublished(e, null);
    }
  }

  /**
   * The body of {@code emitAll}. {@code reached}: when not null, its element is set to the index of
   * each event as it is published, so a caller learns where a {@link StoreRefusedException} stopped
   * the batch.
   */
  private void emitAllHere(Event<?>[] batch, int[] reached) {
    if (batch.length == 0) {
      return;
    }
    PublishGate.Cell in = enter("emitAll");
    LaneBatch lanes = new LaneBatch();
    int entered = 1;
    List<Integer> refused = null;
    MailboxFullException first = null;
    try {
      for (int i = 0; i < batch.length; i++) {
        if (i > 0) {
          in.enterOneMore();
          entered++;
        }
        if (reached != null) {
          reached[0] = i;
        }
        int run = run(batch, i, lanes, null, in);
        if (run > 0) {
          entered += run - 1;
          i += run - 1;
          continue;
        }
        try {
          untracked(batch[i], lanes);
        } catch (MailboxFullException e) {
          if (first == null) {
            first = e;
            refused = new ArrayList<>();
          }
          refused.add(i);
        }
      }
    } catch (StoreRefusedException e) {
      if (first != null) {
        e.addSuppressed(new BatchRefusedException(batch.length, refused, first));
      }
      throw e;
    } finally {
      // Once per batch: each lane is woken at most once, after the batch is in its mailbox.
      lanes.scheduleAll();
      in.exit(entered);
    }
    if (first != null) {
      throw new BatchRefusedException(batch.length, refused, first);
    }
  }

  /** The events of a batch, checked before any is published. */
  private static Event<?>[] batchOf(List<? extends Event<?>> events) {
    Event<?>[] batch = Objects.requireNonNull(events, "events").toArray(new Event<?>[0]);
    for (int i = 0; i < batch.length; i++) {
      if (batch[i] == null) {
        throw new NullPointerException("events[" + i + "]");
      }
    }
    return batch;
  }

  /**
   * Publishes an event of Herald's own, also while closing (dead letters, replies). Returns the
   * store's future when it is stored, else null.
   */
  CompletableFuture<Void> emitInternal(Event<?> event) {
    PublishGate.Cell in = gate.enter();
    try {
      // Dead letters outlive a restart when the transport stores events; replies never do.
      boolean storing = transport != null && DeadLetter.TYPE.equals(event.type());
      if (!storing) {
        router.route(event, false, false, null, null);
        return null;
      }
      CompletableFuture<Void> stored = store(event);
      try {
        router.route(event, false, true, null, null);
      } catch (MailboxFullException e) {
        // Counted and reported as a drop at the dead-letter subscription that refused it.
      }
      return stored;
    } finally {
      in.exit();
    }
  }

  private PublishGate.Cell enter(String what) {
    PublishGate.Cell in = gate.enter();
    // Checked after counting in: close() sets the flag, then waits for the counts to agree.
    // While close drains, handlers may still publish: their events are part of the flow in flight.
    if (life.isClosed() && (life.isAbandoned() || Lane.CURRENT.get() == null)) {
      observers.refusedClosed();
      in.exit();
      throw new BusClosedException(what);
    }
    return in;
  }

  /**
   * Stores an event with the transport. A failure is counted and reported to the listener; the
   * returned future carries it to a tracked publisher.
   */
  private CompletableFuture<Void> store(Event<?> event) {
    return observed(event, storeUnobserved(event));
  }

  /**
   * The transport's future for storing {@code event}; nobody counts its failure yet. Published by a
   * handler of a stored event, on its delivery thread, the store is one of that event's effects:
   * the lane acknowledges the event only once it completes.
   */
  private CompletableFuture<Void> storeUnobserved(Event<?> event) {
    CompletableFuture<Void> f;
    try {
      f = transport.store(event);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    Lane lane = Lane.CURRENT.get();
    if (lane != null) {
      lane.effect(f);
    }
    return f;
  }

  private CompletableFuture<Void> observed(Event<?> event, CompletableFuture<Void> stored) {
    return stored.whenComplete(
        (v, t) -> {
          if (t != null) {
            observers.storeFailed(transport.name(), event, t);
          } else {
            observers.stored();
          }
        });
  }

  /** The failure of a future that completed exceptionally. */
  private static Throwable failureOf(CompletableFuture<?> failed) {
    try {
      failed.join();
      throw new IllegalStateException("not failed: " + failed);
    } catch (CompletionException | CancellationException e) {
      return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
  }
}
