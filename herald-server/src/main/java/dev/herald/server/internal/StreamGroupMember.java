package dev.herald.server.internal;

import dev.herald.Event;
import dev.herald.TypePattern;
import dev.herald.spi.Transport;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream of a consumer group ({@code ?group=NAME}): a member of the group's feed in the store, as
 * a durable subscription of that group is, so the group's position is kept in the store and any
 * gateway instance (any process of the store) serves the next connection. Each event is queued to
 * the stream with its acknowledgement, which runs only once the event was written and flushed to
 * the client and a later write succeeded, at least {@link SseConnection#CONFIRM_AFTER_MILLIS} after
 * it (the connection was alive after the event reached it); when the client goes away the member
 * leaves the group, and what it had not written or not had confirmed is fed again to the group's
 * other members, or to its next one: at least once. A stream with a {@code limit} takes that many
 * events, refuses the next ones (they stay the group's, not acknowledged), and ends once those it
 * took are confirmed.
 *
 * <p>Threads: {@link #accept} runs on the store's feed thread for the group and waits for room in
 * the stream's buffer at most {@link #ROOM_WAIT_SECONDS} (that is the group's backpressure); a
 * stream still full then is closed as too slow, and its events go to the others.
 */
final class StreamGroupMember implements Transport.FeedSink {
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.streams");
  static final long ROOM_WAIT_SECONDS = 10;

  private final SseConnection connection;
  private final TypePattern pattern;
  // The events queued to the stream whose acknowledgement has not run yet.
  private final Set<Outstanding> outstanding = ConcurrentHashMap.newKeySet();

  StreamGroupMember(SseConnection connection, TypePattern pattern) {
    this.connection = connection;
    this.pattern = pattern;
  }

  /**
   * Joins {@code group} in {@code transport}; the member leaves when the stream closes: the events
   * it holds unconfirmed are left behind at once ({@link Transport.Done#leftBehind}), so that the
   * feed does not wait for them, and the feed is closed on a thread of its own ({@code
   * herald-sse-leave-<group>}), which leaves the group (on Kafka: the consumer's close sends the
   * group coordinator its leave, and the group rebalances at once), without holding up the thread
   * that closed the stream (a writer, the feed's own threads, the timer).
   */
  static void join(
      Transport transport, String group, SseConnection connection, TypePattern pattern) {
    StreamGroupMember m = new StreamGroupMember(connection, pattern);
    Transport.Feed feed = transport.feed(group, e -> pattern.matches(e.type()), m);
    connection.onClose(m::leaveBehind);
    connection.onClose(() -> leave(group, feed));
  }

  /** Closes {@code feed} on a new daemon thread. */
  private static void leave(String group, Transport.Feed feed) {
    Thread t =
        new Thread(
            () -> {
              try {
                feed.close();
              } catch (RuntimeException e) {
                LOG.warn("stream of group {}: closing its feed failed", group, e);
              }
            },
            "herald-sse-leave-" + group);
    t.setDaemon(true);
    t.start();
  }

  /**
   * The stream closed: every event it took and had not confirmed is left behind, never to be
   * acknowledged by this member (its frame was dropped, or written without proof that the client
   * read it). Any thread; once.
   */
  private void leaveBehind() {
    for (Outstanding o : outstanding) {
      o.leaveBehind();
    }
  }

  @Override
  public void accept(Event<?> event, Runnable done) throws InterruptedException {
    if (!pattern.matches(event.type())) {
      done.run(); // an undecodable record of a type this stream does not take
      return;
    }
    byte[] frame;
    try {
      frame = SseFrames.event(null, event);
    } catch (IllegalArgumentException e) {
      // Stored, yet not writable as JSON: skipped for this group, and said so.
      LOG.warn("stream: cannot write event {}", event.id(), e);
      done.run();
      return;
    }
    Outstanding o = new Outstanding(done);
    // Added before the offer: a close after a successful offer finds it (both take the stream's
    // queue lock, and the close listeners run after).
    outstanding.add(o);
    if (!connection.offerWaiting(frame, o, TimeUnit.SECONDS.toNanos(ROOM_WAIT_SECONDS))) {
      o.refused();
      // Not acknowledged: this member is leaving (closed, or its limit's events are taken), and
      // the group's feed gives it to another.
      throw new InterruptedException(
          connection.isClosed()
              ? "the stream closed: " + connection.closeReason()
              : "the stream took its limit's events");
    }
  }

  @Override
  public boolean wantsType(String type) {
    return pattern.matches(type);
  }

  @Override
  public void failed(Throwable cause) {
    connection.close("the group's feed failed: " + cause);
  }

  /**
   * One event queued to the stream: its {@code done} runs once, either as the acknowledgement
   * (confirmed written) or as {@link Transport.Done#leftBehind} (the stream closed first), never
   * both.
   */
  private final class Outstanding implements Runnable {
    private final Runnable done;
    private final AtomicBoolean settled = new AtomicBoolean();

    Outstanding(Runnable done) {
      this.done = done;
    }

    /** The stream confirmed the event written: acknowledged. */
    @Override
    public void run() {
      if (settled.compareAndSet(false, true)) {
        outstanding.remove(this);
        done.run();
      }
    }

    /** The stream closed first: never to be acknowledged by this member. */
    void leaveBehind() {
      if (settled.compareAndSet(false, true)) {
        outstanding.remove(this);
        if (done instanceof Transport.Done d) {
          d.leftBehind();
        }
      }
    }

    /** Not queued: {@link #accept} throws, and the feed takes the event back itself. */
    void refused() {
      if (settled.compareAndSet(false, true)) {
        outstanding.remove(this);
      }
    }
  }
}
