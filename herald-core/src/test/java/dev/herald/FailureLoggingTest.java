package dev.herald;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failures that nothing else observes are logged under the stable names {@link EventBus} documents:
 * through {@link System.Logger}, whose default backend is java.util.logging, so a JUL handler on
 * {@code dev.herald.bus} sees every record, {@code dev.herald.bus.listener}'s too (a child).
 */
class FailureLoggingTest {
  private static final String LOGGER = "dev.herald.bus";
  private static final String LISTENER_LOGGER = "dev.herald.bus.listener";

  /** Captures the engine's log records. Thread-safe. */
  static final class Captured extends Handler {
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** A clock that moves only when told. */
  static final class ManualTime implements TimeSource {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long epochMillis() {
      return nanos.get() / 1_000_000;
    }

    @Override
    public long nanoTime() {
      return nanos.get();
    }
  }

  // Held strongly: JUL keeps loggers weakly, and a collected logger forgets its handler.
  private final Logger engineLogger = Logger.getLogger(LOGGER);
  private final Captured captured = new Captured();
  private boolean useParentHandlers;
  private EventBus bus;

  @BeforeEach
  void capture() {
    useParentHandlers = engineLogger.getUseParentHandlers();
    engineLogger.setUseParentHandlers(false); // keep the expected warnings out of the test output
    engineLogger.addHandler(captured);
  }

  @AfterEach
  void release() {
    if (bus != null) {
      bus.close(Duration.ofSeconds(10));
    }
    engineLogger.removeHandler(captured);
    engineLogger.setUseParentHandlers(useParentHandlers);
  }

  private static void failing(EventBus bus, String name, RuntimeException failure) {
    bus.subscribe(
        "order.placed",
        e -> {
          throw failure;
        },
        SubscribeOptions.defaults().name(name));
  }

  @Test
  void aHandlerFailureThatNobodyObservesIsLoggedAtWarning() throws Exception {
    bus = Herald.inMemory();
    IllegalStateException declined = new IllegalStateException("card declined");
    failing(bus, "payments", declined);
    Event<String> event = Event.of("order.placed", "o-1", "o-1");

    PublishResult r = bus.publish(event).get(30, SECONDS);

    assertThat(r.deliveries())
        .extracting(Delivery::outcome)
        .containsExactly(Delivery.Outcome.DEAD_LETTERED);
    assertThat(captured.records).hasSize(1);
    LogRecord record = captured.records.get(0);
    assertThat(record.getLevel()).isEqualTo(Level.WARNING);
    assertThat(record.getLoggerName()).isEqualTo(LOGGER);
    assertThat(record.getMessage())
        .contains("'payments'")
        .contains(event.id())
        .contains("order.placed")
        .contains("DeadLetter.class");
    assertThat(record.getThrown()).isSameAs(declined);
  }

  @Test
  void aDeadLetterThatASubscriptionTheListenerOrTheUnroutedChannelTakesIsNotLogged()
      throws Exception {
    List<DeadLetter> heard = new CopyOnWriteArrayList<>();
    bus =
        Herald.builder()
            .listener(
                new BusListener() {
                  @Override
                  public void onDeadLetter(DeadLetter deadLetter) {
                    heard.add(deadLetter);
                  }
                })
            .build();
    failing(bus, "payments", new IllegalStateException("declined"));
    bus.publish("order.placed", "o-1").get(30, SECONDS);
    assertThat(heard).hasSize(1);
    bus.close();

    bus = Herald.inMemory();
    List<DeadLetter> taken = new CopyOnWriteArrayList<>();
    bus.subscribe(DeadLetter.class, taken::add);
    failing(bus, "payments", new IllegalStateException("declined"));
    bus.publish("order.placed", "o-2").get(30, SECONDS);
    await().atMost(30, SECONDS).until(() -> taken.size() == 1);
    bus.close();

    bus = Herald.inMemory();
    List<Event<Object>> unrouted = new CopyOnWriteArrayList<>();
    bus.subscribeUnrouted(unrouted::add, SubscribeOptions.defaults());
    failing(bus, "payments", new IllegalStateException("declined"));
    bus.publish("order.placed", "o-3").get(30, SECONDS);
    await().atMost(30, SECONDS).until(() -> unrouted.size() == 1);

    assertThat(captured.records).isEmpty();
  }

