package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MpmcArrayQueueTest {

  @Test
  void isBoundedAndFifo() {
    MpmcArrayQueue q = new MpmcArrayQueue(3);
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

  @Test
  void manyProducersManyConsumersLoseAndDuplicateNothing() throws Exception {
    MpmcArrayQueue q = new MpmcArrayQueue(64);
    int producers = 4;
    int perProducer = 200_000;
    AtomicLong sum = new AtomicLong();
    AtomicLong count = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int base = p * perProducer;
      threads.add(
          new Thread(
              () -> {
                await(start);
                for (int i = 0; i < perProducer; i++) {
                  Integer v = base + i;
                  while (!q.offer(v)) {
                    Thread.onSpinWait();
                  }
                }
              }));
    }
    long total = (long) producers * perProducer;
    for (int c = 0; c < 2; c++) {
      threads.add(
          new Thread(
              () -> {
                await(start);
                while (count.get() < total) {
                  Object v = q.poll();
                  if (v != null) {
                    sum.addAndGet((Integer) v);
                    count.incrementAndGet();
                  }
                }
              }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(count.get()).isEqualTo(total);
    assertThat(sum.get()).isEqualTo(total * (total - 1) / 2);
  }

  private static void await(CountDownLatch l) {
    try {
      l.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
