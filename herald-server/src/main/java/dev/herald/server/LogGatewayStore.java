package dev.herald.server;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogFailedException;
import dev.herald.log.LogOptions;
import dev.herald.log.LogTransport;
import java.io.IOException;
import java.nio.file.Path;
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

  private LogGatewayStore(LogTransport transport, EventBus bus) {
    this.transport = transport;
    this.bus = bus;
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
    return transport
        .append(event)
        .handle(
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

  private static Throwable translate(Throwable t) {
    if (t instanceof RejectedExecutionException) {
      return new StoreBusyException("the log's append queue is full", t);
    }
    if (t instanceof LogFailedException || t instanceof IOException) {
      return new StoreUnavailableException("the log cannot store events: " + t.getMessage(), t);
    }
    if (t instanceof IllegalStateException) {
      return new StoreUnavailableException("the log is closed", t);
    }
    return t;
  }

  @Override
  public Cursor cursor(String from) {
    return LogCursor.open(transport, from);
  }

  @Override
  public List<GroupLag> groups() {
    throw new UnsupportedOperationException("not written yet");
  }

  @Override
  public List<StoredDeadLetter> deadLetters(String group, int limit) {
    throw new UnsupportedOperationException("not written yet");
  }

  @Override
  public Optional<StoredDeadLetter> deadLetter(String position) {
    throw new UnsupportedOperationException("not written yet");
  }

  @Override
  public CompletableFuture<Void> redrive(StoredDeadLetter deadLetter) {
    throw new UnsupportedOperationException("not written yet");
  }

  @Override
  public void close() {
    bus.close();
  }
}
