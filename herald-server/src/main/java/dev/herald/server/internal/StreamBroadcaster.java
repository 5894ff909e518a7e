package dev.herald.server.internal;

import dev.herald.TypePattern;
import dev.herald.server.GatewayStore;
import dev.herald.server.PositionGoneException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tail of the store, shared by every caught-up stream: one cursor, one encoding per event. Owns
 * the thread {@code herald-sse-tail}, which reads the store from {@code "latest"} (opened when the
 * first stream joins), encodes each event once into its SSE frame, keeps the last {@link
 * #RING_SIZE} frames, and queues each frame to the streams whose pattern matches its type ({@link
 * SseConnection#offer}: queuing only; the streams' writers write). A stream that cannot take it
 * (its buffer is full) closes itself. The events that are there to read at once go out together:
 * each stream is offered their frames as one array, so a fan-out that falls behind (a thousand
 * streams) makes one pass over the streams per batch of events, not per event. Once the writers'
 * rounds are long it waits for the round in progress to end before it queues a batch ({@link
 * SseFlusher#awaitRoundEnd}), and holds the next round back while it offers one, so that the round
 * starts with every stream.
 *
 * <p>Joining: a stream that resumed from an older position reads with a cursor of its own until it
 * has read everything stored, then asks to {@link #join} with the position it stopped at. It joins
 * when that position is the tail's, or one of the ring's (it gets the ring's later frames first);
 * otherwise (the tail is still behind it, or far ahead) it reads on and asks again. Positions are
 * compared for equality only, so this works on any store.
 *
 * <p>Threads: {@link #join} and {@link #leave} from any thread; they and the fan-out hold this
 * object's monitor, so a joiner never misses or doubles a frame.
 */
final class StreamBroadcaster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.streams");
  static final int RING_SIZE = 4096;
  private static final Duration WAIT = Duration.ofSeconds(1);
  static final int MAX_BATCH_EVENTS = 256;
  private static final long ROUND_WAIT_NANOS = Duration.ofSeconds(1).toNanos();
  static final int MAX_BATCH_BYTES = 64 << 10;

  /**
   * An event of the tail: its frame, or null when it cannot be written, or when no stream was open
   * as it was read ({@code unencoded} then holds it, in case a stream joins before it is
   * broadcast).
   */
  private record Entry(
      String position, String type, byte[] frame, GatewayStore.StoredEvent unencoded) {}

  private static final class Subscribers {
    final TypePattern pattern;
    final List<SseConnection> connections = new ArrayList<>();

    Subscribers(TypePattern pattern) {
      this.pattern = pattern;
    }
  }

  private final GatewayStore store;
  private final GatewayStats stats;
  private final SseFlusher writers;
  // All below guarded by this.
  private final Entry[] ring = new Entry[RING_SIZE];
  private int ringNext; // index the next entry goes to
  private int ringCount;

  /** How long a failed join keeps the tail encoding for it: many of its retries. */
  private static final long FRAMES_WANTED_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Map<String, Subscribers> byPattern = new HashMap<>();
  private GatewayStore.Cursor cursor;
  private String position;
  private Thread thread;
  private boolean closed;

  /**
   * Until when the tail encodes frames although no stream has joined: a stream failed to join and
   * is about to try again, and finds its position in the ring only if the events after it were
   * encoded.
   */
  private long framesWantedUntilNanos;

  StreamBroadcaster(GatewayStore store, GatewayStats stats, SseFlusher writers) {
    this.store = store;
    this.stats = stats;
    this.writers = writers;
  }

  /**
   * Joins {@code c} to the tail if {@code lastPosition} (the position its own reading stopped at)
   * is the tail's or in the ring; queues the ring's frames after it first.
   *
   * @return false if it cannot join yet: the caller reads on with its own cursor
   */
  synchronized boolean join(SseConnection c, TypePattern pattern, String lastPosition) {
    if (closed || c.isClosed()) {
      return false; // a stream closed meanwhile: its leave() ran before, or runs after, this
    }
    start();
    if (!lastPosition.equals(position)) {
      int found = -1;
      for (int k = 1; k <= ringCount; k++) {
        int i = Math.floorMod(ringNext - k, RING_SIZE);
        if (ring[i].position.equals(lastPosition)) {
          found = k - 1; // entries after it
          break;
        }
      }
      if (found < 0) {
        framesWantedUntilNanos = System.nanoTime() + FRAMES_WANTED_NANOS;
        return false;
      }
      for (int k = found; k >= 1; k--) {
        Entry e = ring[Math.floorMod(ringNext - k, RING_SIZE)];
        if (pattern.matches(e.type) && !c.offerCatchUpEvent(e.frame)) {
          return false;
        }
      }
    }
    byPattern.computeIfAbsent(pattern.toString(), p -> new Subscribers(pattern)).connections.add(c);
    return true;
  }

  /**
   * Starts reading the tail, if not yet: from the server's start, so that the stats count every
   * event stored from then on by type ({@link GatewayStats#readType}), whoever stored it.
   */
  synchronized void start() {
    if (closed || thread != null) {
      return;
    }
    cursor = store.cursor("latest");
    position = cursor.position();
    thread = new Thread(this::run, "herald-sse-tail");
    thread.setDaemon(true);
    thread.start();
  }

  synchronized void leave(SseConnection c, TypePattern pattern) {
    Subscribers s = byPattern.get(pattern.toString());
    if (s != null && s.connections.remove(c) && s.connections.isEmpty()) {
      byPattern.remove(pattern.toString());
    }
  }

  private void run() {
    GatewayStore.Cursor r;
    synchronized (this) {
      r = cursor;
    }
    try {
      while (true) {
        synchronized (this) {
          if (closed) {
            return;
          }
        }
        Optional<GatewayStore.StoredEvent> next;
        try {
          next = r.next(WAIT);
        } catch (PositionGoneException e) {
          r = restartAtEarliest(r, e);
          continue;
        }
        if (next.isPresent()) {
          // While the writers' round goes on (once rounds are long), the events wait in the
          // store, not in the streams' buffers: those overflow only for a client that does not
          // read, never because the writers are behind. The next batch is then larger.
          writers.awaitRoundEnd(ROUND_WAIT_NANOS);
          broadcast(batch(r, next.get()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing
    } catch (RuntimeException | Error e) {
      LOG.error("the streams' tail reader stopped; streams end", e);
      stats.count("stream.tail.failed");
      closeSubscribers("the server's tail reader failed");
    } finally {
      r.close();
    }
  }

  /**
   * The tail fell behind retention (it never should): its streams would miss events, so they are
   * closed (each resumes from its last id and is told of the gap) and the tail starts again.
   */
  private GatewayStore.Cursor restartAtEarliest(GatewayStore.Cursor old, PositionGoneException e) {
    LOG.warn("the streams' tail fell behind retention: {}", e.toString());
    old.close();
    GatewayStore.Cursor fresh = store.cursor("earliest");
    synchronized (this) {
      cursor = fresh;
      position = fresh.position();
      ringCount = 0;
    }
    closeSubscribers("the server's tail reader fell behind retention");
    return fresh;
  }

  /**
   * {@code first} and the events stored after it that can be read at once, each encoded into its
   * frame, up to {@link #MAX_BATCH_EVENTS} or {@link #MAX_BATCH_BYTES} of frames: the more the
   * fan-out falls behind, the more events each of its passes over the streams carries.
   */
  private List<Entry> batch(GatewayStore.Cursor r, GatewayStore.StoredEvent first)
      throws InterruptedException {
    // With no stream open the tail only counts types (the dashboard's throughput): encoding every
    // stored event into a frame nobody takes cost a quarter of the gateway's CPU under a batch
    // publish benchmark.
    boolean encode;
    synchronized (this) {
      encode = !byPattern.isEmpty() || System.nanoTime() - framesWantedUntilNanos < 0;
    }
    List<Entry> batch = new ArrayList<>();
    long bytes = add(batch, first, encode);
    while (batch.size() < MAX_BATCH_EVENTS && bytes < MAX_BATCH_BYTES) {
      Optional<GatewayStore.StoredEvent> more;
      try {
        more = r.next(Duration.ZERO);
      } catch (PositionGoneException e) {
        break; // the next read says so again, and the tail restarts there
      }
      if (more.isEmpty()) {
        break;
      }
      bytes += add(batch, more.get(), encode);
    }
    return batch;
  }

  /**
   * Counts {@code e}'s type and adds its entry, encoded into its frame when {@code encode}; the
   * frame's length (0 when not encoded or it cannot be written).
   */
  private int add(List<Entry> batch, GatewayStore.StoredEvent e, boolean encode) {
    String type = e.event().type();
    stats.readType(type);
    if (!encode) {
      batch.add(new Entry(e.position(), type, null, e));
      return 0;
    }
    byte[] frame = encode(e);
    batch.add(new Entry(e.position(), type, frame, null));
    return frame == null ? 0 : frame.length;
  }

  /** {@code e}'s frame, or null when it cannot be written as JSON (counted and logged). */
  private byte[] encode(GatewayStore.StoredEvent e) {
    try {
      return SseFrames.event(e.position(), e.event());
    } catch (IllegalArgumentException x) {
      // Stored, yet not writable as JSON: streams skip it.
      stats.count("stream.unwritable");
      LOG.warn("stream: cannot write event at {}", e.position(), x);
      return null;
    }
  }

  /**
   * Keeps the entries in the ring and queues, to each stream, the frames of the events its pattern
   * matches as one array: one offer per stream per batch, not per event.
   */
  private void broadcast(List<Entry> entries) {
    synchronized (this) {
      if (!byPattern.isEmpty()) {
        // A stream joined at the tail's position after this batch was read without frames.
        for (int i = 0; i < entries.size(); i++) {
          Entry e = entries.get(i);
          if (e.unencoded != null) {
            entries.set(i, new Entry(e.position, e.type, encode(e.unencoded), null));
          }
        }
      }
      for (Entry e : entries) {
        position = e.position;
        if (e.frame == null) {
          ringCount = 0; // a joiner must not join across the skipped event's position
        } else {
          ring[ringNext] = e;
          ringNext = (ringNext + 1) % RING_SIZE;
          ringCount = Math.min(ringCount + 1, RING_SIZE);
        }
      }
      // One round for the whole batch, started once every stream has its frames.
      writers.hold();
      try {
        for (Subscribers s : byPattern.values()) {
          byte[] frames = framesFor(s.pattern, entries);
          if (frames != null) {
            for (int i = 0; i < s.connections.size(); i++) {
              SseConnection c = s.connections.get(i);
              if (c.limited()) {
                offerEach(c, s.pattern, entries); // counted one by one against its limit
              } else {
                c.offer(frames); // a full one closes itself, on a writer thread
              }
            }
          }
        }
      } finally {
        writers.release();
      }
    }
  }

  /** Offers a limited stream the frames of {@code entries} its pattern matches, one by one. */
  private static void offerEach(SseConnection c, TypePattern pattern, List<Entry> entries) {
    for (Entry e : entries) {
      if (e.frame != null && pattern.matches(e.type) && !c.offerEvent(e.frame)) {
        return; // closed, or its limit's events are queued
      }
    }
  }

  /** The frames of {@code entries} that {@code pattern} matches, as one array; null if none. */
  private static byte[] framesFor(TypePattern pattern, List<Entry> entries) {
    int size = 0;
    int n = 0;
    byte[] only = null;
    for (Entry e : entries) {
      if (e.frame != null && pattern.matches(e.type)) {
        size += e.frame.length;
        n++;
        only = e.frame;
      }
    }
    if (n <= 1) {
      return only;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (Entry e : entries) {
      if (e.frame != null && pattern.matches(e.type)) {
        System.arraycopy(e.frame, 0, out, at, e.frame.length);
        at += e.frame.length;
      }
    }
    return out;
  }

  private void closeSubscribers(String reason) {
    List<SseConnection> all = new ArrayList<>();
    synchronized (this) {
      for (Subscribers s : byPattern.values()) {
        all.addAll(s.connections);
      }
      byPattern.clear();
    }
    for (SseConnection c : all) {
      c.close(reason);
    }
  }

  @Override
  public void close() {
    Thread t;
    GatewayStore.Cursor r;
    synchronized (this) {
      closed = true;
      t = thread;
      r = cursor;
    }
    if (r != null) {
      r.wakeup();
    }
    if (t != null) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
