package dev.herald.log;

import static dev.herald.log.LogTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FlushPolicyTest {
  final ManualTimeSource clock = new ManualTimeSource(1_000L);

  LogOptions options(FileLayer files, FlushPolicy policy) {
    return LogOptions.builder().timeSource(clock).fileLayer(files).flushPolicy(policy).build();
  }

  @Test
  void intervalAcknowledgesOnWriteAndForcesOnceTheIntervalPasses() throws Exception {
    MemoryFileLayer disk = new MemoryFileLayer();
    FaultyFileLayer files = new FaultyFileLayer(disk);
    try (LogDirectory d =
        LogDirectory.open(Path.of("/mem/interval"), options(files, FlushPolicy.interval(50)))) {
      Log log = d.topic("t");
      int before = files.logForces.get();
      assertThat(log.append(LogRecord.of(bytes("a"))).get()).isZero();
      assertThat(files.logForces.get()).isEqualTo(before); // acknowledged without an fsync
      clock.advanceMillis(50);
      await().atMost(Duration.ofSeconds(30)).until(() -> files.logForces.get() > before);
    }
  }

  @Test
  void neverLeavesDataToTheOsUntilFlush() throws Exception {
    MemoryFileLayer disk = new MemoryFileLayer();
    Path dir = Path.of("/mem/never");
    LogDirectory d = LogDirectory.open(dir, options(disk, FlushPolicy.never()));
    Log log = d.topic("t");
    log.append(LogRecord.of(bytes("a"))).get();
    log.flush().get();
    log.append(LogRecord.of(bytes("b"))).get(); // written, never forced
    MemoryFileLayer after = disk.powerLoss(null); // no torn pages: only what was forced
    try (LogDirectory reopened = LogDirectory.open(dir, options(after, FlushPolicy.never()))) {
      assertThat(LogTest.readAll(reopened.topic("t")))
          .extracting(r -> new String(r.payload()))
          .containsExactly("a");
    }
  }
}
