package dev.herald.server;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.codec.CloudEventsBinary;
import dev.herald.codec.UndecodableRecord;
import dev.herald.log.Header;
import dev.herald.log.Log;
import dev.herald.log.LogReader;
import dev.herald.log.LogRecord;
import dev.herald.log.LogTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters of a log, for the gateway: the bus stores each as an event of type {@value
 * DeadLetter#TYPE} in the events topic, and a redrive stores a resolved mark, an event of type
 * {@value #RESOLVED_TYPE} whose data is the dead letter's position. A background reader, thread
 * {@code herald-gateway-deadletters}, reads the topic once from its start and then follows it,
 * keeping in a {@link DeadLetterIndex} the positions of the dead letters not yet resolved; a dead
 * letter's record is read on demand when it is listed or shown. Nothing is consumed: no group
 * commits anything.
 *
 * <p>Which group: a dead letter names the subscription that gave up ({@link
 * DeadLetter#subscription()}), and a redrive goes back to the subscriptions of that name ({@link
 * EventBus#redrive}). The group of a dead letter is therefore the subscription's name: the members
 * of consumer group {@code G} that are named {@code G} are the ones whose dead letters are listed
 * under {@code G}.
 *
 * <p>A dead-letter record that does not decode into a dead letter (its subscription cannot be read)
 * is listed only when no group is asked for, as a dead letter of subscription {@code ""} whose
 * event is the record's own (or, when even that does not decode, its placeholder, with {@link
 * UndecodableRecord} data); it cannot be redriven. A dead letter whose event is itself the
 * placeholder of an undecodable record is redriven by reading that record again: if it decodes now
 * (the codec was fixed), its event goes back to the subscription.
 *
 * <p>Threads: safe for use from any thread; {@link #close} stops the reader thread and waits for
 * it.
 */
final class LogDeadLetters implements AutoCloseable {
  /** The type of the marks that resolve dead letters; the data is the dead letter's position. */
  static final String RESOLVED_TYPE = "herald.deadletter.resolved";

  static final int DEFAULT_CAPACITY = 1_000_000;

  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server.deadletters");
  private static final Duration WAIT = Duration.ofMillis(200);

  /** The longest a request waits for the index to read the records stored before it came. */
  static final long CATCH_UP_MILLIS = 5_000;

  private static final String SOURCE = "/herald/gateway";

  private final LogTransport transport;
  private final EventBus bus;
  private final Log log;
  private final DeadLetterIndex index;
  private final Thread reader;
  private volatile boolean running = true;
  private volatile LogReader current;
  private volatile Throwable failure;

  LogDeadLetters(LogTransport transport, EventBus bus, int capacity) {
    this.transport = transport;
    this.bus = bus;
    this.log = transport.log();
    this.index = new DeadLetterIndex(capacity);
    this.reader = new Thread(this::follow, "herald-gateway-deadletters");
    reader.setDaemon(true);
    reader.start();
  }

  /** See {@link GatewayStore#deadLetters}; {@code group} null lists every group's. */
  List<GatewayStore.StoredDeadLetter> list(String group, int limit) {
    awaitCaughtUp();
    if (limit <= 0) {
      return List.of();
    }
    List<GatewayStore.StoredDeadLetter> out = new ArrayList<>();
    for (long p : index.oldest(group, limit)) {
      read(p).ifPresent(out::add);
    }
    return out;
  }

  /** See {@link GatewayStore#deadLetter}. */
  Optional<GatewayStore.StoredDeadLetter> find(String position) {
    long p = parse(position);
    awaitCaughtUp();
    if (!index.contains(p)) {
      return Optional.empty(); // resolved, or no dead letter there
    }
    return read(p);
  }

  /** See {@link GatewayStore#redrive}. */
  CompletableFuture<Void> redrive(GatewayStore.StoredDeadLetter stored) {
    long p = parse(stored.position());
    try {
      awaitCaughtUp(); // so that a dead letter stored just now can be claimed
    } catch (StoreUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!index.claim(p)) {
      String why =
          index.isClaimed(p)
              ? "another redrive of it is under way"
              : "it is not an unresolved dead letter of this log (resolved already?)";
      return CompletableFuture.failedFuture(
          new IllegalStateException("cannot redrive dead letter " + p + ": " + why));
    }
    DeadLetter dl;
    try {
      dl = redrivable(p, stored.deadLetter());
    } catch (RuntimeException e) {
      index.release(p, false);
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> done;
    try {
      done =
          bus.redrive(dl)
              .thenCompose(result -> transport.append(mark(p)))
              .thenApply(markOffset -> (Void) null);
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    return done.whenComplete((v, e) -> index.release(p, e == null))
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(unwrap(e))));
  }

  /** The dead letter to hand to the bus: an undecodable record's is rebuilt from its record. */
  private DeadLetter redrivable(long position, DeadLetter dl) {
    if (dl.subscription().equals(DeadLetterIndex.UNDECODABLE)) {
      throw new IllegalStateException(
          "dead letter " + position + " does not decode: its subscription cannot be known");
    }
    if (!(dl.event().data() instanceof UndecodableRecord u)) {
      return dl;
    }
    if (!u.topic().equals(log.name())) {
      throw new IllegalStateException(
          "dead letter " + position + " stands for a record of topic " + u.topic());
    }
    LogRecord r =
        readRecord(u.offset())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the undecodable record at offset " + u.offset() + " is no longer stored"));
    Event<?> again = transport.event(r);
    if (again.data() instanceof UndecodableRecord still) {
      throw new IllegalStateException(
          "the record at offset " + u.offset() + " still does not decode: " + still.error());
    }
    return new DeadLetter(
        again,
        dl.subscription(),
        dl.attempts(),
        dl.causeType(),
        dl.causeMessage(),
        null,
        dl.time());
  }

  private static Event<String> mark(long position) {
    return Event.<String>builder(RESOLVED_TYPE)
        .source(SOURCE)
        .data(Long.toString(position))
        .build();
  }

  /** Dead letters indexed and unresolved, and those that found the index full. */
  int indexed() {
    return index.size();
  }

  long notIndexed() {
    return index.notIndexed();
  }

  /** Every record below this offset has been read by the indexer. */
  long indexedTo() {
    return index.indexedTo();
  }

  /**
   * The decimal offset {@code position}.
   *
   * @throws IllegalArgumentException if it is not one
   */
  static long parse(String position) {
    if (position == null
        || position.isEmpty()
        || position.length() > 19
        || !position.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "position: a log position is a decimal offset, was '" + abbreviate(position) + "'");
    }
    try {
      return Long.parseLong(position);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("position: out of range: " + position, e);
    }
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private Optional<GatewayStore.StoredDeadLetter> read(long position) {
    Optional<LogRecord> r = readRecord(position);
    if (r.isEmpty() || !DeadLetter.TYPE.equals(type(r.get()))) {
      return Optional.empty();
    }
    Event<?> e = transport.event(r.get());
    DeadLetter dl =
        e.data() instanceof DeadLetter d
            ? d
            : new DeadLetter(
                e,
                DeadLetterIndex.UNDECODABLE,
                0,
                UndecodableRecord.class.getName(),
                e.data() instanceof UndecodableRecord u
                    ? u.error()
                    : "its data is not a dead letter but "
                        + (e.data() == null ? "null" : e.data().getClass().getName()),
                null,
                Instant.ofEpochMilli(Math.max(0, r.get().timestamp())));
    return Optional.of(new GatewayStore.StoredDeadLetter(Long.toString(position), dl));
  }

  private Optional<LogRecord> readRecord(long offset) {
    if (offset < log.startOffset() || offset >= log.endOffset()) {
      return Optional.empty();
    }
    try (LogReader r = log.reader(offset)) {
      Optional<LogRecord> record = r.poll();
      return record.filter(x -> x.offset() == offset);
    }
  }

  /** The reader thread: indexes every dead letter and resolved mark, in log order. */
  private void follow() {
    try (LogReader r = log.reader(log.startOffset())) {
      current = r;
      while (running) {
        Optional<LogRecord> next = r.next(WAIT);
        if (next.isPresent()) {
          index(next.get());
        }
        index.indexedTo(r.position());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      if (running) {
        failure = e;
        LOG.error(
            "the dead-letter index of topic {} stopped; dead letters cannot be listed until the"
                + " store is reopened",
            log.name(),
            e);
      }
    } finally {
      current = null;
      index.abandon();
    }
  }

  private void index(LogRecord record) {
    String type = type(record);
    if (DeadLetter.TYPE.equals(type)) {
      Event<?> e = transport.event(record);
      String subscription =
          e.data() instanceof DeadLetter d ? d.subscription() : DeadLetterIndex.UNDECODABLE;
      index.add(subscription, record.offset());
    } else if (RESOLVED_TYPE.equals(type)) {
      Event<?> e = transport.event(record);
      if (e.data() instanceof String s) {
        try {
          index.resolve(parse(s));
        } catch (IllegalArgumentException x) {
          LOG.warn("ignoring the resolved mark at offset {}: {}", record.offset(), x.getMessage());
        }
      }
    }
  }

  private static String type(LogRecord record) {
    for (Header h : record.headers()) {
      if (h.name().equals(CloudEventsBinary.TYPE)) {
        return h.valueAsString();
      }
    }
    return null;
  }

  /**
   * Waits until the index has read every record stored before this call, so that a list or a
   * look-up sees every dead letter and every resolved mark stored before it.
   *
   * @throws StoreUnavailableException if the index stopped, or is still reading an old log after
   *     {@value #CATCH_UP_MILLIS} ms (after the store was opened)
   */
  private void awaitCaughtUp() {
    requireRunning();
    long end = log.endOffset();
    boolean caughtUp;
    try {
      caughtUp = index.awaitIndexedTo(end, CATCH_UP_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while the dead-letter index caught up", e);
    }
    requireRunning();
    if (!caughtUp) {
      throw new StoreUnavailableException(
          "the dead-letter index is still reading the log (at offset "
              + index.indexedTo()
              + " of "
              + end
              + "); try again shortly",
          null);
    }
  }

  private void requireRunning() {
    Throwable f = failure;
    if (f != null) {
      throw new StoreUnavailableException(
          "the dead-letter index stopped: " + f + "; reopen the store", f);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Throwable translate(Throwable t) {
    return LogGatewayStore.translate(t);
  }

  @Override
  public void close() {
    running = false;
    LogReader r = current;
    if (r != null) {
      r.wakeup();
    }
    try {
      reader.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
