package dev.herald.server;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogFailedException;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import dev.herald.log.RecordTooLargeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link GatewayStore} on an embedded durable log directory. A position is the decimal offset of
 * the event's record in the directory's events topic ({@code "41"}); the cursor opened at {@code
 * "41"} starts at offset 42.
 *
 * <p>The store owns the directory (which admits one process at a time) and the bus over it.
 */
public final class LogGatewayStore implements GatewayStore {
  private final LogTransport transport;
  private final EventBus bus;
  private final LogGroups groups;
  private final LogDeadLetters deadLetters;
  private volatile boolean closed;

  private LogGatewayStore(LogTransport transport, EventBus bus) {
    this.transport = transport;
    this.bus = bus;
    this.groups = new LogGroups(transport.offsets(), transport.log());
    this.deadLetters = new LogDeadLetters(transport, bus, LogDeadLetters.DEFAULT_CAPACITY);
  }

  /** Opens (creating it when missing) the log directory {@code dir} with default options. */
  public static LogGatewayStore open(Path dir) throws IOException {
    LogTransport t = LogTransport.builder(LogDirectory.open(dir, LogOptions.defaults())).build();
    return over(t, Herald.builder().transport(t).build());
  }

  /**
   * A store over a bus built on {@code transport} by the caller (the demo's shop shares its bus
   * with the gateway this way). Closing the store closes the bus.
   */
  public static LogGatewayStore over(LogTransport transport, EventBus bus) {
    return new LogGatewayStore(
        Objects.requireNonNull(transport, "transport"), Objects.requireNonNull(bus, "bus"));
  }

  /** The transport under the bus. */
  @Override
  public LogTransport transport() {
    return transport;
  }

  @Override
  public String name() {
    return "log";
  }

  @Override
  public EventBus bus() {
    return bus;
  }

  @Override
  public CompletableFuture<String> append(Event<?> event) {
    return position(transport.append(event));
  }

  /** Through {@link LogTransport#appendAll}: one entry of the log's append queue, one fsync. */
  @Override
  public List<CompletableFuture<String>> appendAll(List<? extends Event<?>> events) {
    List<CompletableFuture<Long>> appended = transport.appendAll(events);
    List<CompletableFuture<String>> positions = new ArrayList<>(appended.size());
    for (CompletableFuture<Long> f : appended) {
      positions.add(position(f));
    }
    return positions;
  }

  private static CompletableFuture<String> position(CompletableFuture<Long> appended) {
    return appended.handle(
        (offset, failure) -> {
          if (failure == null) {
            return Long.toString(offset);
          }
          throw new CompletionException(translate(unwrap(failure)));
        });
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static Throwable translate(Throwable t) {
    if (t instanceof RejectedExecutionException) {
      return new StoreBusyException("the log's append queue is full", t);
    }
    if (t instanceof LogFailedException || t instanceof IOException) {
      return new StoreUnavailableException("the log cannot store events: " + t.getMessage(), t);
    }
    if (t instanceof IllegalStateException) {
      return new StoreUnavailableException("the log is closed", t);
    }
    if (t instanceof RecordTooLargeException big) {
      // Any other IllegalArgumentException is the event's data.
      return new EventTooLargeException(
          "the event as stored is too large: a record of "
              + big.sizeBytes()
              + " bytes exceeds the log's limit of "
              + big.maxRecordBytes()
              + " bytes",
          t);
    }
    return t;
  }

  @Override
  public Cursor cursor(String from) {
    return LogCursor.open(transport, from);
  }

  /** Every group that committed for the events topic; see {@link LogGroups}. */
  @Override
  public List<GroupLag> groups() {
    return groups.groups();
  }

  /**
   * {@inheritDoc}
   *
   * <p>On the log, a dead letter's group is the name of the subscription that dead-lettered it
   * ({@link LogDeadLetters}); {@code group} null lists every group's dead letters, and those whose
   * record does not decode.
   *
   * @throws StoreUnavailableException if the dead-letter index stopped (the log failed under it)
   */
  @Override
  public List<StoredDeadLetter> deadLetters(String group, int limit) {
    return deadLetters.list(group, limit);
  }

  /**
   * {@inheritDoc} Empty once it is resolved.
   *
   * @throws IllegalArgumentException if {@code position} is not a decimal offset
   */
  @Override
  public Optional<StoredDeadLetter> deadLetter(String position) {
    return deadLetters.find(position);
  }

  /**
   * {@inheritDoc} The mark is an event of type {@value LogDeadLetters#RESOLVED_TYPE} whose data is
   * the dead letter's position, stored once the redriven event is. The future fails with {@link
   * IllegalStateException} if the dead letter is resolved already, another redrive of it is under
   * way, or it cannot be redriven (its record, or the record it stands for, does not decode).
   */
  @Override
  public CompletableFuture<Void> redrive(StoredDeadLetter deadLetter) {
    Objects.requireNonNull(deadLetter, "deadLetter");
    return deadLetters.redrive(deadLetter);
  }

  @Override
  public Optional<String> unavailable() {
    if (closed) {
      return Optional.of("the store is closed");
    }
    if (transport.log().isFailed()) {
      return Optional.of(
          "the log failed a write or fsync and refuses events until it is reopened (recovery)");
    }
    return Optional.empty();
  }

  /** Every record below this offset has been read by the dead-letter index (for tests). */
  long deadLetterIndexedTo() {
    return deadLetters.indexedTo();
  }

  @Override
  public void close() {
    closed = true;
    try {
      deadLetters.close();
    } finally {
      bus.close();
    }
  }
}
