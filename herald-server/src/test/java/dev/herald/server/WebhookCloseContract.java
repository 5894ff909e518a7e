package dev.herald.server;

import static dev.herald.server.GatewayHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.Subscription;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Stopping a gateway while a webhook's target hangs: the server and its store close at once rather
 * than after the bus's 30 s close timeout, and the event in flight (and those queued behind it) is
 * neither acknowledged nor dead-lettered, so the next gateway over the same store delivers it. A
 * contract: one subclass per store ({@link LogWebhookCloseTest}, {@link KafkaWebhookCloseTest})
 * opens the store, and opens it again over the same data for the restart. Waits are bounded;
 * nothing sleeps.
 */
abstract class WebhookCloseContract {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Far below the bus's 30 s close timeout, and far above what closing takes (milliseconds). */
  private static final Duration CLOSE_BOUND = Duration.ofSeconds(10);

  /**
   * Opens this test's store: the first call creates it, each next call opens the same data again
   * (the same log directory, the same Kafka topics and group id prefix).
   */
  protected abstract GatewayStore openStore() throws Exception;

  /**
   * How long a webhook's group may take to get an event once it is subscribed: at once on the log;
   * on Kafka, a consumer group rebalance first.
   */
  protected abstract Duration patience();

  @Test
  void closingWhileTheTargetHangsIsQuickAndTheEventIsDeliveredAfterARestart() throws Exception {
    try (HangingTarget target = new HangingTarget()) {
      // One key: Kafka keeps the order of a key's events (one partition), not of all events.
      Event<String> first = Event.of("wc.order", "order-1", "first");
      Event<String> second = Event.of("wc.order", "order-1", "second");
      List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
      GatewayStore store = openStore();
      HeraldServer server = HeraldServer.builder(store).port(0).start();
      Subscription watch = store.bus().subscribe(DeadLetter.class, deadLetters::add);
      String id;
      try {
        id = create(server, "wc.*", target.url, 1);
        store.append(first).get();
        store.append(second).get();
        assertThat(target.hanging.await(patience().toSeconds(), TimeUnit.SECONDS))
            .as("the first POST reached the target")
            .isTrue();
      } finally {
        long start = System.nanoTime();
        server.close();
        watch.close();
        store.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("server and store closed").isLessThan(CLOSE_BOUND);
      }
      // One attempt only: had the interrupted POST counted as a failure, it would be dead-lettered.
      assertThat(deadLetters).isEmpty();

      target.hang = false;
      try (GatewayStore again = openStore();
          HeraldServer restarted = HeraldServer.builder(again).port(0).start()) {
        await().atMost(patience()).until(() -> target.answered.size() >= 2);
        assertThat(target.answered).containsExactly(first.id(), second.id());
        assertThat(again.deadLetters("webhook-" + id, 10)).isEmpty();
        assertThat(restarted.uri()).isNotNull(); // the restored subscription delivered them
      }
    }
  }

  /** A retry backoff of 10 minutes under way when the server stops does not hold the close. */
  @Test
  void closingDuringALongRetryBackoffIsQuickAndTheEventIsDeliveredAfterARestart() throws Exception {
    try (HangingTarget target = new HangingTarget()) {
      target.hang = false;
      target.fail = true;
      Event<String> event = Event.of("wb.order", "backoff");
      GatewayStore store = openStore();
      HeraldServer server = HeraldServer.builder(store).port(0).start();
      String id;
      try {
        HttpResponse<String> r =
            send(
                server,
                "POST",
                "/v1/subscriptions",
                "{\"types\": \"wb.*\", \"url\": \""
                    + target.url
                    + "\", \"retry\": {\"maxAttempts\": 3, \"backoffMillis\": 600000}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        id = JSON.readTree(r.body()).get("id").asText();
        store.append(event).get();
        await().atMost(patience()).until(() -> target.failures.get() == 1);
      } finally {
        long start = System.nanoTime();
        server.close();
        store.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CLOSE_BOUND);
      }
      assertThat(target.failures.get()).as("no second attempt before the backoff").isEqualTo(1);

      target.fail = false;
      try (GatewayStore again = openStore();
          HeraldServer restarted = HeraldServer.builder(again).port(0).start()) {
        await().atMost(patience()).until(() -> target.answered.contains(event.id()));
        assertThat(again.deadLetters("webhook-" + id, 10)).isEmpty();
        assertThat(restarted.uri()).isNotNull();
      }
    }
  }

