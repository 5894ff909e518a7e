package dev.herald.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The clock of user-created events: exact while reads are few, a copy refreshed every tick while
 * they are many, and a thread that waits without wake-ups, then ends, once they stop. Each test has
 * a clock of its own over a wall clock it moves by hand, so it can tell a copy from a fresh read.
 */
class EventClockTest {
  private final AtomicLong wall = new AtomicLong(1_000_000);

  private EventClock clock(int switchReads, long idleEndMillis) {
    return new EventClock(wall::get, switchReads, TimeUnit.MILLISECONDS.toNanos(idleEndMillis));
  }

  @Test
  void whileReadsAreFewEachReadsTheWallClockItself() {
    EventClock clock = clock(1024, 60_000);
    for (int i = 0; i < 1000; i++) {
      wall.addAndGet(7);
      assertThat(clock.millis()).isEqualTo(wall.get());
    }
    assertThat(clock.isCached()).isFalse();
    assertThat(clock.thread()).isNull();
  }

  @Test
  void manyReadsSwitchToACopyThatFollowsTheWallClockAndIsNeverAheadOfIt() {
    EventClock clock = clock(1024, 60_000);
    for (int i = 0; i < 1024; i++) {
      clock.millis();
    }
    readUntilCached(clock);
    assertThat(clock.thread().getName()).isEqualTo("herald-clock");
    assertThat(clock.thread().isDaemon()).isTrue();
    // Readers keep reading, as publishers would, while the wall clock moves on: the copy follows.
    long stale = clock.millis();
    wall.addAndGet(5_000);
    long deadline = System.nanoTime() + SECONDS.toNanos(10);
    long seen = stale;
    boolean copied = false;
    while (!copied) {
      assertThat(System.nanoTime()).as("copy refreshed within 10 s").isLessThan(deadline);
      boolean cachedBefore = clock.isCached();
      seen = clock.millis();
      copied = cachedBefore && clock.isCached() && seen == wall.get();
    }
    assertThat(seen).isEqualTo(stale + 5_000);
    // A copy is always a value the wall clock had: never ahead of it.
    for (int i = 0; i < 100_000; i++) {
      wall.incrementAndGet();
      long v = clock.millis();
      assertThat(v).isLessThanOrEqualTo(wall.get()).isGreaterThan(wall.get() - 1_000_000);
    }
  }

  @Test
  void whenReadsStopTheClockReadsDirectAgainAndItsThreadWaitsThenEnds() throws Exception {
    EventClock clock = clock(64, 300);
    for (int i = 0; i < 64; i++) {
      clock.millis();
    }
    readUntilCached(clock);
    Thread first = clock.thread();
    // No reads: within a window of ticks it goes back to direct and waits.
    await().atMost(10, SECONDS).until(() -> !clock.isCached() && clock.isIdle());
    wall.addAndGet(42);
    assertThat(clock.millis()).isEqualTo(wall.get());
    // Idle past its end: the thread ends, so it keeps no class loader alive.
    await().atMost(10, SECONDS).until(() -> !first.isAlive());
    // The next burst of reads starts a new one.
    for (int i = 0; i < 64; i++) {
      clock.millis();
    }
    readUntilCached(clock);
    assertThat(clock.thread()).isNotSameAs(first);
    assertThat(clock.thread().isAlive()).isTrue();
  }

  @Test
  void aReaderWakesTheWaitingThreadWhenReadsPickUpAgain() {
    EventClock clock = clock(64, 60_000);
    for (int i = 0; i < 64; i++) {
      clock.millis();
    }
    readUntilCached(clock);
    Thread first = clock.thread();
    await().atMost(10, SECONDS).until(() -> !clock.isCached() && clock.isIdle());
    for (int i = 0; i < 64; i++) {
      clock.millis();
    }
    readUntilCached(clock);
    assertThat(clock.thread()).isSameAs(first);
  }

  @Test
  void readersOnManyThreadsAcrossSwitchesGetOnlyValuesTheWallClockHad() throws Exception {
    EventClock clock = clock(256, 60_000);
    int readers = 4;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong wrong = new AtomicLong();
    CountDownLatch started = new CountDownLatch(readers);
    List<Thread> threads = new ArrayList<>();
    for (int r = 0; r < readers; r++) {
      Thread t =
          new Thread(
              () -> {
                started.countDown();
                long n = 0;
                while (!stop.get()) {
                  long low = wall.get() - 1_000_000; // before the test's first value
                  long v = clock.millis();
                  if (v > wall.get() || v < low) {
                    wrong.incrementAndGet();
                  }
                  // Bursts and pauses, so the clock switches both ways while they read.
                  if (++n % 50_000 == 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40));
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    started.await();
    // Until the clock has gone cached and back twice while they read (at most 10 s).
    int switches = 0;
    boolean was = false;
    long deadline = System.nanoTime() + SECONDS.toNanos(10);
    while (switches < 4 && System.nanoTime() < deadline) {
      wall.incrementAndGet();
      boolean now = clock.isCached();
      if (now != was) {
        switches++;
        was = now;
      }
      Thread.onSpinWait();
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertThat(wrong.get()).isZero();
    assertThat(switches).isPositive();
  }

  @Test
  void eventsCreatedAtHighRatesTakeTimesThatFollowTheWallClock() {
    // Enough events to put the shared clock in its cached mode, whatever ran before.
    for (int i = 0; i < 10_000; i++) {
      Event<Integer> e = Event.of("clock.e", i);
      assertThat(e.timeMillis()).isLessThanOrEqualTo(System.currentTimeMillis());
    }
    long target = System.currentTimeMillis() + 50;
    await()
        .atMost(10, SECONDS)
        .until(
            () -> {
              Event<Integer> e = Event.of("clock.e", 1);
              long after = System.currentTimeMillis();
              assertThat(e.timeMillis()).isLessThanOrEqualTo(after);
              return e.timeMillis() >= target;
            });
  }

  /**
   * Reads as a busy publisher would until the clock is cached (its thread starts it on a tick, and
   * a cached clock without reads goes back to direct within a window of ticks). At most 10 s.
   */
  private static void readUntilCached(EventClock clock) {
    long deadline = System.nanoTime() + SECONDS.toNanos(10);
    while (!clock.isCached()) {
      assertThat(System.nanoTime()).as("cached within 10 s").isLessThan(deadline);
      clock.millis();
    }
  }
}
