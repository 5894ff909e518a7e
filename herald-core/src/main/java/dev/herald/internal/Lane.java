package dev.herald.internal;

import dev.herald.Backpressure;
import dev.herald.Delivery;
import dev.herald.DropReason;
import dev.herald.Event;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One mailbox of a subscription and the loop that drains it: the unit of ordering. Publishers on
 * any thread {@link #offer} into its bounded queue; at most one thread at a time runs {@link
 * #run()}, scheduled on the subscription's executor when the lane goes from idle to busy. The drain
 * loop hands each event to the handler, outside any lock, and owns the lane's counters (single
 * writer).
 *
 * <p>A failed event waiting for its retry stays at the head of the lane: the lane is "waiting for a
 * retry" and holds no thread; the timer resubmits it when the delay is over.
 *
 * <p>Whoever moves the state away from idle (or from waiting for a retry) owns the lane until it
 * moves it back: that single owner is what lets the mailbox be single-consumer, except under the
 * drop-oldest policy, whose publishers evict from the head themselves.
 *
 * <p>An event is handed to the handler only once its publisher has offered it to every matching
 * mailbox ({@link RoutingMarks}), so that what the handler publishes in reaction cannot reach
 * another subscription before the event itself. A lane that takes an event still being routed spins
 * for a moment (the publisher is a few offers away); if the publisher is still routing then (it may
 * wait for room in another subscription's full mailbox, under the block policy), the lane keeps the
 * event at its head ("held") and gives its thread back, and the publisher wakes it once its last
 * offer is made. So lanes waiting for routing never hold the workers that the full mailbox needs to
 * drain, and nothing polls meanwhile.
 *
 * <p>An event fed by a transport ({@link Completion.Ack}) is acknowledged only once the stores of
 * what its handler published on this thread, and of its dead letter, have completed: the drainer
 * waits for them after the handler returns (so the lane's throughput is bounded by the transport's
 * store latency when a durable handler publishes), and a failed one fails the delivery. Other items
 * collect nothing.
 *
 * <p>The fields live in {@link LaneFields}, the publishers' and the drainer's on cache lines of
 * their own.
 */
final class Lane extends LaneFields.PadAfter implements Runnable {
  private static final VarHandle COUNTER;
  private static final VarHandle STATE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      COUNTER = l.findVarHandle(LaneFields.DrainerSide.class, "delivered", long.class);
      STATE = l.findVarHandle(LaneFields.PublisherSide.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The lane the current thread is draining, so re-entrant publishes never block. */
  static final ThreadLocal<Lane> CURRENT = new ThreadLocal<>();

  private static final int IDLE = 0;
  private static final int SCHEDULED = 1;
  private static final int RETRY_WAIT = 2;

  /** Holding an event whose publisher is still routing it, until that publisher wakes the lane. */
  private static final int HELD = 3;

  /**
   * How long a lane may keep a thread while other lanes wait for one: 10 ms. Then it goes to the
   * back of the executor's queue, so that a subscription whose handler is slow holds a thread for
   * one slice at a time, and an event for another subscription waits for a few slices, not for a
   * slow subscription's whole mailbox. A handler call is never cut short: a lane whose calls take
   * longer than the slice yields after each call. When nobody waits for a thread the lane keeps it
   * and starts a new slice. A {@link dev.herald.TimeSource} whose clock stands still never ends a
   * slice. Why not 1 ms: durable handlers that wait a millisecond or two for their effects' stores
   * then yielded after every call, and the Kafka shop's back office finished its share 30% later
   * (KafkaShopProcessesTest's take-over: 32 to 36 s against 25 to 27 s with the 256-delivery batch,
   * and 22 s with 10 ms, on the same loaded machine).
   */
  static final long TIME_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /**
   * The most deliveries between two reads of the clock. Reading it costs about 20 ns, against 50 to
   * 100 ns for a whole no-op delivery, so a fast lane reads it once in this many. The stride halves
   * after a stride that took more than a quarter of the slice and doubles after one that took less
   * than a sixteenth, and a handler whose last timed call was slow ({@code timeEveryCall}) has the
   * clock read after every call: a lane overruns its slice by about one stride.
   */
  static final int MAX_CHECK_EVERY = 256;

  private static final long SLOW_STRIDE_NANOS = TIME_SLICE_NANOS / 4;
  private static final long QUICK_STRIDE_NANOS = TIME_SLICE_NANOS / 16;

  /**
   * A handler this slow (or slower) is timed on every call: two clock reads cost about 50 ns, noise
   * beside it. Faster handlers are timed one call in {@link #SAMPLE_EVERY}, and those whose last
   * timed call took less than {@link #QUICK_CALL_NANOS} one call in {@link #SPARSE_SAMPLE_EVERY}.
   */
  private static final long TIME_EVERY_CALL_NANOS = 2_000;

  private static final int SAMPLE_EVERY = 16;

  /**
   * A handler call this quick is timed one call in {@link #SPARSE_SAMPLE_EVERY}: at one in 16, the
   * clock reads (about 24 ns each here) took a fifth of the delivery threads' time in a 1-to-4 run
   * of no-op handlers (perf, {@code __vdso_clock_gettime} under {@code deliver}). One call in 128
   * of millions still fills the latency histogram, and a slow call switches back at once.
   */
  private static final long QUICK_CALL_NANOS = 1_000;

  private static final int SPARSE_SAMPLE_EVERY = 128;

  /** How many store futures of one delivery are kept before the stored ones are forgotten. */
  private static final int COMPACT_EFFECTS_AT = 1024;

  /** How many times a lane looks at an event still being routed before giving its thread back. */
  private static final int ROUTING_SPINS = 256;

  /**
   * How many events a turn takes before an empty mailbox makes it yield once rather than go idle at
   * once (see drain).
   */
  private static final int YIELD_AFTER = 64;

  /** The least wait before delivering again an event whose dead letter could not be stored. */
  private static final long DEAD_LETTER_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  Lane(SubscriptionImpl sub, int capacity, Executor executor) {
    // Drop-oldest publishers poll to evict, so only that policy needs a multi-consumer queue.
    super(
        sub,
        sub.backpressure.kind() == Backpressure.Kind.DROP_OLDEST
            ? new MpmcArrayQueue(capacity)
            : new MpscArrayQueue(capacity),
        executor);
  }

  /** A lane that drains {@code mailbox}, which no publisher offers to: a ring member, say. */
  Lane(SubscriptionImpl sub, Mailbox mailbox, Executor executor) {
    super(sub, mailbox, executor);
  }

  private boolean casState(int expect, int update) {
    return STATE.compareAndSet(this, expect, update);
  }

  /** Queues an item and makes sure a drain is scheduled. False if the mailbox is full. */
  boolean offer(Object item) {
    if (!queue.offer(item)) {
      return false;
    }
    schedule();
    return true;
  }

  /**
   * Queues an item without scheduling a drain: the publisher calls {@link #scheduleIfQueued()} once
   * it has offered its event (or batch) everywhere. False if the mailbox is full.
   */
  boolean enqueue(Object item) {
    return queue.offer(item);
  }

  /** Schedules a drain if something is queued and none is scheduled. */
  void scheduleIfQueued() {
    // The CAS makes exactly one publisher submit the drain when the lane goes busy.
    if (state == IDLE && !queue.isEmpty() && casState(IDLE, SCHEDULED)) {
      submit();
    }
  }

  /**
   * Called by a publisher once it has ended the routing mark of {@code event}, which it queued
   * here: wakes the lane if it holds that event for its routing to end.
   */
  void routed(Event<?> event) {
    // Read after the mark's end (a full fence): if the lane stored HELD after the end, its own
    // re-check of the mark sees the end; if before, this read sees HELD.
    if (state == HELD && heldEvent == event && casState(HELD, SCHEDULED)) {
      submit();
    }
  }

  /** Makes sure a drain is scheduled; call only once something is queued. */
  void schedule() {
    // The CAS makes exactly one publisher submit the drain when the lane goes busy.
    if (state == IDLE && casState(IDLE, SCHEDULED)) {
      submit();
    }
  }

  /** Called by the timer when a retry's delay is over. */
  void retryDue() {
    // Fails only if close() took the lane over meanwhile to drop what it holds.
    if (casState(RETRY_WAIT, SCHEDULED)) {
      submit();
    }
  }

  private void submit() {
    try {
      executor.execute(this);
    } catch (RejectedExecutionException e) {
      // The executor is shut down: the bus is closing. What is queued is accounted for at close.
      state = IDLE;
      sub.engine.laneIdle();
    }
  }

  /**
   * Waits for room and queues the item, up to {@code timeoutNanos}. False on timeout or when the
   * bus closes meanwhile.
   */
  boolean offerBlocking(Object item, long timeoutNanos) throws InterruptedException {
    // By the bus's clock, so that a block timeout passes when a virtual clock passes it.
    long deadline = sub.time.nanoTime() + timeoutNanos;
    for (; ; ) {
      if (offer(item)) {
        return true;
      }
      long remaining = deadline - sub.time.nanoTime();
      if (remaining <= 0 || sub.engine.isClosed()) {
        return false;
      }
      awaitRoom(deadline);
    }
  }

  /**
   * Waits, on the publisher's thread, until this lane's mailbox has room to wake for (see {@link
   * #hasRoomToWake}), the bus closes, or {@code deadline} passes on the bus's clock; the caller
   * then tries again. A full ring's publisher waits here on the lane of the member that holds it
   * back.
   */
  void awaitRoom(long deadline) throws InterruptedException {
    synchronized (room) {
      // Checked under the monitor after counting this waiter: the drainer reads waiters after it
      // takes an event, and wakes them once there is room for a run of events.
      waiters++;
      int round = wakeRound;
      try {
        if (!hasRoomToWake() && !sub.engine.isClosed()) {
          sub.time.waitUntil(room, deadline);
        }
      } finally {
        // A waker that ended this round uncounted every waiter at once; otherwise (room found,
        // time-out, interrupt, spurious wake-up) this waiter uncounts itself.
        if (wakeRound == round) {
          waiters--;
        }
      }
    }
  }

  /**
   * Whether the mailbox has room for an eighth of its capacity (at least one event): what a blocked
   * publisher waits for, and what the drainer wakes it for. Woken at the first free slot, a
   * publisher queued one event and waited again, and the drainer paid a wake-up per event it took
   * (a monitor and a notify each, a fifth of the drainers' time in a 1-to-4 run). A publisher whose
   * timeout passes meanwhile still takes whatever room there is.
   */
  boolean hasRoomToWake() {
    int capacity = queue.capacity();
    return capacity - queue.size() >= Math.max(1, capacity >>> 3);
  }

  /**
   * Wakes the publishers waiting for room, once: they are uncounted here, so that the drainer,
   * which reads {@code waiters} after each event it takes, stops calling until one waits again.
   * Counted until they ran, they had it call once per event taken until the woken publisher got the
   * monitor back (from the drainer calling again), thousands of times per wait in a 1-to-1 run.
   */
  void wakeWaiters() {
    synchronized (room) {
      if (waiters != 0) {
        waiters = 0;
        wakeRound++;
        room.notifyAll();
      }
    }
  }

  /**
   * One turn of the lane on the calling thread: delivers until the mailbox is empty, a retry is due
   * later, or the {@linkplain #TIME_SLICE_NANOS time slice} is used up while other work waits. A
   * handler's failure, a JVM error included, never leaves the turn (see {@link #jvmError}). An
   * error from Herald's own bookkeeping (out of memory while completing an event, say) reaches the
   * executor, which reports it; the lane is submitted again first if it is still this thread's, so
   * that it is never left scheduled with nobody to run it.
   */
  @Override
  public void run() {
    Lane previous = CURRENT.get();
    CURRENT.set(this);
    owned = true;
    try {
      drain();
    } catch (Throwable t) {
      if (owned) {
        owned = false;
        submit();
      }
      throw t;
    } finally {
      CURRENT.set(previous);
    }
  }

  private void drain() {
    sliceStarted = false;
    if (retryItem != null) {
      Object item = retryItem;
      retryItem = null;
      boolean held = heldForRouting;
      heldForRouting = false;
      if (held && !routingDone(item)) {
        // Woken, yet still being routed: by another thread publishing the same event instance,
        // whose mailboxes may not include this one (another lane of a subscription with
        // concurrency), so no wake-up may come; or by a wake-up that was meant for an earlier hold
        // of this lane and came late (see hold). Rare: go round the executor's queue instead.
        retryItem = item;
        heldForRouting = true;
        submit();
        return;
      }
      heldEvent = null;
      if (!deliver(item, retryAttempts)) {
        return;
      }
    }
    int taken = 0; // events this turn took from the mailbox
    boolean yielded = false; // whether this turn yielded its core since it last took an event
    for (; ; ) {
      if ((--checkLeft <= 0 || timeEveryCall) && sliceUsedUp()) {
        if (sub.engine.othersWaiting(executor)) {
          // Other lanes wait for a thread: give them their turn, and queue behind them.
          owned = false;
          submit();
          return;
        }
        // Nobody waits: keep this thread rather than paying a hand-off to another one.
      }
      // No spinning on an empty mailbox: at most one yield, then the thread goes back to the pool.
      // A drainer that spun for the next event (64 pauses, a few microseconds) kept a core busy
      // between events at high rates, and on a small machine whatever else needed that core then
      // preempted a spinner: at 1,000,000 events/s on two cores, p99 went from about 60 us without
      // spinning to 600-800 us with it (LatencyAtFixedRate). A yield gives the core to any thread
      // that wants it and costs nothing when none does; going idle at once, a lane that kept up
      // with its publisher went idle between events, and the publisher paid an unpark for nearly
      // every batch. With the yield (two cores, three JVMs each, before/after): 1->1 at 10.6-11.6
      // M events/s before, 12.7-13.0 after; 1->4 0.58-0.65x the Disruptor before, 0.70-0.79x
      // after. Only a turn that took YIELD_AFTER events yields: at a moderate rate a turn takes a
      // handful, and a lane yielding after each of them would keep a second core busy.
      Object item = queue.poll();
      if (item == null) {
        if (!lingered && sub.engine.poolHasQueued(executor)) {
          // Empty, with other lanes queued for a thread: go behind them once rather than idle.
          // Publishers meanwhile find this lane scheduled and queue without waking it, and its
          // next turn takes what they queued in one go. Going idle at once, a lane that keeps up
          // with its publisher was woken for nearly every event: in a 1-to-4 run the publisher
          // spent most of its time scheduling lanes, whose turns each delivered one event.
          lingered = true;
          owned = false;
          submit();
          return;
        }
        if (!yielded && taken >= YIELD_AFTER) {
          // Empty after a run of events: offer the core to whatever else wants it, once, then
          // look again. Under a sustained flow the publisher has queued more by then, and the lane
          // goes on without the publisher paying a wake-up (an unpark, a system call) for the
          // next event. A turn with only a few events (a moderate rate, where each wake-up finds
          // a handful queued) goes idle at once, leaving the core free.
          yielded = true;
          Thread.yield();
          continue;
        }
        yielded = false;
        lingered = false;
        owned = false;
        state = IDLE;
        // The volatile store above fenced this thread's head updates: a publisher that saw a full
        // mailbox before they were visible may have started waiting, and is owed a wake-up.
        if (waiters != 0) {
          wakeWaiters();
        }
        // Re-check after going idle: a publisher may have queued just before seeing IDLE.
        if (queue.isEmpty() || !casState(IDLE, SCHEDULED)) {
          sub.engine.laneIdle();
          return;
        }
        owned = true;
        continue;
      }
      taken++;
      if (waiters != 0 && hasRoomToWake()) {
        wakeWaiters();
      }
      if (sub.engine.isAbandoned()) {
        dropClosed(item);
        continue;
      }
      if (!routingDone(item)) {
        hold(item);
        return;
      }
      lingered = false;
      yielded = false;
      if (!deliver(item, 0)) {
        return;
      }
    }
  }

  /**
   * Whether the publisher of {@code item} has offered it to every mailbox it routes it to; spins a
   * moment for it to finish.
   */
  private static boolean routingDone(Object item) {
    Event<?> event;
    if (item instanceof Event<?> e) { // class tests only: see Completion.eventOf
      event = e;
    } else if (item instanceof Completion.Ack) {
      return true; // Fed from the store, not routed: a mark on its event is another publish's.
    } else {
      event = ((Completion) item).event();
    }
    if (!RoutingMarks.inProgress(event)) {
      return true;
    }
    for (int i = 0; i < ROUTING_SPINS; i++) {
      Thread.onSpinWait();
      if (!RoutingMarks.inProgress(event)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Keeps {@code item}, still being routed, at the head of the lane and gives the thread back,
   * until its publisher ends routing and wakes the lane ({@link #routed}). The lane always stops
   * here: when the routing ended meanwhile, this thread wakes the lane itself, as the publisher
   * would, and a new run delivers the item.
   *
   * <p>Why this thread never takes the lane back and delivers inline: between its read of the mark
   * and its CAS from HELD, the publisher may have woken the lane, another thread delivered the item
   * and went on to hold a later event, so that the lane is HELD again (ABA). A CAS that took the
   * lane back then delivered the item twice and forgot the later one (seen once in CI, under
   * preemption on two cores). A wake-up is safe whichever hold it ends: a run that finds its held
   * item still being routed goes round the executor's queue (see {@link #drain}).
   */
  private void hold(Object item) {
    Event<?> event = Completion.eventOf(item);
    retryItem = item;
    retryAttempts = 0;
    heldForRouting = true;
    heldEvent = event;
    owned = false; // Before HELD: once held, the publisher's wake-up may hand the lane to another.
    state = HELD;
    // Read after the store of HELD (sequentially consistent): either this read sees the mark gone,
    // or the publisher, reading the state after ending the mark, sees HELD and wakes the lane.
    if (!RoutingMarks.inProgress(event) && casState(HELD, SCHEDULED)) {
      submit();
    }
  }

  /**
   * Reads the clock and says whether this turn's slice is over; adapts how many deliveries go by
   * until the next read. The first read of a turn starts its slice. When the slice is over, the
   * next one starts now (it is used if nobody waits for the thread).
   */
  private boolean sliceUsedUp() {
    long now = clock.nanoTime();
    if (!sliceStarted) {
      sliceStarted = true;
      sliceStart = now;
      lastCheck = now;
      checkLeft = checkEvery;
      return false;
    }
    long stride = now - lastCheck;
    lastCheck = now;
    if (stride > SLOW_STRIDE_NANOS) {
      checkEvery = Math.max(1, checkEvery >>> 1);
    } else if (stride < QUICK_STRIDE_NANOS) {
      checkEvery = Math.min(MAX_CHECK_EVERY, checkEvery << 1);
    }
    checkLeft = checkEvery;
    if (now - sliceStart < TIME_SLICE_NANOS) {
      return false;
    }
    sliceStart = now;
    return true;
  }

  /**
   * Calls the handler once for {@code item}. True when the item is finished (handled or
   * dead-lettered); false when a retry was scheduled and the lane must stop until it fires.
   */
  private boolean deliver(Object item, int attemptsSoFar) {
    int attempt = attemptsSoFar + 1;
    boolean timed = timeThisCall();
    if (!timed && item instanceof Event<?> plain) {
      // The common case, an event of an untracked publish, untimed: nothing to collect, complete or
      // report. Its own path keeps the drainer's work per delivery to the call and the counter:
      // the general path below reads and writes lane fields around the handler call, which the
      // JIT cannot keep in registers across it (see docs/design.md, "A delivery's own cost").
      try {
        sub.invoke(plain);
      } catch (Throwable t) {
        return handlerThrew(item, plain, t, attempt);
      }
      COUNTER.setRelease(this, delivered + 1);
      return true;
    }
    Event<?> event = Completion.eventOf(item);
    // A stored event is acknowledged only once what its handler publishes is stored too.
    boolean stored = item instanceof Completion.Ack;
    long start = timed ? sub.time.nanoTime() : 0L;
    Throwable thrown = null;
    try {
      collecting = stored;
      sub.invoke(event);
    } catch (Throwable t) {
      thrown = t;
    } finally {
      collecting = false;
    }
    if (thrown != null) {
      if (stored && effects != null) {
        effects.clear(); // the failure decides already; what it published is not waited for
      }
      return handlerThrew(item, event, thrown, attempt);
    }
    long nanos = 0;
    if (timed) {
      nanos = sub.time.nanoTime() - start;
      latency.record(nanos);
      timeEveryCall = nanos >= TIME_EVERY_CALL_NANOS;
      sampleEvery = nanos < QUICK_CALL_NANOS ? SPARSE_SAMPLE_EVERY : SAMPLE_EVERY;
    }
    if (stored && effects != null && !effects.isEmpty()) {
      Throwable lost;
      try {
        lost = awaitEffects();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // close() gave up waiting: fed again after a restart
        dropClosed(item);
        return true;
      }
      if (lost != null) {
        // The store's failure is the delivery's: retried by the policy, then dead-lettered.
        return failed(item, event, lost, attempt);
      }
    }
    COUNTER.setRelease(this, delivered + 1);
    if (timed) {
      // As before sampling: the listener hears of a delivery once the counters show it.
      sub.engine.notifyHandled(sub.name, event, attempt, nanos);
    }
    if (!(item instanceof Event)) {
      ((Completion) item)
          .complete(
              attempt == 1
                  ? sub.handledFirstTime
                  : new Delivery(sub.name, Delivery.Outcome.HANDLED, attempt, null, null));
    }
    return true;
  }

  /**
   * Whether to read the clock around this handler call. Always when the bus listener wants each
   * call's latency or the handler is slow; otherwise one call in {@code sampleEvery}, so that a
   * handler of a few nanoseconds is not slowed down several times over by its own measurement.
   */
  private boolean timeThisCall() {
    if (timeEveryCall || listenerTimesCalls) {
      return true;
    }
    if (untimedLeft == 0) {
      untimedLeft = sampleEvery - 1;
      return true;
    }
    untimedLeft--;
    return false;
  }

  /** The handler threw {@code thrown} on {@code item}: its failure, a JVM error's included. */
  private boolean handlerThrew(Object item, Event<?> event, Throwable thrown, int attempt) {
    return thrown instanceof VirtualMachineError
        ? jvmError(item, event, (VirtualMachineError) thrown, attempt)
        : failed(item, event, thrown, attempt);
  }

  /**
   * A handler threw a JVM error ({@link StackOverflowError}, {@link OutOfMemoryError}, {@link
   * InternalError}...): it is that event's failure like any other (retried or dead-lettered by the
   * subscription's policy, counted, reported to the listener), and it is logged whoever observes
   * failures, and the lane goes on. It is not rethrown to the executor: the handler's frames are
   * gone, and a process that must end on running out of memory asks the JVM for it ({@code
   * -XX:+ExitOnOutOfMemoryError}), which acts where the allocation failed, caught or not. Rethrown,
   * it would have left the event unaccounted for, or ended the thread of an executor whose
   * uncaught-exception policy ends the process.
   */
  private boolean jvmError(Object item, Event<?> event, VirtualMachineError error, int attempt) {
    boolean finished = failed(item, event, error, attempt);
    sub.engine.warn(
        () ->
            "subscription '"
                + sub.name
                + "': its handler threw "
                + error.getClass().getName()
                + " on event id '"
                + event.id()
                + "' of type '"
                + event.type()
                + "' (attempt "
                + attempt
                + "); counted as the handler's failure for that event, "
                + (finished ? "and the subscription goes on" : "which is retried"),
        error);
    return finished;
  }

  private boolean failed(Object item, Event<?> event, Throwable cause, int attempt) {
    failed++;
    if (sub.engine.isAbandoned() || (cause instanceof InterruptedException && !sub.isActive())) {
      // Interrupted by close (the bus's, or its subscription's with its handler told to stop): the
      // event was left undelivered, not given up on; a stored one is fed again after a restart.
      dropClosed(item);
      return true;
    }
    boolean retry = !sub.engine.isAbandoned() && sub.retry.shouldRetry(cause, attempt);
    sub.engine.notifyFailure(sub.name, event, cause, attempt, retry);
    if (retry) {
      return retryLater(item, attempt, sub.retry.delayNanos(attempt, sub.engine.random()));
    }
    deadLettered++;
    boolean stored = item instanceof Completion.Ack;
    collecting = stored;
    try {
      // A stored event's dead letter keeps the event as stored (the subscription's class may have
      // dropped some of it in decoding).
      Event<?> dead = stored ? ((Completion.Ack) item).forDeadLetter() : event;
      sub.engine.deadLetter(sub, dead, cause, attempt);
    } finally {
      collecting = false;
    }
    if (stored && effects != null && !effects.isEmpty()) {
      Throwable lost;
      try {
        lost = awaitEffects();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        dropClosed(item);
        return true;
      }
      if (lost != null) {
        // Its dead letter is not stored, so it is not acknowledged: delivered again, later.
        return retryLater(
            item,
            attempt,
            Math.max(DEAD_LETTER_RETRY_NANOS, sub.retry.delayNanos(attempt, sub.engine.random())));
      }
    }
    Completion.complete(
        item, new Delivery(sub.name, Delivery.Outcome.DEAD_LETTERED, attempt, null, cause));
    return true;
  }

  /**
   * Records the store future of an event published on this thread while a stored event is being
   * handled or dead-lettered; the drainer waits for it before acknowledging. Drainer thread only.
   */
  void effect(CompletableFuture<?> stored) {
    if (!collecting) {
      return;
    }
    if (effects == null) {
      effects = new ArrayList<>();
    } else if (effects.size() >= COMPACT_EFFECTS_AT) {
      // A handler publishing many events: forget those already stored, keep the list short.
      effects.removeIf(f -> f.isDone() && !f.isCompletedExceptionally());
    }
    effects.add(stored);
  }

  /**
   * Waits until every collected store has completed, and forgets them. Returns the first failure,
   * or null when all were stored.
   */
  private Throwable awaitEffects() throws InterruptedException {
    Throwable lost = null;
    try {
      for (CompletableFuture<?> f : effects) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (lost == null) {
            lost = e.getCause() != null ? e.getCause() : e;
          }
        } catch (CancellationException e) {
          if (lost == null) {
            lost = e;
          }
        }
      }
    } finally {
      effects.clear();
    }
    return lost;
  }

  /** Keeps {@code item} at the head of the lane and delivers it again after {@code delay}. */
  private boolean retryLater(Object item, int attempt, long delay) {
    retryItem = item;
    retryAttempts = attempt;
    retried++;
    // Before scheduling: the timer may fire at once, and retryDue() expects this state.
    owned = false;
    state = RETRY_WAIT;
    if (sub.engine.scheduleRetry(this, delay)) {
      return false;
    }
    // The timer is gone: the bus was abandoned while this event was being handled.
    state = SCHEDULED;
    owned = true;
    retryItem = null;
    dropClosed(item);
    return true;
  }

  private void dropClosed(Object item) {
    droppedClosed++;
    sub.engine.notifyDropped(sub.name, Completion.eventOf(item), DropReason.CLOSED);
    Completion.complete(
        item, new Delivery(sub.name, Delivery.Outcome.DROPPED, 0, DropReason.CLOSED, null));
  }

  /**
   * Drops everything still queued, counted as closed, and returns how many events this lane leaves
   * undelivered in all. Called by the engine at the end of close. If a drainer still runs (a
   * handler outlived the close timeout) or is still queued on a user's executor, this lane stays
   * its own: that drainer drops what is left as it finds the bus abandoned, and the queued events
   * are counted here without being taken.
   */
  long abandon() {
    if (!casState(IDLE, SCHEDULED)
        && !casState(RETRY_WAIT, SCHEDULED)
        && !casState(HELD, SCHEDULED)) {
      return droppedClosed + queue.size();
    }
    if (retryItem != null) {
      Object item = retryItem;
      retryItem = null;
      dropClosed(item);
    }
    do {
      Object item;
      while ((item = queue.poll()) != null) {
        dropClosed(item);
      }
      state = IDLE;
      // Re-check after going idle, as drain() does: a late publisher may have seen us scheduled.
    } while (!queue.isEmpty() && casState(IDLE, SCHEDULED));
    return droppedClosed;
  }

  /** True when nothing is queued, nothing runs and no retry waits. */
  boolean isQuiet() {
    return state == IDLE && queue.isEmpty();
  }

  long delivered() {
    return (long) COUNTER.getAcquire(this);
  }

  long deadLettered() {
    return deadLettered;
  }

  long failed() {
    return failed;
  }

  long retried() {
    return retried;
  }

  long droppedClosed() {
    return droppedClosed;
  }
}
