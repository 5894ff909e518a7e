package dev.herald.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 120, unit = SECONDS)
class WorkerPoolTest {
  private final List<WorkerPool> pools = new ArrayList<>();

  private WorkerPool pool(int threads, String prefix) {
    return pool(threads, new NamedThreadFactory(prefix, false), 30_000, 1024);
  }

  private WorkerPool pool(int threads, ThreadFactory factory, long keepAliveMillis, int capacity) {
    WorkerPool p = new WorkerPool(threads, factory, keepAliveMillis, MILLISECONDS, capacity);
    pools.add(p);
    return p;
  }

  @AfterEach
  void stopPools() throws InterruptedException {
    for (WorkerPool p : pools) {
      p.shutdownNow();
      assertThat(p.awaitTermination(10, SECONDS)).isTrue();
    }
  }

  static Set<Thread> threadsNamed(String prefix) {
    Set<Thread> found = ConcurrentHashMap.newKeySet();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix + "-") && t.isAlive()) {
        found.add(t);
      }
    }
    return found;
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 4})
  void manyProducersEveryTaskRunsExactlyOnce(int threads) throws Exception {
    runExactlyOnce(pool(threads, new NamedThreadFactory("pool-once", false), 30_000, 1024));
  }

  @Test
  void aTinyQueueSpillsAndStillRunsEveryTaskExactlyOnce() throws Exception {
    runExactlyOnce(pool(2, new NamedThreadFactory("pool-spill", false), 30_000, 2));
  }

  private static void runExactlyOnce(WorkerPool p) throws Exception {
    int producers = 6;
    int perProducer = 100_000;
    int total = producers * perProducer;
    AtomicIntegerArray runs = new AtomicIntegerArray(total);
    LongAdder ran = new LongAdder();
    CyclicBarrier start = new CyclicBarrier(producers);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < producers; t++) {
      int base = t * perProducer;
      Thread producer =
          new Thread(
              () -> {
                arrive(start);
                for (int i = 0; i < perProducer; i++) {
                  int id = base + i;
                  p.execute(
                      () -> {
                        runs.incrementAndGet(id);
                        ran.increment();
                      });
                  if ((i & 1023) == 0) {
                    // Let the workers catch up and go idle now and then, so that they park and
                    // are woken again while the others keep submitting.
                    Thread.yield();
                  }
                }
              });
      threads.add(producer);
      producer.start();
    }
    for (Thread t : threads) {
      t.join(60_000);
      assertThat(t.isAlive()).isFalse();
    }
    await().atMost(30, SECONDS).until(() -> ran.sum() >= total);
    for (int i = 0; i < total; i++) {
      assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
    }
    assertThat(ran.sum()).isEqualTo(total);
    assertThat(p.isQueueEmpty()).isTrue();
  }

  /**
   * One task at a time, the next submitted as soon as the last one ran: the submission lands right
   * while the worker goes idle. A task left in the queue with every worker asleep fails the bounded
   * wait instead of hanging the build.
   */
  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 4})
  void aTaskSubmittedAsTheWorkerGoesIdleIsNeverStranded(int threads) {
    WorkerPool p = pool(threads, "pool-pingpong");
    AtomicLong done = new AtomicLong();
    for (long i = 1; i <= 100_000; i++) {
      long expected = i;
      p.execute(() -> done.lazySet(expected));
      long deadline = System.nanoTime() + SECONDS.toNanos(10);
      while (done.get() != expected) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("task " + i + " stranded in the queue");
        }
        Thread.onSpinWait();
      }
    }
  }

  /**
   * The same, with the submitter parked while the task runs, as a publisher waiting for a reply.
   */
  @Test
  void aTaskSubmittedByAParkedSubmitterIsNeverStranded() throws Exception {
    WorkerPool p = pool(2, "pool-parked");
    for (int i = 0; i < 100_000; i++) {
      CountDownLatch ran = new CountDownLatch(1);
      p.execute(ran::countDown);
      assertThat(ran.await(10, SECONDS)).as("task %d ran", i).isTrue();
    }
  }

  /** Several submitters each playing ping-pong: wake-ups and idling interleave across workers. */
  @Test
  void concurrentPingPongsStrandNothing() throws Exception {
    WorkerPool p = pool(2, "pool-pingpongs");
    int submitters = 3;
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int s = 0; s < submitters; s++) {
      Thread t =
          new Thread(
              () -> {
                AtomicLong done = new AtomicLong();
                for (long i = 1; i <= 30_000; i++) {
                  long expected = i;
                  p.execute(() -> done.set(expected));
                  long deadline = System.nanoTime() + SECONDS.toNanos(10);
                  while (done.get() != expected) {
                    if (System.nanoTime() - deadline > 0) {
                      failures.add(new AssertionError("task " + i + " stranded"));
                      return;
                    }
                    Thread.yield();
                  }
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void shutdownRejectsNewTasksAndLetsQueuedOnesFinish() throws Exception {
    WorkerPool p = pool(1, "pool-shutdown");
    CountDownLatch release = new CountDownLatch(1);
    occupyThreads(p, 1, release);
    LongAdder ran = new LongAdder();
    for (int i = 0; i < 100; i++) {
      p.execute(ran::increment);
    }
    p.shutdown();
    assertThat(p.isShutdown()).isTrue();
    assertThatThrownBy(() -> p.execute(ran::increment))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(p.awaitTermination(50, MILLISECONDS)).isFalse();
    release.countDown();
    assertThat(p.awaitTermination(10, SECONDS)).isTrue();
    assertThat(ran.sum()).isEqualTo(100);
    assertThat(p.isTerminated()).isTrue();
    assertThat(p.liveThreads()).isZero();
    assertThat(threadsNamed("pool-shutdown")).isEmpty();
  }

  @Test
  void shutdownOfAnIdlePoolEndsItsThreads() throws Exception {
    WorkerPool p = pool(2, "pool-idle-shutdown");
    CountDownLatch ran = new CountDownLatch(1);
    p.execute(ran::countDown);
    assertThat(ran.await(10, SECONDS)).isTrue();
    await().atMost(10, SECONDS).until(() -> p.isQueueEmpty());
    p.shutdown();
    assertThat(p.awaitTermination(10, SECONDS)).isTrue();
    assertThat(threadsNamed("pool-idle-shutdown")).isEmpty();
  }

  @Test
  void shutdownOfAPoolThatNeverRanTerminatesAtOnce() throws Exception {
    WorkerPool p = pool(2, "pool-never");
    p.shutdown();
    assertThat(p.awaitTermination(1, SECONDS)).isTrue();
  }

  @Test
  void shutdownNowInterruptsRunningTasksAndReturnsQueuedOnes() throws Exception {
    WorkerPool p = pool(1, "pool-now");
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    p.execute(
        () -> {
          started.countDown();
          try {
            new CountDownLatch(1).await();
          } catch (InterruptedException e) {
            interrupted.set(true);
          }
        });
    assertThat(started.await(10, SECONDS)).isTrue();
    LongAdder ran = new LongAdder();
    for (int i = 0; i < 5; i++) {
      p.execute(ran::increment);
    }
    List<Runnable> notRun = p.shutdownNow();
    assertThat(notRun).hasSize(5);
    assertThat(p.awaitTermination(10, SECONDS)).isTrue();
    assertThat(interrupted).isTrue();
    assertThat(ran.sum()).isZero();
    assertThatThrownBy(() -> p.execute(ran::increment))
        .isInstanceOf(RejectedExecutionException.class);
  }

  /**
   * Submitters racing with shutdown: each submission either throws or runs, exactly once, and the
   * pool still terminates. Rounds with a keep-alive so short that the threads end between tasks
   * cover the submissions that find no thread left.
   */
  @ParameterizedTest(name = "keep-alive {0} ms")
  @ValueSource(ints = {1, 30_000})
  void submissionsRacingWithShutdownRunOrAreRejected(int keepAliveMillis) throws Exception {
    for (int round = 0; round < 200; round++) {
      WorkerPool p =
          new WorkerPool(
              2, new NamedThreadFactory("pool-race", false), keepAliveMillis, MILLISECONDS, 16);
      LongAdder accepted = new LongAdder();
      LongAdder ran = new LongAdder();
      int submitters = 3;
      CyclicBarrier start = new CyclicBarrier(submitters + 1);
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < submitters; s++) {
        Thread t =
            new Thread(
                () -> {
                  arrive(start);
                  for (int i = 0; i < 2_000; i++) {
                    try {
                      p.execute(ran::increment);
                      accepted.increment();
                    } catch (RejectedExecutionException e) {
                      return;
                    }
                  }
                });
        threads.add(t);
        t.start();
      }
      start.await();
      Thread.yield();
      p.shutdown();
      for (Thread t : threads) {
        t.join(30_000);
      }
      assertThat(p.awaitTermination(10, SECONDS)).as("round %d terminated", round).isTrue();
      assertThat(ran.sum()).as("round %d", round).isEqualTo(accepted.sum());
      assertThatThrownBy(() -> p.execute(ran::increment))
          .isInstanceOf(RejectedExecutionException.class);
    }
  }

  /**
   * Waits at {@code barrier}; a broken or interrupted wait fails the calling thread's test work.
   */
  private static void arrive(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Runs {@code n} tasks that hold their threads until {@code release}; returns once all started.
   */
  private static void occupyThreads(WorkerPool p, int n, CountDownLatch release)
      throws InterruptedException {
    CountDownLatch started = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      p.execute(
          () -> {
            started.countDown();
            awaitQuietly(release);
          });
    }
    assertThat(started.await(10, SECONDS)).isTrue();
  }

  @Test
  void idleWorkersEndAfterTheKeepAliveAndThePoolStillRunsTasks() throws Exception {
    WorkerPool p = pool(2, new NamedThreadFactory("pool-keepalive", false), 50, 1024);
    // Two tasks at once make the pool start both threads.
    CountDownLatch release = new CountDownLatch(1);
    occupyThreads(p, 2, release);
    assertThat(threadsNamed("pool-keepalive")).hasSize(2);
    release.countDown();
    await().atMost(10, SECONDS).until(() -> p.liveThreads() == 0);
    await().atMost(10, SECONDS).until(() -> threadsNamed("pool-keepalive").isEmpty());

    // Restarted on demand, both of them.
    CountDownLatch release2 = new CountDownLatch(1);
    occupyThreads(p, 2, release2);
    assertThat(p.liveThreads()).isEqualTo(2);
    release2.countDown();
    CountDownLatch later = new CountDownLatch(1);
    p.execute(later::countDown);
    assertThat(later.await(10, SECONDS)).isTrue();
    await().atMost(10, SECONDS).until(() -> p.liveThreads() == 0);
  }

  @Test
  void threadsAreNamedAndNotDaemons() throws Exception {
    WorkerPool p = pool(2, "herald-worker");
    Set<String> names = ConcurrentHashMap.newKeySet();
    AtomicBoolean daemon = new AtomicBoolean();
    CountDownLatch both = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < 2; i++) {
      p.execute(
          () -> {
            names.add(Thread.currentThread().getName());
            daemon.compareAndSet(false, Thread.currentThread().isDaemon());
            both.countDown();
            awaitQuietly(release);
          });
    }
    assertThat(both.await(10, SECONDS)).isTrue();
    release.countDown();
    assertThat(names).hasSize(2).allMatch(n -> n.matches("herald-worker-\\d+"));
    assertThat(daemon).isFalse();
  }

  @Test
  void aFailingTaskIsReportedAndTheWorkerCarriesOn() throws Exception {
    List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
    NamedThreadFactory named = new NamedThreadFactory("pool-failing", false);
    ThreadFactory factory =
        r -> {
          Thread t = named.newThread(r);
          t.setUncaughtExceptionHandler((th, e) -> reported.add(e));
          return t;
        };
    WorkerPool p = pool(1, factory, 30_000, 1024);
    List<Thread> ranOn = new CopyOnWriteArrayList<>();
    p.execute(
        () -> {
          ranOn.add(Thread.currentThread());
          throw new IllegalStateException("boom");
        });
    CountDownLatch next = new CountDownLatch(1);
    p.execute(
        () -> {
          ranOn.add(Thread.currentThread());
          next.countDown();
        });
    assertThat(next.await(10, SECONDS)).isTrue();
    assertThat(reported).singleElement().satisfies(e -> assertThat(e).hasMessage("boom"));
    assertThat(ranOn).hasSize(2);
    assertThat(ranOn.get(1)).isSameAs(ranOn.get(0));
  }

  @Test
  void aTaskThatInterruptsItselfDoesNotInterruptTheNext() throws Exception {
    WorkerPool p = pool(1, "pool-interrupt");
    p.execute(() -> Thread.currentThread().interrupt());
    AtomicBoolean interrupted = new AtomicBoolean(true);
    CountDownLatch ran = new CountDownLatch(1);
    p.execute(
        () -> {
          interrupted.set(Thread.currentThread().isInterrupted());
          ran.countDown();
        });
    assertThat(ran.await(10, SECONDS)).isTrue();
    assertThat(interrupted).isFalse();
  }

  @Test
  void oneThreadRunsSpilledTasksInSubmissionOrder() throws Exception {
    WorkerPool p = pool(1, new NamedThreadFactory("pool-order", false), 30_000, 4);
    CountDownLatch release = new CountDownLatch(1);
    occupyThreads(p, 1, release);
    List<Integer> order = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 100; i++) {
      int n = i;
      p.execute(() -> order.add(n));
    }
    assertThat(p.isQueueEmpty()).isFalse();
    release.countDown();
    await().atMost(10, SECONDS).until(() -> order.size() == 100);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      expected.add(i);
    }
    assertThat(order).isEqualTo(expected);
    await().atMost(10, SECONDS).until(p::isQueueEmpty);
  }

  @Test
  void aBurstWakesThreadsUpToThePoolSize() throws Exception {
    WorkerPool p = pool(3, "pool-burst");
    CountDownLatch all = new CountDownLatch(3);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < 3; i++) {
      p.execute(
          () -> {
            all.countDown();
            awaitQuietly(release);
          });
    }
    // Three tasks blocking at once can only all start if the pool passes the signal on.
    assertThat(all.await(10, SECONDS)).isTrue();
    release.countDown();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
