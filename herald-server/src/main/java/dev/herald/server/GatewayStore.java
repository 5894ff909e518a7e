package dev.herald.server;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the gateway serves: the events of one store (an embedded durable log, or Kafka) and the bus
 * over it. Each face of the server (HTTP API, dashboard, CLI) reaches the store only through this
 * interface, so every endpoint works the same on every store ({@code GatewayStoreContract} runs the
 * same tests against each).
 *
 * <p>Positions: every stored event has a position, a short string that names where it lies in the
 * store ({@link #append} returns it, {@link StoredEvent#position()} carries it, and it is the SSE
 * {@code id:} a client resumes from). Positions are opaque to clients; each store documents its own
 * form. A cursor opened at a position yields exactly the events stored after it: no gap, no
 * duplicate.
 *
 * <p>Threads: safe for use from any thread. The store is owned by whoever opened it; the server
 * never closes a store it was given.
 */
public interface GatewayStore extends AutoCloseable {

  /** A short name for messages and stats: {@code "log"} or {@code "kafka"}. */
  String name();

  /**
   * The bus over this store: the gateway's durable subscriptions (streams with a group, webhooks),
   * dead letters and redrives go through it, so they are shared with every other process of the
   * same store.
   */
  EventBus bus();

  /**
   * The transport under {@link #bus()}. A stream of a consumer group ({@code GET
   * /v1/events/stream?group=}) joins the group's feed here rather than through a bus subscription,
   * so that it acknowledges an event only once a client received it, and leaves what it did not
   * write to the group's other members when its client goes away.
   *
   * @throws UnsupportedOperationException if this store has none (streams of a group are then
   *     refused)
   */
  default Transport transport() {
    throw new UnsupportedOperationException("the " + name() + " store has no transport");
  }

  /**
   * Stores one event published over HTTP, straight to the store (not routed to this process's
   * in-process subscriptions: durable subscriptions, here or elsewhere, are fed from the store).
   *
   * @return a future completed with the event's position once it is stored; failed with {@link
   *     StoreBusyException} when the store pushes back (answered 429), {@link
   *     StoreUnavailableException} when it cannot store at all (503), {@link
   *     EventTooLargeException} when the event as stored would exceed the store's largest record
   *     (413), or another {@link IllegalArgumentException} when the event cannot be encoded (400)
   */
  CompletableFuture<String> append(Event<?> event);

  /**
   * Stores events published together (an HTTP batch), each as {@link #append} stores one, with one
   * future per event, in order; a store that can write them together does (the log: one entry of
   * its append queue, one fsync). An event the store refuses fails its own future only, unless the
   * store refuses them all (busy, unavailable).
   */
  default List<CompletableFuture<String>> appendAll(List<? extends Event<?>> events) {
    List<CompletableFuture<String>> futures = new ArrayList<>(events.size());
    for (Event<?> event : events) {
      futures.add(append(event));
    }
    return futures;
  }

  /**
   * Opens a reader over the stored events.
   *
   * @param from {@code "earliest"}, {@code "latest"} (only events stored from now on), or a
   *     position (the events stored after it)
   * @throws PositionGoneException if events after {@code from} were already deleted by retention
   * @throws IllegalArgumentException if {@code from} is not a position of this store
   */
  Cursor cursor(String from);

  /** The consumer groups that committed progress in this store, with their lag. */
  List<GroupLag> groups();

  /**
   * The dead letters of {@code group} that are still unresolved (not redriven), oldest first,
   * without consuming them; at most {@code limit}.
   */
  List<StoredDeadLetter> deadLetters(String group, int limit);

  /** One dead letter by its position, or empty. */
  Optional<StoredDeadLetter> deadLetter(String position);

  /**
   * Publishes a dead letter's event again to the subscription that dead-lettered it ({@link
   * EventBus#redrive}), and marks the dead letter resolved so that {@link #deadLetters} no longer
   * lists it, in this process or after a restart.
   *
   * @return a future completed when the redriven event and the mark are stored
   */
  CompletableFuture<Void> redrive(StoredDeadLetter deadLetter);

  /**
   * Why the store cannot take events now (closed, failed, unreachable), or empty when it can: the
   * readiness the health endpoint reports. Cheap: it asks nothing of a remote broker.
   */
  default Optional<String> unavailable() {
    return Optional.empty();
  }

  /** Closes the bus and the store. */
  @Override
  void close();

  /** Reads stored events in order. Owned by one thread at a time; {@link #wakeup} from any. */
  interface Cursor extends AutoCloseable {
    /**
     * The next stored event, waiting up to {@code wait} for one to be stored; empty when none came.
     *
     * @throws PositionGoneException if retention deleted the events this cursor was to read next
     */
    Optional<StoredEvent> next(Duration wait) throws InterruptedException;

    /** The position of the last event returned, or the position the cursor was opened at. */
    String position();

    /** Makes a waiting {@link #next} return early. Any thread. */
    void wakeup();

    /**
     * Where a read from this cursor's opening position stops, so that it ends while events are
     * still being stored: {@code herald events replay} reads a range and exits. Call it before the
     * first {@link #next}.
     *
     * @param to {@code "latest"}: the end of what was stored when this cursor opened; or a
     *     position: where a reader that has read up to it stands (on the log, the event at that
     *     offset last)
     * @throws IllegalArgumentException if {@code to} is not a position of this store, or lies
     *     beyond what is stored
     * @throws UnsupportedOperationException if this store's cursors cannot be bounded
     */
    default Bound bound(String to) {
      throw new UnsupportedOperationException("this store's cursors cannot be bounded");
    }

    @Override
    void close();
  }

  /**
   * The end of a bounded read ({@link Cursor#bound}), measured in the store's records from the
   * position its cursor opened at. Asked on the thread that owns the cursor, after its {@link
   * Cursor#next}.
   */
  interface Bound {
    /** How many records lie between the cursor's opening position and the bound. */
    long size();

    /**
     * Whether the event the cursor returned last lies within the bound. On Kafka one partition may
     * be read past its part of the range while another is still being read up to its own.
     */
    boolean includesLast();

    /**
     * How many of the {@link #size} records the cursor has read: {@code size()} once the read is
     * complete. A record the store no longer has (dropped by a repair, compacted) counts as read
     * once the cursor passed it.
     */
    long read();
  }

  /** An event and its position in the store. */
  record StoredEvent(String position, Event<?> event) {}

  /** A dead letter as stored, with the position of its record. */
  record StoredDeadLetter(String position, DeadLetter deadLetter) {}

  /**
   * One consumer group's progress.
   *
   * @param partitions one entry per partition (one, {@code "0"}, for the log)
   */
  record GroupLag(String group, List<PartitionLag> partitions) {
    /** Events stored but not yet committed by the group, over every partition. */
    public long lag() {
      long sum = 0;
      for (PartitionLag p : partitions) {
        sum += p.lag();
      }
      return sum;
    }
  }

  /**
   * @param partition the partition's name in the store ({@code topic-partition} on Kafka)
   * @param committed the next offset the group will read
   * @param end the offset the next stored event will get
   */
  record PartitionLag(String partition, long committed, long end) {
    public long lag() {
      return Math.max(0, end - committed);
    }
  }
}
