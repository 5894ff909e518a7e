package dev.herald.jcstress;

import dev.herald.Backpressure;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.MailboxFullException;
import dev.herald.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A lane's state machine (idle, scheduled, held), through the public API: each state is a bus on a
 * {@link StepExecutor}, so one actor runs a lane's drain while the other publishes, and the arbiter
 * runs whatever the race left scheduled. Handlers count what they see; nothing may be stranded,
 * delivered twice, or delivered out of causal order.
 */
public final class LaneStress {
  private LaneStress() {}

  static EventBus bus(StepExecutor executor) {
    return Herald.builder().executor(executor).timeSource(SystemClockNoTimer.INSTANCE).build();
  }

  /**
   * A drainer empties the mailbox and goes idle while a publisher offers: either the drainer sees
   * the event before going idle, or it sees it on its re-check and takes the lane back, or the
   * publisher finds the lane idle and schedules it. Never stranded.
   */
  @JCStressTest
  @Outcome(id = "2, 0", expect = Expect.ACCEPTABLE, desc = "both delivered, never at once")
  @Outcome(expect = Expect.FORBIDDEN, desc = "stranded, doubled, or two drains at once")
  @State
  public static class GoingIdle {
    private final StepExecutor executor = new StepExecutor();
    private final EventBus bus = bus(executor);
    private final AtomicInteger delivered = new AtomicInteger();
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final Runnable firstDrain;

    public GoingIdle() {
      bus.subscribe(
          "t",
          e -> {
            if (inside.incrementAndGet() > 1) {
              overlaps.incrementAndGet();
            }
            delivered.incrementAndGet();
            inside.decrementAndGet();
          });
      bus.emit(Event.of("t", 1));
      firstDrain = executor.take();
    }

    // Made beforehand: the publisher's offer then lands within the drainer's few instructions
    // between its last poll and going idle often enough to test them.
    private final Event<Integer> second = Event.of("t", 2);

    @Actor
    public void drainer() {
      firstDrain.run();
    }

    @Actor
    public void publisher() {
      bus.emit(second);
    }

    @Arbiter
    public void rest(II_Result r) {
      executor.runAll();
      r.r1 = delivered.get();
      r.r2 = overlaps.get();
    }
  }

  /**
   * A publisher blocked on a full mailbox (two events, {@code Backpressure.block}) while the
   * drainer empties it: the drainer wakes it as it frees room (or as it goes idle, if the publisher
   * began waiting after the drainer last looked), well before the block's timeout.
   */
  @JCStressTest
  @Outcome(id = "1, 3", expect = Expect.ACCEPTABLE, desc = "woken, queued, all delivered")
  @Outcome(id = "0, .*", expect = Expect.FORBIDDEN, desc = "never woken: timed out")
  @Outcome(expect = Expect.FORBIDDEN, desc = "lost or doubled")
  @State
  public static class BlockedPublisher {
    /** Far beyond a wake-up; a publisher still waiting then was never woken. */
    static final Duration BLOCK = Duration.ofSeconds(10);

    private final StepExecutor executor = new StepExecutor();
    private final EventBus bus = bus(executor);
    private final AtomicInteger delivered = new AtomicInteger();
    private final Runnable firstDrain;

    public BlockedPublisher() {
      bus.subscribe(
          "t",
          e -> delivered.incrementAndGet(),
          SubscribeOptions.defaults().mailboxCapacity(2).backpressure(Backpressure.block(BLOCK)));
      bus.emit(Event.of("t", 1));
      bus.emit(Event.of("t", 2));
      firstDrain = executor.take();
    }

    @Actor
    public void publisher(II_Result r) {
      try {
        bus.emit(Event.of("t", 3));
        r.r1 = 1;
      } catch (MailboxFullException e) {
        r.r1 = 0;
      }
    }

    @Actor
    public void drainer() {
      firstDrain.run();
    }

    @Arbiter
    public void rest(II_Result r) {
      executor.runAll();
      r.r2 = delivered.get();
    }
  }

  /**
   * An effect never overtakes its cause. Subscriptions A ({@code e}) and B ({@code *}) both take
   * event e1; A's handler publishes f in reaction. A's drainer runs while e1's publisher is still
   * offering it, so it may take e1 before B's mailbox has it: then it holds e1 until the publisher
   * wakes it. B must see e1 before f.
   */
  @JCStressTest
  @Outcome(id = "1, 2", expect = Expect.ACCEPTABLE, desc = "B saw e0, e1, then f")
  @Outcome(expect = Expect.FORBIDDEN, desc = "the effect overtook its cause, or one was lost")
  @State
  public static class EffectAfterCause {
    private final StepExecutor executor = new StepExecutor();
    private final EventBus bus = bus(executor);
    private final AtomicInteger aDelivered = new AtomicInteger();
    private final List<String> seenByB = new ArrayList<>(); // B's drain is one thread at a time
    private final Runnable aDrain;

    public EffectAfterCause() {
      bus.subscribe(
          "e",
          e -> {
            aDelivered.incrementAndGet();
            if ("e1".equals(e.data())) {
              bus.emit(Event.of("f", "f"));
            }
          });
      bus.subscribe(
          "*",
          e -> {
            synchronized (seenByB) {
              seenByB.add(String.valueOf(e.data()));
            }
          });
      bus.emit(Event.of("e", "e0"));
      // Routing order is subscription order: A's run was handed over first, then B's.
      aDrain = executor.take();
    }

    @Actor
    public void publisher() {
      bus.emit(Event.of("e", "e1"));
    }

    @Actor
    public void drainerOfA() {
      aDrain.run();
    }

    @Arbiter
    public void rest(II_Result r) {
      executor.runAll();
      synchronized (seenByB) {
        r.r1 = seenByB.equals(List.of("e0", "e1", "f")) ? 1 : 0;
      }
      r.r2 = aDelivered.get();
    }
  }
}
