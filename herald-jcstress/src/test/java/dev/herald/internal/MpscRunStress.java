package dev.herald.internal;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link MpscArrayQueue}'s run claim, which a batch writes a subscription's own mailbox with:
 * {@code claim(n)} takes n slots with one CAS on the tail, then the claimer fills them with release
 * stores, while single offers claim beside it and the one consumer polls. In package {@code
 * dev.herald.internal}: the run claim is not API.
 */
public final class MpscRunStress {
  private MpscRunStress() {}

  /** An element whose field a consumer that saw it too early would read as 0. */
  static final class Item {
    int value;

    Item(int value) {
      this.value = value;
    }
  }

  /** Claims a run of two and fills it with 1 then 2. */
  static void writeRunOfTwo(MpscArrayQueue queue) {
    long index = queue.claim(2);
    queue.fill(index, new Item(1));
    queue.fill(index + 1, new Item(2));
  }

  /** An item's value, 0 for none, -1 for an item whose field was seen before it was written. */
  static int value(Object e) {
    if (e == null) {
      return 0;
    }
    int v = ((Item) e).value;
    return v == 0 ? -1 : v;
  }

  /**
   * A run of two claimed beside a single offer: the consumer takes all three once, and the run in
   * one piece (2 right after 1), whoever claimed first. The result is (the sum, 1 if the run was
   * together).
   */
  @JCStressTest
  @Outcome(id = "7, 1", expect = Expect.ACCEPTABLE, desc = "all taken once, the run in one piece")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an element lost or taken twice, or the run split")
  @State
  public static class RunBesideSingle {
    private final MpscArrayQueue queue = new MpscArrayQueue(4);

    @Actor
    public void run() {
      writeRunOfTwo(queue);
    }

    @Actor
    public void single() {
      queue.offer(new Item(4));
    }

    @Arbiter
    public void read(II_Result r) {
      int previous = 0;
      Object e;
      while ((e = queue.poll()) != null) {
        int v = value(e);
        if (previous == 1 && v == 2) {
          r.r2 = 1;
        }
        previous = v;
        r.r1 += v;
      }
    }
  }

  /**
   * The consumer polls twice while a run of two is written: once it has taken the run's first
   * element, the second is claimed too, so its next poll waits for it rather than find the queue
   * empty. The result is (the first poll's value, the second's, the sum left after), 0 for none.
   */
  @JCStressTest
  @Outcome(id = "0, 0, 3", expect = Expect.ACCEPTABLE, desc = "both polls before the claim")
  @Outcome(id = "0, 1, 2", expect = Expect.ACCEPTABLE, desc = "the first poll before the claim")
  @Outcome(id = "1, 2, 0", expect = Expect.ACCEPTABLE, desc = "both polls after the claim")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an element seen early, out of order, lost or twice")
  @State
  public static class RunAndPoll {
    private final MpscArrayQueue queue = new MpscArrayQueue(4);

    @Actor
    public void producer() {
      writeRunOfTwo(queue);
    }

    @Actor
    public void consumer(III_Result r) {
      r.r1 = value(queue.poll());
      r.r2 = value(queue.poll());
    }

    @Arbiter
    public void rest(III_Result r) {
      Object e;
      while ((e = queue.poll()) != null) {
        r.r3 += value(e);
      }
    }
  }
}
