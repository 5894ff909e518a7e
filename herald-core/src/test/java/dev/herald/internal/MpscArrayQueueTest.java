package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MpscArrayQueueTest {
  private static final int PRODUCERS = 4;
  private static final int PER_PRODUCER = 200_000;

  @Test
  void isBoundedAndFifo() {
    MpscArrayQueue q = new MpscArrayQueue(3);
    assertThat(q.capacity()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      assertThat(q.offer(i)).isTrue();
    }
    assertThat(q.offer(99)).isFalse();
    assertThat(q.isFull()).isTrue();
    assertThat(q.size()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      assertThat(q.poll()).isEqualTo(i);
    }
    assertThat(q.poll()).isNull();
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.offered()).isEqualTo(4);
  }

  /** Any sequence of offers and polls on one thread behaves as a bounded FIFO. */
  @Property
  void behavesAsABoundedFifo(
      @ForAll @IntRange(min = 1, max = 9) int capacity,
      @ForAll @Size(max = 300) List<Boolean> offers) {
    MpscArrayQueue q = new MpscArrayQueue(capacity);
    ArrayDeque<Integer> model = new ArrayDeque<>();
    int next = 0;
    for (boolean offer : offers) {
      if (offer) {
        boolean room = model.size() < q.capacity();
        assertThat(q.offer(next)).isEqualTo(room);
        if (room) {
          model.add(next);
        }
        next++;
      } else {
        assertThat(q.poll()).isEqualTo(model.poll());
      }
      assertThat(q.size()).isEqualTo(model.size());
      assertThat(q.isEmpty()).isEqualTo(model.isEmpty());
      assertThat(q.isFull()).isEqualTo(model.size() == q.capacity());
    }
  }

  @Test
  void aRunIsClaimedOnlyWhenThereIsRoomForAllOfIt() {
    MpscArrayQueue q = new MpscArrayQueue(4);
    assertThat(q.claim(3)).isZero();
    assertThat(q.claim(2)).as("room for one only").isEqualTo(-1);
    assertThat(q.offer("e3")).isTrue();
    // Filled in any order: the consumer takes them in the order they were claimed.
    q.fill(2, "e2");
    q.fill(0, "e0");
    q.fill(1, "e1");
    assertThat(q.claim(1)).as("full").isEqualTo(-1);
    assertThat(q.poll()).isEqualTo("e0");
    assertThat(q.poll()).isEqualTo("e1");
    assertThat(q.claim(3)).as("room for two only").isEqualTo(-1);
    assertThat(q.claim(2)).isEqualTo(4);
    q.fill(4, "e4");
    q.fill(5, "e5");
    for (int i = 2; i < 6; i++) {
      assertThat(q.poll()).isEqualTo("e" + i);
    }
    assertThat(q.poll()).isNull();
    assertThat(q.offered()).isEqualTo(6);
  }

  /**
   * Any sequence of run claims and polls on one thread behaves as a bounded FIFO into which a run
   * goes whole or not at all.
   */
  @Property
  void runsGoInWholeOrNotAtAll(
      @ForAll @IntRange(min = 1, max = 9) int capacity,
      @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 5) Integer> steps) {
    MpscArrayQueue q = new MpscArrayQueue(capacity);
    ArrayDeque<Integer> model = new ArrayDeque<>();
    int next = 0;
    for (int run : steps) {
      if (run == 0) {
        assertThat(q.poll()).isEqualTo(model.poll());
        continue;
      }
      boolean room = model.size() + run <= q.capacity();
      long index = q.claim(run);
      assertThat(index >= 0).isEqualTo(room);
      if (room) {
        for (int i = run - 1; i >= 0; i--) { // last first: the order of filling does not matter
          q.fill(index + i, next + i);
        }
        for (int i = 0; i < run; i++) {
          model.add(next + i);
        }
      }
      next += run;
      assertThat(q.size()).isEqualTo(model.size());
      assertThat(q.isFull()).isEqualTo(model.size() == q.capacity());
    }
  }

  /**
   * Producers claiming runs of 1 to 9 (filling some of them last first) beside producers offering
   * one at a time: the consumer, spinning or yielding at a claimed slot not yet filled, takes each
   * value once, each producer's in order.
   */
  @Test
  void runsBesideSingleOffersLoseDuplicateAndReorderNothing() throws Exception {
    MpscArrayQueue q = new MpscArrayQueue(16);
    long[] lastSeen = new long[PRODUCERS];
    Arrays.fill(lastSeen, -1);
    AtomicLong count = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      long base = (long) p << 32;
      if (p % 2 == 0) {
        threads.add(producer(q, p));
        continue;
      }
      threads.add(
          new Thread(
              () -> {
                int run = 1;
                for (int i = 0; i < PER_PRODUCER; ) {
                  int n = Math.min(run, PER_PRODUCER - i);
                  long index;
                  while ((index = q.claim(n)) < 0) {
                    Thread.onSpinWait();
                  }
                  boolean backwards = (i & 1) == 0;
                  for (int k = 0; k < n; k++) {
                    int j = backwards ? n - 1 - k : k;
                    q.fill(index + j, base + i + j);
                  }
                  i += n;
                  run = run % 9 + 1;
                }
              }));
    }
    threads.add(consumer(q, lastSeen, count));
    run(threads);
    assertAllTakenOnceInOrder(q, lastSeen, count);
  }

  @Test
  void manyProducersOneConsumerLoseDuplicateAndReorderNothing() throws Exception {
    // A small queue, so that producers keep finding it full and wrap around it many times.
    MpscArrayQueue q = new MpscArrayQueue(16);
    long[] lastSeen = new long[PRODUCERS];
    Arrays.fill(lastSeen, -1);
    AtomicLong count = new AtomicLong();
    List<Thread> threads = producers(q);
    threads.add(consumer(q, lastSeen, count));
    run(threads);
    assertAllTakenOnceInOrder(q, lastSeen, count);
  }

  /**
   * The consumer role moves between threads, as a lane's drainer does between pool threads: a
   * thread consumes only while it holds the role, taken and given back with a CAS.
   */
  @Test
  void theConsumerMayChangeThreadsBetweenTurns() throws Exception {
    MpscArrayQueue q = new MpscArrayQueue(64);
    long[] lastSeen = new long[PRODUCERS];
    Arrays.fill(lastSeen, -1);
    AtomicBoolean owned = new AtomicBoolean();
    AtomicLong count = new AtomicLong();
    long total = (long) PRODUCERS * PER_PRODUCER;
    List<Thread> threads = producers(q);
    for (int c = 0; c < 3; c++) {
      threads.add(
          new Thread(
              () -> {
                while (count.get() < total) {
                  if (!owned.compareAndSet(false, true)) {
                    Thread.onSpinWait();
                    continue;
                  }
                  // A short turn: the role changes hands often.
                  for (int i = 0; i < 37; i++) {
                    Object v = q.poll();
                    if (v == null) {
                      break;
                    }
                    check(lastSeen, (Long) v);
                    count.incrementAndGet();
                  }
                  owned.set(false);
                }
              }));
    }
    run(threads);
    assertThat(count.get()).isEqualTo(total);
    for (long last : lastSeen) {
      assertThat(last).isEqualTo(PER_PRODUCER - 1);
    }
  }

  /** Each value is producer * 2^32 + sequence; each producer's sequence must arrive in order. */
  private static void check(long[] lastSeen, long v) {
    int producer = (int) (v >>> 32);
    long seq = v & 0xFFFF_FFFFL;
    if (seq != lastSeen[producer] + 1) {
      throw new AssertionError(
          "producer " + producer + ": got " + seq + " after " + lastSeen[producer]);
    }
    lastSeen[producer] = seq;
  }

  private static List<Thread> producers(MpscArrayQueue q) {
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      threads.add(producer(q, p));
    }
    return threads;
  }

  /** Producer {@code p}: offers its values one at a time, spinning while the queue is full. */
  private static Thread producer(MpscArrayQueue q, int p) {
    long base = (long) p << 32;
    return new Thread(
        () -> {
          for (int i = 0; i < PER_PRODUCER; i++) {
            Long v = base + i;
            while (!q.offer(v)) {
              Thread.onSpinWait();
            }
          }
        });
  }

  /** The one consumer: polls until every producer's values were taken, checking each's order. */
  private static Thread consumer(MpscArrayQueue q, long[] lastSeen, AtomicLong count) {
    return new Thread(
        () -> {
          long total = (long) PRODUCERS * PER_PRODUCER;
          while (count.get() < total) {
            Object v = q.poll();
            if (v != null) {
              check(lastSeen, (Long) v);
              count.incrementAndGet();
            }
          }
        });
  }

  private static void assertAllTakenOnceInOrder(
      MpscArrayQueue q, long[] lastSeen, AtomicLong count) {
    assertThat(count.get()).isEqualTo((long) PRODUCERS * PER_PRODUCER);
    assertThat(q.poll()).isNull();
    for (long last : lastSeen) {
      assertThat(last).isEqualTo(PER_PRODUCER - 1);
    }
  }

  private static void run(List<Thread> threads) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Throwable> failures = new ArrayList<>();
    List<Thread> started = new ArrayList<>();
    for (Thread t : threads) {
      Thread w =
          new Thread(
              () -> {
                try {
                  start.await();
                  t.run();
                } catch (Throwable e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              });
      w.setDaemon(true);
      started.add(w);
      w.start();
    }
    start.countDown();
    for (Thread t : started) {
      t.join(120_000);
      assertThat(t.isAlive()).as("a thread is stuck").isFalse();
    }
    assertThat(failures).isEmpty();
  }
}
