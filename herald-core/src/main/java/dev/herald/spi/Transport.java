package dev.herald.spi;

import dev.herald.Event;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Where a bus stores events for its durable subscriptions: the seam under which the durable log and
 * Kafka plug in, behind the same {@link dev.herald.EventBus} API.
 *
 * <p>The engine keeps everything else: routing to in-process subscriptions, mailboxes,
 * backpressure, retries, dead letters, stats. A transport only stores events ({@link #store}) and
 * feeds them back to durable subscriptions, one consumer group each ({@link #feed}), remembering
 * per group what was finished. Delivery to a group is at least once: after a restart a group
 * resumes after the last event it acknowledged, so only unacknowledged events are delivered again.
 *
 * <p>Effects before acknowledgements: a group acknowledges an event ({@code done}) only after
 * everything its handler published while handling it, on its delivery thread (emit, publish,
 * request), and its dead letter if it got one, is stored: each of those {@link #store} futures has
 * completed. If one fails, the event is not acknowledged: the delivery counts as failed, is retried
 * by the subscription's retry policy and then dead-lettered (an event whose dead letter cannot be
 * stored is delivered again later). So a crash after an acknowledgement never loses the effects of
 * the acknowledged event; a crash before it redelivers the event, whose effects may then be stored
 * twice (at least once). A transport needs no barrier of its own for this, but must complete every
 * store future.
 *
 * <p>Implementations are thread-safe. The bus that is built with a transport owns it and closes it
 * when the bus closes.
 */
public interface Transport extends AutoCloseable {

  /** A short name for messages and stats, for example {@code "log"} or {@code "kafka"}. */
  String name();

  /**
   * Stores one event. Called on the publisher's thread; must not block for long (a full internal
   * queue answers with a failed future).
   *
   * @return a future completed when the event is as durable as the transport promises, or failed
   *     with the cause (an I/O error, a full disk, a broker's refusal); never completed otherwise
   */
  CompletableFuture<Void> store(Event<?> event);

  /**
   * Feeds the stored events that {@code filter} accepts to a durable subscription of consumer group
   * {@code group}, in store order per key, starting after the group's last acknowledged event (from
   * the first stored event for a new group). Events the filter rejects count as acknowledged.
   *
   * @param sink called from a thread of the transport's, one event at a time per partition of the
   *     transport's choosing; it may block (that is backpressure)
   */
  Feed feed(String group, Predicate<Event<?>> filter, FeedSink sink);

  /** Stops every feed and releases the storage. */
  @Override
  void close();

  /** Receives stored events for a durable subscription. */
  @FunctionalInterface
  interface FeedSink {
    /**
     * Takes one event. {@code done} must be called exactly once, from any thread, when the
     * subscription has finished with the event (handled, dead-lettered or dropped by its policy)
     * and what it published meanwhile is stored; only then may the transport count it as
     * acknowledged. The bus never calls it for an event left behind by close (it calls {@link
     * Done#leftBehind} instead when {@code done} is a {@link Done}).
     *
     * @throws InterruptedException if the feed is being closed while the sink waits for room
     */
    void accept(Event<?> event, Runnable done) throws InterruptedException;

    /**
     * Whether the subscription may take events of {@code type}. A transport may ask before it
     * decodes a stored record, and skip (acknowledge without decoding) the records of types
     * answered false: the filter of {@link Transport#feed} would reject every one of them.
     */
    default boolean wantsType(String type) {
      return true;
    }

    /**
     * The payload class the subscription names (by payload class, or by type or pattern with a
     * payload type other than {@code Object}), or null when it names none. The subscription chose
     * this class itself, so a transport decodes into it a stored record whose stored class is this
     * class (or, for a sealed class or interface, one of its permitted subclasses), whether or not
     * its codec would decode that class for a record that names it by itself; a record that names
     * it but cannot become it goes to {@link #undecodable}. Records of other classes are decoded as
     * the codec decides.
     */
    default Class<?> payloadClass() {
      return null;
    }

    /**
     * Whether a stored record whose payload names no class (no type hint: a producer outside Java
     * wrote it, such as a CloudEvent published over HTTP) and whose data is JSON decodes into the
     * {@link #payloadClass} as well. True for a subscription by type or pattern with a payload
     * type, whose pattern chose the events; false (the default) for a subscription by payload
     * class, which cannot tell which unnamed records are of its class.
     */
    default boolean takesUnnamedPayloads() {
      return false;
    }

    /**
     * Takes a stored record that could not be turned back into an event (damaged or foreign
     * headers, a payload the codec refuses, a payload that cannot become the {@link #payloadClass}
     * it names). The bus dead-letters it for the subscription, with {@code cause}, and calls {@code
     * done}: a bad record never stops a consumer group or blocks it. The transport applies no
     * filter to such records; the bus decides by {@code placeholder}'s type, as {@link #wantsType}
     * would (a subscription by payload class cannot tell an undecodable record's class, so it takes
     * every type it may take rather than skip one unseen).
     *
     * @param placeholder an event standing for the record: its id and type when they could be read
     *     (else an id naming the record's position and the type {@value #UNDECODABLE_TYPE}), and a
     *     description of the record as data
     */
    default void undecodable(Event<?> placeholder, Throwable cause, Runnable done)
        throws InterruptedException {
      accept(placeholder, done);
    }

    /**
     * The feed stopped for good because of {@code cause} (its storage failed, a bug): nothing more
     * is fed to this subscription until it is made again. Unacknowledged events stay stored.
     */
    default void failed(Throwable cause) {}
  }

  /**
   * A {@code done} that also hears of its event being left behind: for an event the bus leaves
   * undelivered at close (its subscription's or its own), it calls {@link #leftBehind} once rather
   * than {@code run}. The event stays unacknowledged; a transport that waits, as a feed closes, for
   * the events it fed to be finished need not wait for this one.
   */
  interface Done extends Runnable {
    /** The event will not be finished by this subscription: not acknowledged, never to be. */
    void leftBehind();
  }

  /**
   * A {@code done} that also gives its event as it was stored, for its dead letter. A record that
   * names no class (a CloudEvent published over HTTP, say) decoded into the class its subscription
   * names ({@link FeedSink#takesUnnamedPayloads}) keeps only what that class models: a field the
   * class lacks is not in the subscription's event. When the subscription gives up on such an
   * event, the bus dead-letters the event {@link #asStored} gives instead, so that the dead letter,
   * and a redrive of it, keeps what was published.
   */
  interface AsStored {
    /**
     * The event as stored, decoded as for a subscription that names no class; null when the
     * subscription's event is the record as stored already. Called at most once per event, on a
     * delivery thread. If it throws, the bus dead-letters the subscription's event.
     */
    Event<?> asStored();
  }

  /** The type of a placeholder for a record whose own type could not be read. */
  String UNDECODABLE_TYPE = "herald.undecodable";

  /**
   * The data of a placeholder handed to {@link FeedSink#undecodable}: what a storing transport
   * knows of a stored record that did not decode. The bus tells placeholders apart by it: {@link
   * dev.herald.EventBus#redrive} refuses the dead letter of one, since publishing the placeholder
   * would give a subscription the description instead of its event.
   */
  interface UndecodableData {
    /** Why the record could not be decoded. */
    String error();
  }

  /** A running feed. Closing it stops delivery; unacknowledged events are fed again later. */
  interface Feed extends AutoCloseable {
    /**
     * How many events stored for the feed's group and selected by its filter or not, on the
     * partitions or log this feed reads, are not yet acknowledged: the group's lag as this process
     * sees it. An estimate, refreshed as the feed reads (never a blocking call to a broker); -1
     * when the transport cannot tell. Any thread.
     */
    default long lag() {
      return -1;
    }

    @Override
    void close();
  }
}
