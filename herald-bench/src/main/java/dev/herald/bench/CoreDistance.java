package dev.herald.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far apart two threads' cores are right now, as the threads of a bus see them: the time a
 * cache line takes to go from one thread to another and back, measured by two unpinned threads that
 * hand a counter to each other.
 *
 * <p>Why a benchmark needs it: on the 2-core virtual machine Herald is measured on, this round trip
 * is either about 70 ns or about 330 ns, and it changes from one to the other at moments nothing in
 * the benchmark does (the same two threads pinned to the two cores measure about 80 ns every time;
 * the cause lies in the scheduling under the guest, which the guest cannot see). Every event a bus
 * hands from a publisher to a consumer thread moves cache lines between them, so throughput follows
 * it: Herald's 1→1 emit runs at 10 to 15 million events per second when the trip is short and 5 to
 * 8 million when it is long. A ratio of rounds that ran in different modes measures the machine,
 * not the libraries, so {@link PairedRounds} probes before and after each round and the rounds can
 * be compared within one mode.
 */
final class CoreDistance {
  /** Hand-offs per probe: a few milliseconds when near, about 20 when far. */
  static final int TRIPS = 50_000;

  /** How long a probe may take before it gives up (a loaded machine descheduled a side). */
  private static final long DEADLINE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private CoreDistance() {}

  /**
   * The mean round trip of a cache line between this thread and another one, in nanoseconds, over
   * {@link #TRIPS} hand-offs; {@code NaN} when it could not finish in time.
   */
  static double roundTripNanos() {
    AtomicLong turn = new AtomicLong();
    long last = 2L * TRIPS;
    Thread echo =
        new Thread(
            () -> {
              // Odd values are this thread's to answer; a negative one says the probe gave up.
              for (long expect = 1; expect < last; expect += 2) {
                long seen;
                while ((seen = turn.get()) != expect) {
                  if (seen < 0) {
                    return;
                  }
                  Thread.onSpinWait();
                }
                if (!turn.compareAndSet(expect, expect + 1)) {
                  return; // The probe gave up between the read and the answer.
                }
              }
            },
            "core-distance-echo");
    echo.setDaemon(true);
    echo.start();
    long start = System.nanoTime();
    long deadline = start + DEADLINE_NANOS;
    boolean done = true;
    outer:
    for (long sent = 1; sent < last; sent += 2) {
      turn.set(sent);
      int spins = 0;
      while (turn.get() != sent + 1) {
        if ((++spins & 1023) == 0 && System.nanoTime() > deadline) {
          done = false;
          break outer;
        }
        Thread.onSpinWait();
      }
    }
    long nanos = System.nanoTime() - start;
    if (!done) {
      turn.set(-1);
    }
    try {
      echo.join(TimeUnit.NANOSECONDS.toMillis(DEADLINE_NANOS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return done ? (double) nanos / TRIPS : Double.NaN;
  }

  public static void main(String[] args) {
    int probes = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    for (int i = 0; i < probes; i++) {
      System.out.printf("%.0f ns%n", roundTripNanos());
    }
  }
}
