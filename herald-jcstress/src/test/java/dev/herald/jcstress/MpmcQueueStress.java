package dev.herald.jcstress;

import dev.herald.internal.MpmcArrayQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link MpmcArrayQueue}, the worker pool's task queue and the mailbox of drop-oldest lanes, whose
 * publishers evict from the head: several consumers claim slots with a CAS and per-slot sequence
 * numbers.
 */
public final class MpmcQueueStress {
  private MpmcQueueStress() {}

  /** Two consumers at once take the two queued elements, one each, never the same one. */
  @JCStressTest
  @Outcome(id = "1, 2", expect = Expect.ACCEPTABLE, desc = "the first took the head")
  @Outcome(id = "2, 1", expect = Expect.ACCEPTABLE, desc = "the second took the head")
  @Outcome(expect = Expect.FORBIDDEN, desc = "one element taken twice, or one lost")
  @State
  public static class TwoConsumers {
    private final MpmcArrayQueue queue = new MpmcArrayQueue(4);

    public TwoConsumers() {
      queue.offer(new Box(1));
      queue.offer(new Box(2));
    }

    @Actor
    public void first(II_Result r) {
      Object e = queue.poll();
      r.r1 = e == null ? 0 : ((Box) e).value;
    }

    @Actor
    public void second(II_Result r) {
      Object e = queue.poll();
      r.r2 = e == null ? 0 : ((Box) e).value;
    }
  }

  /**
   * A producer and a consumer on a full queue of two: the slot the consumer frees is reused a lap
   * later, and the element in it is whole.
   */
  @JCStressTest
  @Outcome(id = "1, 5", expect = Expect.ACCEPTABLE, desc = "room made in time: queued")
  @Outcome(id = "0, 2", expect = Expect.ACCEPTABLE, desc = "still full: refused")
  @Outcome(expect = Expect.FORBIDDEN, desc = "lost, taken twice, or seen before its field")
  @State
  public static class WrapAround {
    private final MpmcArrayQueue queue = new MpmcArrayQueue(2);

    public WrapAround() {
      queue.offer(new Box(1));
      queue.offer(new Box(2));
    }

    @Actor
    public void producer(II_Result r) {
      r.r1 = queue.offer(new Box(3)) ? 1 : 0;
    }

    @Actor
    public void consumer() {
      queue.poll();
    }

    @Arbiter
    public void rest(II_Result r) {
      // The consumer took the head, 1: what is left sums to 2 + 3 when the offer got the freed
      // slot, to 2 when it was refused; a lost, doubled or half-published element sums otherwise.
      Object e;
      while ((e = queue.poll()) != null) {
        r.r2 += ((Box) e).value;
      }
    }
  }
}
