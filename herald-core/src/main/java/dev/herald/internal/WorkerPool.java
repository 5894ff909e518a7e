package dev.herald.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The bus's own worker pool: a fixed number of threads running lanes, built for Herald's hand-off
 * pattern, where a publisher submits a lane each time the lane goes from idle to busy and the lane
 * returns its thread as soon as its mailbox is empty.
 *
 * <p>Why not a {@link java.util.concurrent.ThreadPoolExecutor}: its queue takes a lock on every
 * submission and every take, and its idle threads wait first-in first-out, so each hand-off woke
 * the thread idle the longest, whose cache was the coldest. Here:
 *
 * <ul>
 *   <li>Tasks go through a lock-free {@link MpmcArrayQueue}. A lane is queued at most once at a
 *       time (its state word lets one submitter through: the publisher that finds it idle, the
 *       retry timer, or the lane itself yielding after its time slice), so the queue holds at most
 *       one task per lane; it is sized for the usual number of lanes and spills into an unbounded
 *       {@link ConcurrentLinkedQueue} beyond, so that no submission ever fails for lack of room.
 *   <li>Idle workers wait on a stack, the most recently idle on top: the next hand-off goes to the
 *       thread whose caches still hold the lane, and under a light load the threads at the bottom
 *       stay asleep and eventually end.
 *   <li>{@link #execute} wakes a worker only if none is already searching the queue: a worker just
 *       woken counts as searching until it takes a task or goes back to sleep, so a burst of
 *       submissions costs one wake-up, not one per task. A searcher that takes a task while more
 *       are queued wakes the next worker itself, off the publisher's thread (as Go's scheduler and
 *       ForkJoinPool propagate signals).
 *   <li>No spinning: a worker that finds the queue empty goes to sleep at once. Herald runs on
 *       small machines too, where a spinning thread takes the core a publisher or a handler needed.
 * </ul>
 *
 * <p><b>The control word</b> {@code ctl} holds, so that one CAS decides each transition: the idle
 * stack's top (slot index + 1, 0 for none; 16 bits), the number of searching workers (16 bits), the
 * shutdown bit, and a stamp bumped on every push, so that a pop racing with a pop and a push of the
 * same slot (ABA) fails its CAS.
 *
 * <p><b>No task is stranded.</b> A worker going idle pushes itself (the CAS is a full fence), then
 * looks at the queue again; a submitter queues its task (a CAS too), then reads {@code ctl}. Either
 * the submitter sees the worker on the stack or searching, and wakes it or leaves the task to it,
 * or the worker's second look sees the task and wakes someone, itself if it is still on top.
 *
 * <p><b>Thread ownership.</b> {@code ctl}: CAS by any thread. A {@link Worker}'s {@code status}:
 * set to IDLE by its own thread before it pushes itself; IDLE to ACTIVE by whoever pops it from the
 * stack (a submitter, a worker passing on a signal, shutdown), which then unparks it; IDLE to
 * NO_THREAD by its own thread when its keep-alive is over, after which the thread ends and the slot
 * stays on the stack for a popper to start a new thread in; NO_THREAD to ACTIVE by that popper. The
 * CAS on {@code status} is what settles a wake-up racing with a time-out. {@code nextIdle}: written
 * by whoever pushes the slot, before the push CAS that publishes it. {@code thread}, {@link #live},
 * {@link #terminated}, the thread sets and the orphans: under {@link #lock}, taken only on rare
 * paths (a thread starting or ending, shutdown, a submission racing with shutdown).
 *
 * <p>Idle threads end after the keep-alive, so that a bus its owner forgot to close does not keep
 * the JVM alive; the next hand-off that pops their slot starts a new thread. Threads are started on
 * demand in the first place. A task that throws is reported to the thread's uncaught exception
 * handler, as a {@code ThreadPoolExecutor} would, but the worker carries on.
 */
final class WorkerPool extends WorkerPoolFields.PadAfter implements Executor {
  private static final VarHandle CTL;
  private static final VarHandle STATUS;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      CTL = l.findVarHandle(WorkerPoolFields.Control.class, "ctl", long.class);
      STATUS = l.findVarHandle(Worker.class, "status", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final long TOP_MASK = 0xFFFFL;
  private static final long SEARCH_UNIT = 1L << 16;
  private static final long SEARCH_MASK = 0xFFFFL << 16;
  private static final long SHUTDOWN = 1L << 32;
  private static final long STAMP_UNIT = 1L << 33;

  static final int MAX_THREADS = 0xFFFE;

  /** Room for this many queued lanes before tasks spill into the unbounded overflow. */
  static final int DEFAULT_QUEUE_CAPACITY = 1024;

  static final long DEFAULT_KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private static final int ACTIVE = 0;
  private static final int IDLE = 1;
  private static final int NO_THREAD = 2;

  // What awaitWork tells the worker loop.
  private static final int EXIT = 0;
  private static final int WOKEN = 1;
  private static final int RECHECK = 2;

  private final Worker[] workers;
  private final MpmcArrayQueue queue;
  private final ConcurrentLinkedQueue<Runnable> overflow = new ConcurrentLinkedQueue<>();
  private final ThreadFactory factory;
  private final long keepAliveNanos;

  private final Object lock = new Object();

  /** Threads started and not yet ended. Under {@link #lock}. */
  private int live;

  /** Shut down, and the last thread has ended with nothing queued. Under {@link #lock}. */
  private boolean terminated;

  /** Set by {@link #shutdownNow}; read by workers before each task. */
  private volatile boolean stopped;

  /** Live threads, for shutdownNow to interrupt. Under {@link #lock}. */
  private final Set<Thread> threads = new HashSet<>();

  /** Threads that ended after shutdown, for awaitTermination to join. Under {@link #lock}. */
  private final List<Thread> ended = new ArrayList<>();

  /**
   * Tasks taken back from the queue after termination, each waiting for its submitter to find it
   * and throw {@link RejectedExecutionException}. Under {@link #lock}.
   */
  private final List<Runnable> orphans = new ArrayList<>();

  /** One slot of the pool: a thread, or room for one. */
  static final class Worker {
    /** The slot's index; -1 for a thread started after shutdown to drain the queue. */
    final int index;

    /** ACTIVE, IDLE or NO_THREAD; see the class comment for who writes it. */
    volatile int status = NO_THREAD;

    /** The slot below this one on the idle stack, as index + 1; 0 at the bottom. */
    int nextIdle;

    /** The slot's current thread. Under the pool's lock. */
    Thread thread;

    Worker(int index) {
      this.index = index;
    }
  }

  WorkerPool(int threads, ThreadFactory factory) {
    this(threads, factory, DEFAULT_KEEP_ALIVE_NANOS, TimeUnit.NANOSECONDS, DEFAULT_QUEUE_CAPACITY);
  }

  WorkerPool(int threads, ThreadFactory factory, long keepAlive, TimeUnit unit, int queueCapacity) {
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException("threads: must be within [1, " + MAX_THREADS + "]");
    }
    if (keepAlive <= 0) {
      throw new IllegalArgumentException("keepAlive: must be positive");
    }
    this.factory = Objects.requireNonNull(factory, "factory");
    this.keepAliveNanos = unit.toNanos(keepAlive);
    this.queue = new MpmcArrayQueue(queueCapacity);
    this.workers = new Worker[threads];
    // Every slot starts on the idle stack without a thread: threads start on first demand.
    for (int i = 0; i < threads; i++) {
      workers[i] = new Worker(i);
      workers[i].nextIdle = i + 1 < threads ? i + 2 : 0;
    }
    this.ctl = 1L;
  }

  // ---------------------------------------------------------------- submitting

  /**
   * Runs {@code task} on a worker.
   *
   * @throws RejectedExecutionException once {@link #shutdown} has been called
   */
  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    if ((ctl & SHUTDOWN) != 0) {
      throw rejected();
    }
    enqueue(task);
    long c = ctl;
    // A searching worker will find the task; with none idle, a busy one will come back for it.
    if ((c & (SHUTDOWN | SEARCH_MASK)) == 0 && (c & TOP_MASK) != 0) {
      signalWork(null);
      c = ctl;
    }
    if ((c & SHUTDOWN) != 0) {
      afterShutdown(task);
    }
  }

  private void enqueue(Runnable task) {
    // Once tasks spilled, the next ones follow them: a steady stream through the array, which
    // workers look at first, would otherwise keep the spilled ones waiting indefinitely.
    if (!overflow.isEmpty() || !queue.offer(task)) {
      overflow.offer(task);
    }
  }

  private Runnable poll() {
    Object task = queue.poll();
    return task != null ? (Runnable) task : overflow.poll();
  }

  /** True if no task waits for a thread (lanes use it to yield only when others wait). */
  boolean isQueueEmpty() {
    return queue.isEmpty() && overflow.isEmpty();
  }

  /**
   * Wakes the most recently idle worker, unless a worker is searching already or none is idle.
   * {@code self} is the calling worker, if any: it may pop itself, and needs no unpark then.
   */
  private void signalWork(Worker self) {
    for (; ; ) {
      long c = ctl;
      int top = (int) (c & TOP_MASK);
      if ((c & (SHUTDOWN | SEARCH_MASK)) != 0 || top == 0) {
        return;
      }
      Worker w = workers[top - 1];
      // The woken worker counts as searching from now on, so that the next submitters leave the
      // tasks to it instead of waking more threads.
      long popped = ((c & ~TOP_MASK) + SEARCH_UNIT) | w.nextIdle;
      if (CTL.compareAndSet(this, c, popped)) {
        wake(w, self);
        return;
      }
    }
  }

  private void wake(Worker w, Worker self) {
    if (STATUS.compareAndSet(w, IDLE, ACTIVE)) {
      if (w != self) {
        LockSupport.unpark(w.thread);
      }
      return;
    }
    // NO_THREAD: the slot never had a thread, or its thread ended after the keep-alive.
    w.status = ACTIVE;
    startThread(w);
  }

  private void startThread(Worker w) {
    Thread t = factory.newThread(() -> runWorker(w));
    synchronized (lock) {
      if (terminated) {
        return; // What was queued ran before the pool terminated.
      }
      live++;
      threads.add(t);
      w.thread = t;
    }
    try {
      t.start();
    } catch (Throwable e) {
      synchronized (lock) {
        live--;
        threads.remove(t);
      }
      if (w.index >= 0) {
        // Put the slot back, so that the next hand-off tries again; we no longer search for it.
        push(w, NO_THREAD, true);
      }
      throw e;
    }
  }

  /** Pushes {@code w} on the idle stack. False once the pool is shut down: nobody pops any more. */
  private boolean push(Worker w, int status, boolean wasSearching) {
    w.status = status;
    for (; ; ) {
      long c = ctl;
      if ((c & SHUTDOWN) != 0) {
        w.status = ACTIVE;
        return false;
      }
      w.nextIdle = (int) (c & TOP_MASK);
      long pushed = ((c & ~TOP_MASK) + STAMP_UNIT) | (w.index + 1);
      if (wasSearching && (c & SEARCH_MASK) != 0) {
        pushed -= SEARCH_UNIT;
      }
      if (CTL.compareAndSet(this, c, pushed)) {
        return true;
      }
    }
  }

  // ---------------------------------------------------------------- working

  private void runWorker(Worker w) {
    // Whoever started this thread counted it as searching.
    boolean searching = true;
    for (; ; ) {
      Runnable task = poll();
      if (task != null) {
        if (searching) {
          searching = false;
          stopSearching(w);
        }
        runTask(task);
        continue;
      }
      int next = awaitWork(w, searching);
      if (next == EXIT) {
        return;
      }
      searching = next == WOKEN;
    }
  }

  private void stopSearching(Worker w) {
    for (; ; ) {
      long c = ctl;
      if ((c & SHUTDOWN) != 0 || (c & SEARCH_MASK) == 0) {
        return;
      }
      long after = c - SEARCH_UNIT;
      if (CTL.compareAndSet(this, c, after)) {
        // The last searcher takes a task while more wait: submitters that saw it searching woke
        // nobody for them, so it passes the signal on.
        if ((after & SEARCH_MASK) == 0 && (after & TOP_MASK) != 0 && !isQueueEmpty()) {
          signalFromWorker(w);
        }
        return;
      }
    }
  }

  /** signalWork on a worker's thread: a failure to start a thread must not end this one. */
  private void signalFromWorker(Worker w) {
    try {
      signalWork(w);
    } catch (Throwable t) {
      report(t);
    }
  }

  private void runTask(Runnable task) {
    // A task that interrupted its own thread must not interrupt the next one; shutdownNow's must
    // stay.
    if (Thread.interrupted() && stopped) {
      Thread.currentThread().interrupt();
    }
    try {
      task.run();
    } catch (Throwable t) {
      report(t);
    }
  }

  private static void report(Throwable t) {
    Thread me = Thread.currentThread();
    try {
      me.getUncaughtExceptionHandler().uncaughtException(me, t);
    } catch (Throwable ignored) {
      // A failing handler has nowhere left to report to; the worker carries on.
    }
  }

  /**
   * Called when the queue looked empty: goes idle until woken, or ends. Returns EXIT when the
   * thread is to end, WOKEN when a waker popped it (and counted it as searching), RECHECK
   * otherwise.
   */
  private int awaitWork(Worker w, boolean searching) {
    if (w.index < 0 || !push(w, IDLE, searching)) {
      return tryExit() ? EXIT : RECHECK;
    }
    // Looked at again after publishing "I am idle": a submitter that queued before the push may
    // have seen this worker neither searching nor on the stack, and left the task to nobody.
    if (!isQueueEmpty()) {
      signalFromWorker(w);
    }
    long deadline = System.nanoTime() + keepAliveNanos;
    for (; ; ) {
      if (w.status != IDLE) {
        return WOKEN;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        // Fails if a waker popped this slot meanwhile: then it is awake, not ending.
        if (STATUS.compareAndSet(w, IDLE, NO_THREAD)) {
          if (tryExit()) {
            return EXIT;
          }
          // Shut down with tasks left: this thread stays to run them.
          w.status = ACTIVE;
          return RECHECK;
        }
        continue;
      }
      LockSupport.parkNanos(this, remaining);
      // Only the status says whether this worker was woken; a stray interrupt must not make it
      // spin.
      Thread.interrupted();
    }
  }

  /** Ends the calling worker, unless the pool is shut down and tasks are still queued. */
  private boolean tryExit() {
    synchronized (lock) {
      boolean shut = (ctl & SHUTDOWN) != 0;
      if (shut && !isQueueEmpty()) {
        return false;
      }
      live--;
      Thread me = Thread.currentThread();
      threads.remove(me);
      if (shut) {
        ended.add(me);
        if (live == 0) {
          terminate();
        } else {
          lock.notifyAll(); // awaitOthersEnded counts the threads down one by one
        }
      }
      return true;
    }
  }

  private void terminate() {
    terminated = true;
    lock.notifyAll();
  }

  // ---------------------------------------------------------------- shutting down

  /**
   * A submission that found the pool shut down after queueing its task. Before the last thread ends
   * the task is accepted: a live worker runs whatever is queued before it ends. After termination
   * nobody polls any more, so the task is taken back and rejected. Only submitters that raced with
   * shutdown get here, and each of them comes for its own task: what one finds queued it keeps
   * among the orphans for the others. (Tasks are told apart by identity: if the same Runnable is
   * submitted twice, concurrently with the termination, either call may be the rejected one.)
   */
  private void afterShutdown(Runnable task) {
    synchronized (lock) {
      if (removeOrphan(task)) {
        throw rejected();
      }
      if (live > 0) {
        return; // A live worker runs it: workers end only with the queue empty.
      }
      if (!terminated) {
        if (isQueueEmpty()) {
          terminate(); // Our task ran already; nothing else is left.
        } else {
          // Queued before termination but every thread has ended (their keep-alive ran out):
          // accepted, so a thread is started to run what is queued.
          startThread(new Worker(-1));
        }
        return;
      }
      Runnable r;
      while ((r = poll()) != null) {
        orphans.add(r);
      }
      if (removeOrphan(task)) {
        throw rejected();
      }
    }
  }

  private boolean removeOrphan(Runnable task) {
    for (int i = 0; i < orphans.size(); i++) {
      if (orphans.get(i) == task) {
        orphans.remove(i);
        return true;
      }
    }
    return false;
  }

  private static RejectedExecutionException rejected() {
    return new RejectedExecutionException("Herald's worker pool is shut down");
  }

  /** Rejects new tasks from now on; queued ones still run, then the threads end. Idempotent. */
  void shutdown() {
    long c;
    do {
      c = ctl;
    } while (!CTL.compareAndSet(this, c, (c | SHUTDOWN) & ~TOP_MASK));
    // Wake every idle worker: it finds the shutdown bit, runs what is queued and ends. The stack
    // was detached by the CAS, so these links no longer change under us.
    for (int top = (int) (c & TOP_MASK); top != 0; ) {
      Worker w = workers[top - 1];
      top = w.nextIdle;
      if (STATUS.compareAndSet(w, IDLE, ACTIVE)) {
        LockSupport.unpark(w.thread);
      }
    }
    synchronized (lock) {
      if (live == 0 && !terminated && isQueueEmpty()) {
        terminate();
      }
    }
  }

  /**
   * Shuts down, takes back the tasks that have not started and interrupts the running ones.
   *
   * @return the tasks that were queued and will not run
   */
  List<Runnable> shutdownNow() {
    shutdown();
    List<Runnable> notRun = new ArrayList<>();
    synchronized (lock) {
      stopped = true;
      Runnable r;
      while ((r = poll()) != null) {
        notRun.add(r);
      }
      for (Thread t : threads) {
        t.interrupt();
      }
      if (live == 0 && !terminated) {
        terminate();
      }
    }
    return notRun;
  }

  /**
   * Waits until the pool has terminated and its threads are gone, at most {@code timeout}.
   *
   * @return false on timeout
   */
  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    List<Thread> toJoin;
    synchronized (lock) {
      while (!terminated) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, remaining);
      }
      toJoin = new ArrayList<>(ended);
    }
    return joinedBy(toJoin, deadline);
  }

  /**
   * Like {@link #awaitTermination}, for one of the pool's own threads, which cannot wait for
   * itself: waits until every other thread of the shut-down pool has ended, at most {@code
   * timeout}.
   *
   * @return false on timeout
   */
  boolean awaitOthersEnded(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    Thread me = Thread.currentThread();
    List<Thread> toJoin;
    synchronized (lock) {
      while (live > (threads.contains(me) ? 1 : 0)) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, remaining);
      }
      toJoin = new ArrayList<>(ended);
    }
    return joinedBy(toJoin, deadline);
  }

  /**
   * Joins the ended threads but the caller's own, until {@code deadline}. A thread that decided to
   * end a moment before it actually did is still alive: joining them all means a caller who then
   * looks for live threads (close's report does) finds none.
   *
   * @return false if one is still alive at the deadline
   */
  private static boolean joinedBy(List<Thread> ended, long deadline) throws InterruptedException {
    for (Thread t : ended) {
      if (t == Thread.currentThread()) {
        continue;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, remaining);
      }
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  boolean isShutdown() {
    return (ctl & SHUTDOWN) != 0;
  }

  boolean isTerminated() {
    synchronized (lock) {
      return terminated;
    }
  }

  /** Threads alive now (started and not yet ended). */
  int liveThreads() {
    synchronized (lock) {
      return live;
    }
  }
}
