package dev.herald.internal;

import dev.herald.Delivery;
import dev.herald.Event;
import dev.herald.PublishResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Follows one tracked publish to the end: one slot per matching subscription, filled by whichever
 * thread finishes that delivery; the last one completes the future. Thread-safe.
 */
final class Tracker {
  final Event<?> event;
  final CompletableFuture<PublishResult> future = new CompletableFuture<>();
  private final Delivery[] slots;
  // Starts one above the slot count; the publisher releases that extra count after routing, so the
  // future cannot complete while routing is still adding slots.
  private final AtomicInteger remaining;

  Tracker(Event<?> event, int maxSlots) {
    this.event = event;
    this.slots = new Delivery[maxSlots];
    this.remaining = new AtomicInteger(maxSlots + 1);
  }

  /** Fills slot {@code index}; the decrement publishes the write to the completing thread. */
  void complete(int index, Delivery delivery) {
    slots[index] = delivery;
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
    if (remaining.decrementAndGet() == 0) {
      List<Delivery> done = new ArrayList<>(slots.length);
      for (Delivery d : slots) {
        if (d != null) {
          done.add(d);
        }
      }
      future.complete(new PublishResult(event, done));
    }
  }

  /** One tracked event queued in a lane. */
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
