package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writers' rounds ({@link SseFlusher}) with real {@link SseConnection}s writing to an in-memory
 * servlet output that is always ready: a round starts on an offer, with no timer ticking; frames
 * queued while a round is written go out in the next one, together, in one write; the tail's hold
 * keeps a round from starting until it released; the tail waits for a round in progress only once
 * rounds are long.
 */
class SseFlusherTest {
  private static final long BOUND_SECONDS = 10;
  private static final int THREADS = 2;
  private final ExecutorService writers = Executors.newFixedThreadPool(THREADS);
  private final SseFlusher flusher = new SseFlusher(writers, THREADS);
  private final GatewayStats stats = new GatewayStats();

  @AfterEach
  void stop() throws InterruptedException {
    writers.shutdownNow();
    assertThat(writers.awaitTermination(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aRoundStartsOnAnOfferWithoutATick() throws Exception {
    Output out = new Output();
    SseConnection c = open(out);

    assertThat(c.offer(bytes("a"))).isTrue();

    assertThat(out.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(c.offer(bytes("b"))).isTrue(); // and again once that round ended
    assertThat(out.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("b");
  }

  @Test
  void framesQueuedDuringARoundGoOutTogetherInTheNext() throws Exception {
    Output blocked = new Output();
    blocked.blockFirstWrite();
    Output other = new Output();
    SseConnection held = open(blocked);
    SseConnection c = open(other);

    // A round writes c; a second one is then stuck in held's write: no round starts meanwhile.
    assertThat(c.offer(bytes("1"))).isTrue();
    assertThat(other.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("1");
    assertThat(held.offer(bytes("x"))).isTrue();
    assertThat(blocked.firstWriteStarted.await(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(c.offer(bytes("2"))).isTrue();
    assertThat(c.offer(bytes("3"))).isTrue();
    assertThat(c.offer(bytes("4"))).isTrue();
    assertThat(other.writes).isEmpty();

    blocked.unblock();
    assertThat(blocked.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("x");
    assertThat(other.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("234");
  }

  @Test
  void aHeldRoundStartsOnReleaseWithEveryStreamOfferedMeanwhile() throws Exception {
    List<Output> outs = new ArrayList<>();
    List<SseConnection> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Output out = new Output();
      outs.add(out);
      streams.add(open(out));
    }

    flusher.hold();
    for (SseConnection c : streams) {
      assertThat(c.offer(bytes("e"))).isTrue();
    }
    for (Output out : outs) {
      assertThat(out.writes).as("nothing written while held").isEmpty();
    }
    flusher.release();

    for (Output out : outs) {
      assertThat(out.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("e");
    }
  }

  @Test
  void theTailDoesNotWaitForARoundWhileRoundsAreShort() throws Exception {
    Output out = new Output();
    SseConnection c = open(out);
    assertThat(c.offer(bytes("short"))).isTrue(); // a round of one in-memory write: microseconds
    assertThat(out.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("short");
    Output blocked = new Output();
    blocked.blockFirstWrite();
    SseConnection held = open(blocked);
    assertThat(held.offer(bytes("x"))).isTrue();
    assertThat(blocked.firstWriteStarted.await(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();

    long timeout = TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
    long start = System.nanoTime();
    flusher.awaitRoundEnd(timeout); // returns at once, with the round still on

    assertThat(System.nanoTime() - start).isLessThan(timeout);
    assertThat(blocked.writes).as("the round in progress has not ended").isEmpty();
    blocked.unblock();
    assertThat(blocked.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("x");
  }

  @Test
  void theTailWaitsForARoundOnceRoundsAreLong() throws Exception {
    Output slow = new Output();
    slow.slowFirstWrite(TimeUnit.MILLISECONDS.toNanos(2 * SseFlusher.SHORT_ROUND_MILLIS));
    SseConnection c = open(slow);
    assertThat(c.offer(bytes("long"))).isTrue();
    assertThat(slow.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("long");
    Output blocked = new Output();
    blocked.blockFirstWrite();
    SseConnection held = open(blocked);
    assertThat(held.offer(bytes("x"))).isTrue();
    assertThat(blocked.firstWriteStarted.await(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();

    long timeout = TimeUnit.MILLISECONDS.toNanos(200);
    long start = System.nanoTime();
    flusher.awaitRoundEnd(timeout); // the round stays blocked: it waits for the whole timeout

    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(timeout);
    blocked.unblock();
    assertThat(blocked.writes.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("x");
  }

  private SseConnection open(Output out) {
    SseConnection c = new SseConnection("p", stats, writers, flusher, 1 << 20);
    c.start(out);
    return c;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * An always-ready servlet output that records each write as a string; its first write may block
   * until released (a round in progress).
   */
  private static final class Output extends ServletOutputStream {
    /** What reached the socket, one entry per flush of what was written before it. */
    final LinkedBlockingQueue<String> writes = new LinkedBlockingQueue<>();

    private final StringBuilder pending = new StringBuilder(); // the writer's, one at a time
    final CountDownLatch firstWriteStarted = new CountDownLatch(1);
    private volatile CountDownLatch gate;
    private volatile long slowNanos;
    private boolean first = true;

    void blockFirstWrite() {
      gate = new CountDownLatch(1);
    }

    void unblock() {
      gate.countDown();
    }

    /** The first write takes at least {@code nanos}: a slow socket. */
    void slowFirstWrite(long nanos) {
      slowNanos = nanos;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      try {
        listener.onWritePossible(); // as the container does once at the start
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (first) {
        first = false;
        firstWriteStarted.countDown();
        long until = System.nanoTime() + slowNanos;
        for (long left = slowNanos; left > 0; left = until - System.nanoTime()) {
          LockSupport.parkNanos(left);
        }
        CountDownLatch g = gate;
        if (g != null) {
          try {
            if (!g.await(BOUND_SECONDS, TimeUnit.SECONDS)) {
              throw new IllegalStateException("the write was never released");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
      }
      pending.append(new String(b, off, len, StandardCharsets.US_ASCII));
    }

    /**
     * What was written since the last flush reaches the socket as one write, as in the container.
     */
    @Override
    public void flush() {
      if (pending.length() > 0) {
        writes.add(pending.toString());
        pending.setLength(0);
      }
    }
  }
}
