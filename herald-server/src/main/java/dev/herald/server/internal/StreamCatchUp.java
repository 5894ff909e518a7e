package dev.herald.server.internal;

import dev.herald.TypePattern;
import dev.herald.server.GatewayStore;
import dev.herald.server.PositionGoneException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one stream from the position it resumed at to the tail: reads with a cursor of its own,
 * queues the frames of matching events, and joins the {@link StreamBroadcaster} once it read all
 * that is stored. Runs as short tasks on the gateway's writer pool, never waiting: it reads while
 * the stream's buffer has room and asks to be run again when it drained ({@link
 * SseConnection#whenDrained}), or, when the tail is not yet where it stopped, after {@link
 * #RETRY_JOIN_MILLIS}. One task of a stream runs at a time (each schedules the next).
 */
final class StreamCatchUp implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.streams");
  static final long RETRY_JOIN_MILLIS = 2;

  private final SseConnection connection;
  private final TypePattern pattern;
  private final GatewayStore store;
  private final StreamBroadcaster tail;
  private final Executor writers;
  private final ScheduledExecutorService timer;
  private volatile GatewayStore.Cursor cursor; // replaced by the task; closed by stop() too

  StreamCatchUp(
      SseConnection connection,
      TypePattern pattern,
      GatewayStore.Cursor cursor,
      GatewayStore store,
      StreamBroadcaster tail,
      Executor writers,
      ScheduledExecutorService timer) {
    this.connection = connection;
    this.pattern = pattern;
    this.cursor = cursor;
    this.store = store;
    this.tail = tail;
    this.writers = writers;
    this.timer = timer;
  }

  /** The stream closed: ends a read in progress and releases the cursor. Any thread. */
  void stop() {
    cursor.close();
  }

  @Override
  public void run() {
    if (connection.isClosed()) {
      cursor.close();
      return;
    }
    try {
      while (connection.hasRoom()) {
        Optional<GatewayStore.StoredEvent> next = cursor.next(Duration.ZERO);
        if (next.isEmpty()) {
          if (tail.join(connection, pattern, cursor.position())) {
            cursor.close();
          } else {
            timer.schedule(() -> writers.execute(this), RETRY_JOIN_MILLIS, TimeUnit.MILLISECONDS);
          }
          return;
        }
        GatewayStore.StoredEvent e = next.get();
        if (pattern.matches(e.event().type())) {
          connection.offerCatchUpEvent(SseFrames.event(e.position(), e.event()));
        }
      }
      connection.whenDrained(this);
    } catch (PositionGoneException gone) {
      // Retention deleted what this stream was to read next: say so, go on from the earliest kept.
      String at = cursor.position();
      cursor.close();
      connection.offerCatchUp(StreamGap.frame(at, gone));
      cursor = store.cursor("earliest");
      writers.execute(this);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cursor.close();
      connection.close("interrupted");
    } catch (RuntimeException e) {
      LOG.error("a stream's catch-up reader failed; the stream ends", e);
      cursor.close();
      connection.close("its reader failed: " + e);
    }
  }
}
