package dev.herald.log;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.BusListener;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group whose offset cannot be committed (the offsets file cannot be replaced) does not go quiet:
 * the failure is counted, and the feed stops and says so to the subscription ({@code
 * onFeedFailed}).
 */
class CommitFailureTest {
  @TempDir Path dir;

  /** Fails every replace of the offsets file once {@link #failOffsets} is set. */
  static final class OffsetsFault extends ForwardingFileLayer {
    volatile boolean failOffsets;

    OffsetsFault() {
      super(FileLayer.system());
    }

    @Override
    public void move(Path from, Path to) throws IOException {
      if (failOffsets && to.getFileName().toString().startsWith("consumer-offsets")) {
        throw new IOException("injected: offsets file not replaced");
      }
      super.move(from, to);
    }
  }

  @Test
  void aFailedCommitIsCountedAndFailsTheFeedVisibly() throws Exception {
    OffsetsFault files = new OffsetsFault();
    LogOptions options =
        LogOptions.builder().flushPolicy(FlushPolicy.interval(10)).fileLayer(files).build();
    LogDirectory directory = LogDirectory.open(dir, options);
    LogTransport transport =
        LogTransport.builder(directory).commitEvery(1).idleWait(Duration.ofMillis(10)).build();
    CompletableFuture<Throwable> feedFailed = new CompletableFuture<>();
    EventBus bus =
        Herald.builder()
            .transport(transport)
            .listener(
                new BusListener() {
                  @Override
                  public void onFeedFailed(String subscription, Throwable cause) {
                    feedFailed.complete(cause);
                  }
                })
            .build();
    try {
      ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
      bus.subscribe(
          "c.e",
          Integer.class,
          e -> got.add(e.data()),
          SubscribeOptions.defaults().group("g").name("counted"));
      bus.publish("c.e", 1).get(30, SECONDS);
      await()
          .atMost(30, SECONDS)
          .until(() -> directory.offsets().committed("g", transport.log().name()).orElse(0L) == 1L);

      files.failOffsets = true;
      bus.publish("c.e", 2).get(30, SECONDS);
      Throwable cause = feedFailed.get(30, SECONDS);
      assertThat(cause)
          .isInstanceOf(UncheckedIOException.class)
          .hasRootCauseMessage("injected: offsets file not replaced");
      assertThat(transport.commitFailures()).isPositive();
      assertThat(got).contains(1, 2);
    } finally {
      bus.close(Duration.ofSeconds(10));
    }
  }
}
