package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SystemTimerTest {

  @Test
  void aCancelledTaskLeavesTheQueueAtOnce() throws Exception {
    SystemTimer timer = new SystemTimer(Thread::new);
    try {
      Future<?> task = timer.schedule(() -> {}, TimeUnit.HOURS.toNanos(1));
      assertThat(timer.queued()).isEqualTo(1);
      // A request answered long before its timeout must not keep the timeout queued for an hour.
      task.cancel(false);
      assertThat(timer.queued()).isZero();
    } finally {
      timer.shutdown();
      assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void itsThreadHasEndedWhenAwaitTerminationSaysSo() throws Exception {
    // The executor terminates a moment before its thread ends: many timers make the gap show.
    for (int i = 0; i < 200; i++) {
      Set<Thread> made = ConcurrentHashMap.newKeySet();
      SystemTimer timer =
          new SystemTimer(
              r -> {
                Thread t = new Thread(r);
                made.add(t);
                return t;
              });
      timer.schedule(() -> {}, 0).get(10, TimeUnit.SECONDS);
      timer.shutdown();
      assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(made).isNotEmpty().noneMatch(Thread::isAlive);
    }
  }
}