  @Test
  void deletingAWebhookWhileTheTargetHangsLeavesTheEventToItsGroup() throws Exception {
    try (HangingTarget target = new HangingTarget();
        GatewayStore store = openStore();
        HeraldServer server = HeraldServer.builder(store).port(0).start()) {
      String id = create(server, "wd.*", target.url, 1);
      Event<String> event = Event.of("wd.order", "only");
      store.append(event).get();
      assertThat(target.hanging.await(patience().toSeconds(), TimeUnit.SECONDS)).isTrue();

      long start = System.nanoTime();
      assertThat(send(server, "DELETE", "/v1/subscriptions/" + id, null).statusCode())
          .isEqualTo(204);
      // Its group kept the event: a new webhook on the same group gets it, long before the
      // abandoned request's 10 s timeout could have ended it.
      target.hang = false;
      create(server, "wd.*", target.url, 1, "webhook-" + id);
      await().atMost(Duration.ofSeconds(8)).until(() -> target.answered.contains(event.id()));
      // The deleted webhook's thread gave up its request rather than waiting out its 10 s timeout.
      await().atMost(Duration.ofSeconds(5)).until(() -> !threadAlive("herald-webhook-" + id));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CLOSE_BOUND);
      assertThat(store.deadLetters("webhook-" + id, 10)).isEmpty();
    }
  }

  private static boolean threadAlive(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  private static String create(HeraldServer server, String types, String url, int maxAttempts)
      throws Exception {
    return GatewayHttp.createWebhook(server, types, url, maxAttempts, null);
  }

  private static String create(
      HeraldServer server, String types, String url, int maxAttempts, String group)
      throws Exception {
    return GatewayHttp.createWebhook(server, types, url, maxAttempts, group);
  }

  /**
   * A target that agrees to the handshake and then, while {@link #hang} is set, takes each POST and
   * never answers it (until it is closed); else, while {@link #fail} is set, answers 500; otherwise
   * it answers 200 and records the event's id.
   */
  private static final class HangingTarget implements AutoCloseable {
    final List<String> answered = new CopyOnWriteArrayList<>();
    final CountDownLatch hanging = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    volatile boolean hang = true;
    volatile boolean fail;
    final AtomicInteger failures = new AtomicInteger();
    private final Javalin server;
    final String url;

    HangingTarget() {
      server =
          Javalin.create(
                  config -> {
                    config.jetty.host = "127.0.0.1";
                    config.jetty.port = 0;
                    config.startup.showJavalinBanner = false;
                    config.routes.options(
                        "/hook",
                        ctx -> {
                          ctx.header(
                              "WebHook-Allowed-Origin", ctx.header("WebHook-Request-Origin"));
                          ctx.status(200);
                        });
                    config.routes.post("/hook", this::post);
                  })
              .start();
      url = "http://127.0.0.1:" + server.port() + "/hook";
    }

    private void post(Context ctx) throws Exception {
      if (hang) {
        hanging.countDown();
        // Never answers while the test runs; the bound keeps a broken test from holding a thread.
        if (!release.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("never released");
        }
        ctx.status(503);
        return;
      }
      if (fail) {
        failures.incrementAndGet();
        ctx.status(500);
        return;
      }
      answered.add(ctx.header("ce-id"));
      ctx.status(200);
    }

    @Override
    public void close() {
      release.countDown();
      server.stop();
    }
  }
}
