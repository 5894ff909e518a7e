package dev.herald.jcstress;

import dev.herald.internal.MpscArrayQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link MpscArrayQueue}, the mailbox of every lane but drop-oldest ones: producers claim a slot
 * with a CAS on the tail and publish the element with a release store; the one consumer takes it
 * without a CAS.
 */
public final class MpscQueueStress {
  private MpscQueueStress() {}

  /** Two producers at once: both elements are in the queue, each once, whoever won the CAS. */
  @JCStressTest
  @Outcome(id = "2, 3", expect = Expect.ACCEPTABLE, desc = "both offered, both taken once")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an element lost or taken twice")
  @State
  public static class TwoProducers {
    private final MpscArrayQueue queue = new MpscArrayQueue(4);

    @Actor
    public void first() {
      queue.offer(new Box(1));
    }

    @Actor
    public void second() {
      queue.offer(new Box(2));
    }

    @Arbiter
    public void drain(II_Result r) {
      Object e;
      while ((e = queue.poll()) != null) {
        r.r1++;
        r.r2 += ((Box) e).value;
      }
    }
  }

  /**
   * A producer and the consumer at once: the consumer sees nothing or the whole element (its field
   * written), and what it did not take is still there.
   */
  @JCStressTest
  @Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "polled before the offer")
  @Outcome(id = "42, 0", expect = Expect.ACCEPTABLE, desc = "polled the element, whole")
  @Outcome(id = "-1, .*", expect = Expect.FORBIDDEN, desc = "polled an element before its field")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an element lost or taken twice")
  @State
  public static class OfferAndPoll {
    private final MpscArrayQueue queue = new MpscArrayQueue(4);

    @Actor
    public void producer() {
      queue.offer(new Box(42));
    }

    @Actor
    public void consumer(II_Result r) {
      Object e = queue.poll();
      r.r1 = e == null ? 0 : ((Box) e).value == 42 ? 42 : -1;
    }

    @Arbiter
    public void rest(II_Result r) {
      while (queue.poll() != null) {
        r.r2++;
      }
    }
  }

  /**
   * A full queue: a producer offers while the consumer frees a slot. The offer succeeds or is
   * refused, never lost; the consumer takes the oldest element.
   */
  @JCStressTest
  @Outcome(id = "1, 1, 3", expect = Expect.ACCEPTABLE, desc = "room made in time: queued")
  @Outcome(id = "0, 1, 2", expect = Expect.ACCEPTABLE, desc = "still full: refused")
  @Outcome(expect = Expect.FORBIDDEN, desc = "lost, taken twice, or not first in first out")
  @State
  public static class FullQueue {
    private final MpscArrayQueue queue = new MpscArrayQueue(2);

    public FullQueue() {
      queue.offer(new Box(1));
      queue.offer(new Box(2));
    }

    @Actor
    public void producer(III_Result r) {
      r.r1 = queue.offer(new Box(3)) ? 1 : 0;
    }

    @Actor
    public void consumer(III_Result r) {
      Object e = queue.poll();
      r.r2 = e == null ? 0 : ((Box) e).value;
    }

    @Arbiter
    public void rest(III_Result r) {
      r.r3 = r.r2 == 0 ? 0 : 1;
      while (queue.poll() != null) {
        r.r3++;
      }
    }
  }
}
