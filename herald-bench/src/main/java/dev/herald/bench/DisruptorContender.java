package dev.herald.bench;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventTranslatorOneArg;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The LMAX Disruptor used directly: one ring of 65,536 slots (Herald's mailbox size here), one
 * event processor thread per subscriber, a single-producer sequencer when there is one publisher.
 * {@link BlockingWaitStrategy}, the Disruptor's default, so that idle consumers sleep as Herald's
 * do; a spinning strategy would starve the publisher on a two-core machine.
 */
final class DisruptorContender implements Contender {
  private static final EventTranslatorOneArg<Slot, Tick> TRANSLATOR =
      (slot, seq, t) -> slot.tick = t;

  private final Disruptor<Slot> disruptor;
  private final RingBuffer<Slot> ring;

  DisruptorContender(int publishers, List<TickSink> subscribers) {
    disruptor =
        new Disruptor<>(
            Slot::new,
            65_536,
            new DaemonThreads("disruptor"),
            publishers == 1 ? ProducerType.SINGLE : ProducerType.MULTI,
            new BlockingWaitStrategy());
    for (TickSink sink : subscribers) {
      EventHandler<Slot> handler = (slot, seq, endOfBatch) -> sink.accept(slot.tick);
      disruptor.handleEventsWith(handler);
    }
    ring = disruptor.start();
  }

  @Override
  public void publish(Tick tick) {
    ring.publishEvent(TRANSLATOR, tick);
  }

  @Override
  public void close() {
    try {
      disruptor.shutdown(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      disruptor.halt();
    }
  }

  /** A ring slot; reused, so publishing allocates nothing. */
  static final class Slot {
    Tick tick;
  }
}
