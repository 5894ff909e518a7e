package dev.herald.contract;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.BatchRefusedException;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.StoreRefusedException;
import dev.herald.SubscribeOptions;
import dev.herald.spi.Transport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A batch on a bus whose transport refuses a store at once, in the middle of the batch. */
class BatchOnAStoringBusTest {
  private final IllegalStateException full = new IllegalStateException("append queue full");
  private EventBus bus;

  @AfterEach
  void close() {
    if (bus != null) {
      bus.close();
    }
  }

  @Test
  void aStoreRefusedInTheMiddleOfABatchStopsItThere() {
    bus = Herald.builder().transport(new RefusingTransport(full)).build();
    ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
    bus.subscribe("batch.e", e -> got.add(e.data()), SubscribeOptions.defaults().name("one"));
    Event<Integer> refused = Event.of("refused.e", 2);
    List<Event<?>> events =
        List.of(Event.of("batch.e", 0), Event.of("batch.e", 1), refused, Event.of("batch.e", 3));
    assertThatThrownBy(() -> bus.emitAll(events))
        .isInstanceOf(StoreRefusedException.class)
        .hasCause(full)
        .hasMessageContaining(refused.id());
    // The events before the refused one were stored and routed; the one after it went nowhere.
    await().atMost(30, SECONDS).until(() -> got.size() == 2);
    assertThat(got).containsExactly(0, 1);
    assertThat(bus.stats().published()).isEqualTo(3);
    assertThat(bus.stats().stored()).isEqualTo(2);
    assertThat(bus.stats().storeFailed()).isEqualTo(1);
  }

  @Test
  void refusalsByAMailboxBeforeARefusedStoreAreSuppressedInIt() throws Exception {
    bus = Herald.builder().transport(new RefusingTransport(full)).build();
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch inHandler = new CountDownLatch(1);
    bus.subscribe(
        "batch.e",
        e -> {
          inHandler.countDown();
          gate.await();
        },
        SubscribeOptions.defaults().name("tiny").mailboxCapacity(2));
    bus.emit("batch.e", -1);
    assertThat(inHandler.await(30, SECONDS)).isTrue();
    List<Event<?>> events =
        List.of(
            Event.of("batch.e", 0),
            Event.of("batch.e", 1),
            Event.of("batch.e", 2),
            Event.of("refused.e", 3));
    try {
      assertThatThrownBy(() -> bus.emitAll(events))
          .isInstanceOf(StoreRefusedException.class)
          .satisfies(
              e ->
                  assertThat(e.getSuppressed())
                      .singleElement()
                      .isInstanceOfSatisfying(
                          BatchRefusedException.class,
                          b -> assertThat(b.refused()).containsExactly(2)));
    } finally {
      gate.countDown();
    }
  }

  /** Stores in memory, but refuses at once every event of type {@code refused.e}. */
  private static final class RefusingTransport implements Transport {
    private final MemoryTransport delegate = new MemoryTransport(new MemoryTransport.Storage());
    private final RuntimeException failure;

    RefusingTransport(RuntimeException failure) {
      this.failure = failure;
    }

    @Override
    public String name() {
      return "refusing";
    }

    @Override
    public CompletableFuture<Void> store(Event<?> event) {
      return event.type().equals("refused.e")
          ? CompletableFuture.failedFuture(failure)
          : delegate.store(event);
    }

    @Override
    public Feed feed(String group, Predicate<Event<?>> filter, FeedSink sink) {
      return delegate.feed(group, filter, sink);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
