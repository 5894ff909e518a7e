package dev.herald.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.BusListener;
import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.contract.CapturingSlf4j;
import dev.herald.contract.CapturingSlf4j.Record;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * Herald's library code prints nothing; what it has to say goes to the logging facade.
 *
 * <p>A bus on the durable log runs a handler that fails (retried by nobody, then dead-lettered, and
 * its dead letter stored but taken by nobody), a listener that throws, and an offset commit that
 * fails (the feed stops), while {@code System.out} and {@code System.err} are captured. Each of
 * those is logged (by herald-core through {@link System.Logger}, by herald-log through SLF4J), and
 * both streams stay empty.
 *
 * <p>What this proves, precisely: the code these paths run (the engine's delivery, retry, dead
 * letters and failure log; the log's writer, feed and commit threads) writes nothing to the
 * standard streams, from any thread, and its records reach SLF4J. It needs {@code
 * slf4j-jdk-platform-logging} (a test dependency here) to route herald-core's {@code
 * System.Logger}: without it the JDK sends those records to java.util.logging, whose default
 * console handler prints them on standard error; that is the JDK's default, not Herald's code. The
 * backend is {@link CapturingSlf4j}, which prints nothing while a capture is open. Paths not run
 * here are held to the same by each module's ArchitectureTest (no access to the standard streams).
 */
class NothingPrintedTest {
  @TempDir Path dir;

  @Test
  void failuresOnTheLogAreLoggedThroughSlf4jAndNothingIsPrinted() throws Exception {
    assertThat(System.LoggerFinder.getLoggerFinder().getClass().getName())
        .as("herald-core's System.Logger routed to SLF4J")
        .isEqualTo("org.slf4j.jdk.platform.logging.SLF4JSystemLoggerFinder");

    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<Record> records;
    try (CapturingSlf4j.Capture logs = CapturingSlf4j.capture()) {
      System.setOut(new PrintStream(out, true, UTF_8));
      System.setErr(new PrintStream(err, true, UTF_8));
      try {
        runFailingScenario();
      } finally {
        System.setOut(stdout);
        System.setErr(stderr);
      }
      records = logs.records();
    }

    assertThat(out.toString(UTF_8)).as("printed on standard output").isEmpty();
    assertThat(err.toString(UTF_8)).as("printed on standard error").isEmpty();
    assertThat(records)
        .anySatisfy(
            r -> {
              assertThat(r.logger()).isEqualTo("dev.herald.bus");
              assertThat(r.level()).isEqualTo(Level.WARN);
              assertThat(r.message()).contains("'payments' gave up on event");
              assertThat(r.thrown()).hasMessage("card declined");
            })
        .anySatisfy(
            r -> {
              assertThat(r.logger()).isEqualTo("dev.herald.bus.listener");
              assertThat(r.level()).isEqualTo(Level.WARN);
              assertThat(r.message()).contains("BusListener.onHandlerFailure threw");
            })
        .anySatisfy(
            r -> {
              assertThat(r.logger()).isEqualTo("dev.herald.log");
              assertThat(r.level()).isEqualTo(Level.ERROR);
              assertThat(r.message()).contains("for group 'g'").contains("failed");
            });
  }

  private void runFailingScenario() throws Exception {
    CommitFailureTest.OffsetsFault files = new CommitFailureTest.OffsetsFault();
    LogOptions options =
        LogOptions.builder().flushPolicy(FlushPolicy.interval(10)).fileLayer(files).build();
    LogTransport transport =
        LogTransport.builder(LogDirectory.open(dir, options))
            .commitEvery(1)
            .idleWait(Duration.ofMillis(10))
            .build();
    CompletableFuture<Throwable> feedFailed = new CompletableFuture<>();
    EventBus bus =
        Herald.builder()
            .transport(transport)
            .listener(
                new BusListener() {
                  @Override
                  public void onHandlerFailure(
                      String subscription,
                      Event<?> event,
                      Throwable cause,
                      int attempt,
                      boolean willRetry) {
                    throw new IllegalStateException("a broken metrics listener");
                  }

                  @Override
                  public void onFeedFailed(String subscription, Throwable cause) {
                    feedFailed.complete(cause);
                  }
                })
            .build();
    try {
      bus.subscribe(
          "payment.requested",
          Integer.class,
          e -> {
            if (e.data() == 1) {
              throw new IllegalStateException("card declined");
            }
          },
          SubscribeOptions.defaults().group("g").name("payments").retry(RetryPolicy.none()));
      bus.publish("payment.requested", 1).get(30, SECONDS);
      await()
          .atMost(30, SECONDS)
          .until(() -> bus.stats().subscription("payments").deadLettered() == 1);

      files.failOffsets = true;
      bus.publish("payment.requested", 2).get(30, SECONDS);
      feedFailed.get(30, SECONDS);
    } finally {
      bus.close(Duration.ofSeconds(10));
      transport.close();
    }
  }
}
