package dev.herald;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.VirtualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bus reads every time and waits every delay through its {@link TimeSource}: on a {@link
 * VirtualTimeSource}, half-minute backoffs and timeouts pass the moment the test advances the
 * clock, and not a moment before.
 */
class VirtualTimeTest {
  private static final Instant START = Instant.parse("2001-02-03T04:05:06Z");
  private final VirtualTimeSource clock = new VirtualTimeSource(START);
  private final EventBus bus = Herald.builder().workerThreads(2).timeSource(clock).build();

  @AfterEach
  void close() {
    // Nothing is left to wait for by the end of each test; ZERO never waits on the virtual clock.
    bus.close(Duration.ZERO);
  }

  @Test
  void retryBackoffIsScheduledOnTheBusTimeSource() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    bus.subscribe(
        "order.placed",
        e -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("first attempt fails");
          }
        },
        SubscribeOptions.defaults()
            .retry(
                RetryPolicy.exponential(3, Duration.ofSeconds(30), Duration.ofSeconds(30))
                    .withJitter(0)));
    CompletableFuture<PublishResult> published = bus.publish("order.placed", "o-1");

    await().atMost(10, SECONDS).until(() -> clock.pendingTasks() == 1);
    clock.advance(Duration.ofSeconds(30).minusNanos(1));
    assertThat(clock.pendingTasks()).isEqualTo(1);
    assertThat(published).isNotDone();
    assertThat(calls).hasValue(1);

    clock.advance(Duration.ofNanos(1));
    PublishResult result = published.get(10, SECONDS);
    assertThat(result.deliveries())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.outcome()).isEqualTo(Delivery.Outcome.HANDLED);
              assertThat(d.attempts()).isEqualTo(2);
            });
  }

  @Test
  void requestTimeoutFiresWhenVirtualTimePassesIt() {
    bus.subscribe("quote.get", e -> {}); // takes requests, never answers
    CompletableFuture<String> reply =
        bus.request("quote.get", "x", String.class, Duration.ofSeconds(5));

    clock.advance(Duration.ofSeconds(5).minusNanos(1));
    assertThat(reply).isNotDone();
    // The timeout runs on the advancing thread: the request has failed when advance returns.
    clock.advance(Duration.ofNanos(1));
    assertThat(reply).isCompletedExceptionally();
    assertThatThrownBy(reply::join).hasCauseInstanceOf(RequestTimeoutException.class);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void anAnsweredRequestTakesItsTimeoutOffTheClock() throws Exception {
    bus.respond("echo.q", Integer.class, req -> req.data());
    for (int i = 0; i < 1_000; i++) {
      assertThat(bus.request("echo.q", i, Integer.class, Duration.ofHours(1)).get(10, SECONDS))
          .isEqualTo(i);
    }
    // An hour-long timeout per answered request would otherwise wait on the timer for an hour.
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void blockTimeoutReadsTheBusClock() throws Exception {
    CountDownLatch handling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    bus.subscribe(
        "bp.e",
        e -> {
          handling.countDown();
          release.await();
        },
        SubscribeOptions.defaults()
            .mailboxCapacity(2)
            .backpressure(Backpressure.block(Duration.ofSeconds(30))));
    bus.emit("bp.e", 0);
    assertThat(handling.await(10, SECONDS)).isTrue();
    bus.emit("bp.e", 1);
    bus.emit("bp.e", 2); // the mailbox is full

    Thread[] publisher = new Thread[1];
    CompletableFuture<Void> blocked =
        CompletableFuture.runAsync(
            () -> {
              publisher[0] = Thread.currentThread();
              bus.emit("bp.e", 3);
            });
    await()
        .atMost(10, SECONDS)
        .until(
            () ->
                publisher[0] != null
                    && (publisher[0].getState() == Thread.State.WAITING
                        || publisher[0].getState() == Thread.State.TIMED_WAITING));
    assertThat(blocked).isNotDone();

    clock.advance(Duration.ofSeconds(30));
    assertThatThrownBy(() -> blocked.get(10, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(MailboxFullException.class)
        .hasMessageContaining("PT30S");
    release.countDown();
  }

  @Test
  void deadLetterTimeComesFromTheBusClock() throws Exception {
    BlockingQueue<Event<DeadLetter>> letters = new LinkedBlockingQueue<>();
    bus.subscribe(DeadLetter.TYPE, DeadLetter.class, letters::add, SubscribeOptions.defaults());
    bus.subscribe(
        "order.placed",
        e -> {
          throw new IllegalStateException("always fails");
        },
        SubscribeOptions.defaults().retry(RetryPolicy.none()));
    clock.advance(Duration.ofHours(1));
    Instant now = START.plus(Duration.ofHours(1));

    bus.publish("order.placed", "o-1").get(10, SECONDS);
    Event<DeadLetter> letter = letters.poll(10, SECONDS);
    assertThat(letter).isNotNull();
    assertThat(letter.time()).isEqualTo(now);
    assertThat(letter.data().time()).isEqualTo(now);
  }

  @Test
  void requestsTakeTheBusClockAndUserEventsTheWallClock() throws Exception {
    BlockingQueue<Instant> requestTimes = new LinkedBlockingQueue<>();
    bus.respond(
        "time.q",
        String.class,
        req -> {
          requestTimes.add(req.time());
          return "a";
        });
    clock.advance(Duration.ofMinutes(2));
    Instant now = START.plus(Duration.ofMinutes(2));

    assertThat(bus.request("time.q", "x", String.class, Duration.ofSeconds(5)).get(10, SECONDS))
        .isEqualTo("a");
    assertThat(requestTimes.poll(10, SECONDS)).isEqualTo(now);
    // Event.of is the user's: stamped by the wall clock when no time is given.
    assertThat(Event.of("user.e", 1).time()).isAfter(now.plus(Duration.ofDays(365)));
  }

  @Test
  void closeTimeoutReadsTheBusClock() throws Exception {
    CountDownLatch handling = new CountDownLatch(1);
    bus.subscribe(
        "slow.e",
        e -> {
          handling.countDown();
          new CountDownLatch(1).await(); // until close interrupts it
        });
    bus.emit("slow.e", 1);
    bus.emit("slow.e", 2);
    assertThat(handling.await(10, SECONDS)).isTrue();

    CompletableFuture<CloseReport> closing =
        CompletableFuture.supplyAsync(() -> bus.close(Duration.ofSeconds(30)));
    // Closed to new subscriptions once close has read the clock for its deadline.
    await().atMost(10, SECONDS).until(this::refusesSubscriptions);
    clock.advance(Duration.ofSeconds(29));
    assertThat(closing).isNotDone();
    clock.advance(Duration.ofSeconds(1));
    CloseReport report = closing.get(10, SECONDS);
    assertThat(report.drained()).isFalse();
  }

  private boolean refusesSubscriptions() {
    try {
      bus.subscribe("probe.e", e -> {}).close();
      return false;
    } catch (BusClosedException e) {
      return true;
    }
  }
}
