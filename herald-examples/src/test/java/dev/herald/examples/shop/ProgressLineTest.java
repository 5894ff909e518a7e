package dev.herald.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
  private final StringWriter text = new StringWriter();
  private final PrintWriter out = new PrintWriter(text, true);

  @Test
  void withoutATerminalEachIntervalPrintsALineOfItsOwn() throws Exception {
    CountDownLatch threeLines = new CountDownLatch(3);
    AtomicInteger calls = new AtomicInteger();
    ProgressLine line =
        ProgressLine.start(
            Progress.lines(out, Duration.ofMillis(5)),
            () -> {
              String s = "status " + calls.incrementAndGet();
              threeLines.countDown();
              return s;
            });
    try {
      assertThat(threeLines.await(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      line.stop();
    }
    int printed = calls.get();
    assertThat(text.toString().lines().toList())
        .hasSize(printed)
        .startsWith(
            "herald demo: progress: status 1",
            "herald demo: progress: status 2",
            "herald demo: progress: status 3");
    assertThat(text.toString()).doesNotContain("\r");
  }

  @Test
  void onATerminalTheLineIsRedrawnInPlaceAndErasedAtStop() throws Exception {
    CountDownLatch twice = new CountDownLatch(2);
    ProgressLine line =
        ProgressLine.start(
            Progress.redrawn(out),
            () -> {
              twice.countDown();
              return "status";
            });
    try {
      assertThat(twice.await(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      line.stop();
    }
    assertThat(text.toString()).startsWith("\rstatus").endsWith("\r      \r").doesNotContain("\n");
  }
}
