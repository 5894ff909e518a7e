package dev.herald.internal;

import dev.herald.Delivery;
import dev.herald.Event;
import dev.herald.PublishResult;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Follows one tracked publish to the end: one slot per matching subscription, filled by whichever
 * thread finishes that delivery; the last one completes the future. Thread-safe.
 *
 * <p>Built for few objects per publish, since one is made for every tracked event: the tracker is
 * itself the queued item of slot 0 (the only slot of a publish with one subscriber), and counts
 * with a field of its own rather than an {@code AtomicInteger}.
 */
final class Tracker implements Completion {
  private static final VarHandle REMAINING;

  static {
    try {
      REMAINING = MethodHandles.lookup().findVarHandle(Tracker.class, "remaining", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Event<?> event;
  private final boolean stored;
  private final boolean unrouted;
  final CompletableFuture<PublishResult> future = new CompletableFuture<>();
  // Slot 0, and slots 1.. when there are more (null otherwise). Plain writes: each is published
  // to the completing thread by the decrement that follows it.
  private Delivery first;
  private final Delivery[] others;

  // Starts one above the slot count; the publisher releases that extra count after routing, so the
  // future cannot complete while routing is still adding slots.
  @SuppressWarnings("unused") // Through REMAINING.
  private volatile int remaining;

  /**
   * @param stored whether the event is handed to the transport; the publisher completes the future
   *     it returns only once the store succeeded
   * @param unrouted whether the slots are those of the unrouted channel
   */
  Tracker(Event<?> event, int maxSlots, boolean stored, boolean unrouted) {
    this.event = event;
    this.stored = stored;
    this.unrouted = unrouted;
    this.others = maxSlots > 1 ? new Delivery[maxSlots - 1] : null;
    REMAINING.set(this, maxSlots + 1); // Published with the tracker itself (the queue's release).
  }

  /** The object to queue for slot {@code index}. */
  Completion item(int index) {
    return index == 0 ? this : new Item(this, index);
  }

  @Override
  public Event<?> event() {
    return event;
  }

  /** Completes slot 0. */
  @Override
  public void complete(Delivery delivery) {
    complete(0, delivery);
  }

  /** Fills slot {@code index}; the decrement publishes the write to the completing thread. */
  void complete(int index, Delivery delivery) {
    if (index == 0) {
      first = delivery;
    } else {
      others[index - 1] = delivery;
    }
    countDown();
  }

  /** Releases a slot that no subscription took (it closed during routing). */
  void skip() {
    countDown();
  }

  /** Called once by the publisher when routing is over. */
  void routed() {
    countDown();
  }

  private void countDown() {
    // Full fence: the last thread down sees every slot written before each decrement.
    if ((int) REMAINING.getAndAdd(this, -1) == 1) {
      future.complete(new PublishResult(event, deliveries(), stored, unrouted));
    }
  }

  /** The filled slots, as an immutable list that PublishResult keeps without copying. */
  private List<Delivery> deliveries() {
    if (others == null) {
      return first == null ? List.of() : List.of(first);
    }
    int n = first == null ? 0 : 1;
    for (Delivery d : others) {
      if (d != null) {
        n++;
      }
    }
    Delivery[] done = new Delivery[n];
    int i = 0;
    if (first != null) {
      done[i++] = first;
    }
    for (Delivery d : others) {
      if (d != null) {
        done[i++] = d;
      }
    }
    return List.of(done);
  }

  /** The queued item of slot 1 and later. */
  static final class Item implements Completion {
    private final Tracker tracker;
    private final int index;

    Item(Tracker tracker, int index) {
      this.tracker = tracker;
      this.index = index;
    }

    @Override
    public Event<?> event() {
      return tracker.event;
    }

    @Override
    public void complete(Delivery delivery) {
      tracker.complete(index, delivery);
    }
  }
}
