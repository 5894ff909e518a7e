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
  void manyProducersOneConsumerLoseDuplicateAndReorderNothing() throws Exception {
    // A small queue, so that producers keep finding it full and wrap around it many times.
    MpscArrayQueue q = new MpscArrayQueue(16);
    long[] lastSeen = new long[PRODUCERS];
    Arrays.fill(lastSeen, -1);
    AtomicLong count = new AtomicLong();
    List<Thread> threads = producers(q);
    threads.add(
        new Thread(
            () -> {
              long total = (long) PRODUCERS * PER_PRODUCER;
              while (count.get() < total) {
                Object v = q.poll();
                if (v != null) {
                  check(lastSeen, (Long) v);
                  count.incrementAndGet();
                }
              }
            }));
    run(threads);
    assertThat(count.get()).isEqualTo((long) PRODUCERS * PER_PRODUCER);
    assertThat(q.poll()).isNull();
    for (long last : lastSeen) {
      assertThat(last).isEqualTo(PER_PRODUCER - 1);
    }
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
      long base = (long) p << 32;
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < PER_PRODUCER; i++) {
                  Long v = base + i;
                  while (!q.offer(v)) {
                    Thread.onSpinWait();
                  }
                }
              }));
    }
    return threads;
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
