package dev.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PublishGateTest {

  @Test
  void countsEveryThreadsEntriesIncludingThreadsThatEnded() throws Exception {
    PublishGate gate = new PublishGate();
    for (int t = 0; t < 20; t++) {
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < 100; i++) {
                  gate.enter().exit();
                }
              });
      th.start();
      th.join();
    }
    PublishGate.Cell outer = gate.enter();
    gate.enter().exit(); // Nested, as a publish from a handler run by a direct executor.
    assertThat(gate.entered()).isEqualTo(2_002);
    assertThat(gate.awaitNoneInside(() -> false)).isFalse();
    outer.exit();
    assertThat(gate.awaitNoneInside(() -> false)).isTrue();
  }

  /**
   * Close's protocol under contention: publishers count in, then check the flag; the closer sets
   * the flag, then waits. Once the wait returns, no publisher may be past the check and inside, and
   * none may get past it later. Publishing threads come and go meanwhile, so cells register and
   * retire while the closer waits.
   */
  @Test
  void noPublisherIsInsideOnceTheWaitReturns() throws Exception {
    for (int round = 0; round < 50; round++) {
      PublishGate gate = new PublishGate();
      AtomicInteger inside = new AtomicInteger();
      AtomicLong lateEntries = new AtomicLong();
      AtomicLong passed = new AtomicLong();
      Flag closedFlag = new Flag();
      Flag waited = new Flag();
      CountDownLatch warm = new CountDownLatch(4);
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        threads.add(
            new Thread(
                () -> {
                  boolean counted = false;
                  while (true) {
                    // A short-lived helper thread now and then: a cell that registers mid-close.
                    if (passed.get() % 997 == 0) {
                      Thread helper = new Thread(() -> gate.enter().exit());
                      helper.start();
                    }
                    PublishGate.Cell in = gate.enter();
                    try {
                      if (closedFlag.value) {
                        return;
                      }
                      inside.incrementAndGet();
                      if (waited.value) {
                        lateEntries.incrementAndGet();
                      }
                      passed.incrementAndGet();
                      for (int i = 0; i < 20; i++) {
                        Thread.onSpinWait();
                      }
                      inside.decrementAndGet();
                    } finally {
                      in.exit();
                    }
                    if (!counted) {
                      counted = true;
                      warm.countDown();
                    }
                  }
                }));
      }
      threads.forEach(Thread::start);
      warm.await();
      closedFlag.value = true;
      assertThat(gate.awaitNoneInside(() -> true)).isTrue();
      waited.value = true;
      assertThat(inside.get()).isZero();
      for (Thread t : threads) {
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
      }
      assertThat(lateEntries.get()).isZero();
    }
  }

  private static final class Flag {
    volatile boolean value;
  }
}