  @Test
  void aDeadLetterSubscriptionThatGivesUpCountsItDeadLetteredAndLogsItUnpublished()
      throws Exception {
    bus = Herald.inMemory();
    failing(bus, "payments", new IllegalStateException("declined"));
    IllegalStateException broken = new IllegalStateException("dlq broken");
    bus.subscribe(
        DeadLetter.class,
        d -> {
          throw broken;
        },
        SubscribeOptions.defaults().name("dlq"));
    Event<String> event = Event.of("order.placed", "o-1", "o-1");
    bus.publish(event).get(30, SECONDS);
    await().atMost(30, SECONDS).until(() -> bus.stats().subscription("dlq").deadLettered() == 1);

    SubscriptionStats dlq = bus.stats().subscription("dlq");
    assertThat(dlq.routed()).isEqualTo(1);
    assertThat(dlq.failed()).isEqualTo(1);
    assertThat(dlq.routed())
        .isEqualTo(dlq.delivered() + dlq.deadLettered() + dlq.dropped() + dlq.inFlight());
    // Given up on: logged, not published again (the event and its one dead letter only).
    assertThat(bus.stats().published()).isEqualTo(2);
    assertThat(captured.records)
        .filteredOn(r -> r.getMessage().contains("dead-letter subscription 'dlq'"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getMessage())
                  .contains(DeadLetter.TYPE)
                  .contains("it is not published again");
              assertThat(r.getThrown()).isSameAs(broken);
            });
  }

  @Test
  void aFloodOfFailuresIsLoggedAtMostTenTimesASecondAndSaysHowManyWereLeftOut() throws Exception {
    ManualTime time = new ManualTime();
    bus = Herald.builder().timeSource(time).build();
    failing(bus, "payments", new IllegalStateException("declined"));
    for (int i = 0; i < 50; i++) {
      bus.emit("order.placed", i);
    }
    await()
        .atMost(30, SECONDS)
        .until(() -> bus.stats().subscription("payments").deadLettered() == 50);
    assertThat(captured.records).hasSize(10);

    time.nanos.addAndGet(SECONDS.toNanos(1));
    bus.publish("order.placed", 50).get(30, SECONDS);

    assertThat(captured.records).hasSize(11);
    assertThat(captured.records.get(10).getMessage())
        .contains("40 more such warnings were left out");
  }

  @Test
  void aListenerThatThrowsIsLogged() throws Exception {
    IllegalStateException broken = new IllegalStateException("broken listener");
    bus =
        Herald.builder()
            .listener(
                new BusListener() {
                  @Override
                  public void onUnrouted(Event<?> event) {
                    throw broken;
                  }
                })
            .build();
    bus.publish("nobody.listens", 1).get(30, SECONDS);
    assertThat(captured.records)
        .singleElement()
        .satisfies(
            record -> {
              assertThat(record.getLevel()).isEqualTo(Level.WARNING);
              assertThat(record.getLoggerName()).isEqualTo(LISTENER_LOGGER);
              assertThat(record.getMessage()).contains("onUnrouted");
              assertThat(record.getThrown()).isSameAs(broken);
            });
  }

  @Test
  void aStoreFailureThatNoListenerObservesIsLogged() {
    IllegalStateException full = new IllegalStateException("disk full");
    bus = Herald.builder().transport(new FailingTransport(full)).build();
    Event<Integer> event = Event.of("order.placed", 1);
    // Refused at once: the emitter is told, and the failure is logged all the same.
    assertThatThrownBy(() -> bus.emit(event))
        .isInstanceOf(StoreRefusedException.class)
        .hasCause(full);
    assertThatThrownBy(() -> bus.publish("order.placed", 2).get(30, SECONDS)).hasCause(full);
    assertThat(captured.records).hasSize(2);
    LogRecord first = captured.records.get(0);
    assertThat(first.getLevel()).isEqualTo(Level.WARNING);
    assertThat(first.getLoggerName()).isEqualTo(LOGGER);
    assertThat(first.getMessage()).contains("'failing'").contains(event.id());
    assertThat(first.getThrown()).isSameAs(full);
  }

  /** A transport whose every store fails. */
  static final class FailingTransport implements Transport {
    private final RuntimeException failure;

    FailingTransport(RuntimeException failure) {
      this.failure = failure;
    }

    @Override
    public String name() {
      return "failing";
    }

    @Override
    public CompletableFuture<Void> store(Event<?> event) {
      return CompletableFuture.failedFuture(failure);
    }

    @Override
    public Feed feed(String group, Predicate<Event<?>> filter, FeedSink sink) {
      throw new UnsupportedOperationException("stores nothing");
    }

    @Override
    public void close() {}
  }
}
