package dev.herald.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTest {
  @TempDir Path dir;

  final ManualTimeSource clock = new ManualTimeSource(1_000_000L);

  LogOptions.Builder options() {
    return LogOptions.builder()
        .timeSource(clock)
        .segmentBytes(4096)
        .indexIntervalBytes(256)
        .maxRecordBytes(1024);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<LogRecord> readAll(Log log) {
    List<LogRecord> out = new ArrayList<>();
    try (LogReader r = log.readerFromStart()) {
      for (Optional<LogRecord> rec = r.poll(); rec.isPresent(); rec = r.poll()) {
        out.add(rec.get());
      }
    }
    return out;
  }

  static void appendAll(Log log, int from, int to) {
    List<CompletableFuture<Long>> fs = new ArrayList<>();
    for (int i = from; i < to; i++) {
      fs.add(log.append(LogRecord.of(bytes("record-" + i))));
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
  }

  @Test
  void appendsAndReadsBackEveryFieldAcrossReopen() throws Exception {
    LogRecord rec =
        LogRecord.of(
            42L,
            bytes("k"),
            List.of(Header.of("a", "1"), Header.of("b", new byte[] {0, 1})),
            bytes("payload"));
    LogRecord noKey = LogRecord.of(43L, null, List.of(), new byte[0]);
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      Log log = d.topic("orders");
      assertThat(log.append(rec).get()).isEqualTo(0L);
      assertThat(log.append(noKey).get()).isEqualTo(1L);
      assertThat(readAll(log)).containsExactly(rec.withOffset(0), noKey.withOffset(1));
    }
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      assertThat(d.recoveryReport().isClean()).isTrue();
      assertThat(d.topics()).containsExactly("orders");
      Log log = d.topic("orders");
      assertThat(readAll(log)).containsExactly(rec.withOffset(0), noKey.withOffset(1));
      assertThat(log.append(LogRecord.of(bytes("x"))).get()).isEqualTo(2L);
      assertThat(readAll(log).get(2).timestamp()).isEqualTo(clock.epochMillis());
    }
  }

  @Test
  void rollsBySizeWithKafkaStyleNames() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      Log log = d.topic("t");
      appendAll(log, 0, 500);
      assertThat(log.segmentCount()).isGreaterThan(3);
      assertThat(readAll(log))
          .extracting(LogRecord::offset)
          .containsExactlyElementsOf(range(0, 500));
    }
    try (Stream<Path> files = Files.list(dir.resolve("topics/t"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .contains(
              "00000000000000000000.log",
              "00000000000000000000.index",
              "00000000000000000000.timeindex",
              "recovery-point")
          .allMatch(
              n -> n.equals("recovery-point") || n.matches("\\d{20}\\.(log|index|timeindex)"));
    }
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      assertThat(readAll(d.topic("t"))).hasSize(500);
    }
  }

  @Test
  void rollsByAgeOnTheNextAppend() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options().segmentAgeMillis(1000).build())) {
      Log log = d.topic("t");
      appendAll(log, 0, 3);
      assertThat(log.segmentCount()).isEqualTo(1);
      clock.advanceMillis(1000);
      appendAll(log, 3, 4);
      assertThat(log.segmentCount()).isEqualTo(2);
      assertThat(readAll(log)).hasSize(4);
    }
  }

  @Test
  void retentionBySizeDeletesOldestSegmentsButNeverTheActiveOne() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options().retentionBytes(10_000).build())) {
      Log log = d.topic("t");
      appendAll(log, 0, 2000);
      log.flush().get();
      assertThat(log.sizeInBytes()).isLessThanOrEqualTo(10_000);
      assertThat(log.startOffset()).isGreaterThan(0);
      List<LogRecord> left = readAll(log);
      assertThat(left.get(0).offset()).isEqualTo(log.startOffset());
      assertThat(left.get(left.size() - 1).offset()).isEqualTo(1999);
      assertThat(log.reader(0).poll()).map(LogRecord::offset).contains(log.startOffset());
    }
  }

  @Test
  void retentionByAgeDeletesSegmentsWhoseNewestRecordIsTooOld() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options().retentionAgeMillis(10_000).build())) {
      Log log = d.topic("t");
      appendAll(log, 0, 300);
      int before = log.segmentCount();
      clock.advanceMillis(5_000);
      appendAll(log, 300, 600);
      log.flush().get();
      assertThat(log.segmentCount()).isGreaterThan(before);
      assertThat(log.startOffset()).isZero();
      clock.advanceMillis(6_000);
      log.flush().get();
      // the segment holding both old and new records is kept whole: its newest record is young
      assertThat(log.startOffset()).isGreaterThan(0).isLessThanOrEqualTo(300);
      assertThat(readAll(log)).extracting(LogRecord::offset).contains(300L, 599L);
      clock.advanceMillis(100_000);
      log.flush().get();
      assertThat(log.segmentCount()).isEqualTo(1); // the active segment stays
    }
  }

  @Test
  void readerStartsAtEveryOffsetThroughTheSparseIndex() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      Log log = d.topic("t");
      appendAll(log, 0, 400);
      for (long offset = 0; offset < 400; offset++) {
        try (LogReader r = log.reader(offset)) {
          LogRecord rec = r.poll().orElseThrow();
          assertThat(rec.offset()).isEqualTo(offset);
          assertThat(new String(rec.payload(), StandardCharsets.UTF_8))
              .isEqualTo("record-" + offset);
        }
      }
      try (LogReader r = log.reader(400)) {
        assertThat(r.poll()).isEmpty();
      }
    }
  }

  @Test
  void readerFromTimestampFindsTheFirstRecordAtOrAfterIt() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      Log log = d.topic("t");
      for (int i = 0; i < 300; i++) {
        log.append(LogRecord.of(10_000L + 10L * i, null, List.of(), bytes("r" + i))).get();
      }
      for (int i = 0; i < 300; i += 7) {
        try (LogReader r = log.readerFromTimestamp(10_000L + 10L * i - 5)) {
          assertThat(r.poll().orElseThrow().offset()).isEqualTo(i);
        }
        try (LogReader r = log.readerFromTimestamp(10_000L + 10L * i)) {
          assertThat(r.poll().orElseThrow().offset()).isEqualTo(i);
        }
      }
      try (LogReader r = log.readerFromTimestamp(0)) {
        assertThat(r.poll().orElseThrow().offset()).isZero();
      }
      try (LogReader r = log.readerFromTimestamp(99_999_999L)) {
        assertThat(r.position()).isEqualTo(300);
        assertThat(r.poll()).isEmpty();
      }
    }
  }

  @Test
  void tailWakesOnAppendAndStopsOnWakeup() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      Log log = d.topic("t");
      LogReader tail = log.reader(log.endOffset());
      CompletableFuture<Optional<LogRecord>> got =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return tail.next(Duration.ofMinutes(1));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      log.append(LogRecord.of(bytes("hello"))).get();
      assertThat(got.get(30, TimeUnit.SECONDS))
          .map(r -> new String(r.payload(), StandardCharsets.UTF_8))
          .contains("hello");

      CountDownLatch waiting = new CountDownLatch(1);
      CompletableFuture<Optional<LogRecord>> stopped =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  waiting.countDown();
                  return tail.next(Duration.ofMinutes(1));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      waiting.await();
      tail.wakeup();
      assertThat(stopped.get(30, TimeUnit.SECONDS)).isEmpty();
      assertThat(tail.next(Duration.ZERO)).isEmpty();
      tail.close();
    }
  }

  @Test
  void oversizeAppendFailsNamingTheLimit() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      Log log = d.topic("t");
      assertThatThrownBy(() -> log.append(LogRecord.of(new byte[2000])))
          .isInstanceOfSatisfying(
              RecordTooLargeException.class,
              e -> {
                assertThat(e.maxRecordBytes()).isEqualTo(1024);
                assertThat(e.sizeBytes()).isGreaterThan(2000);
              })
          .hasMessageContaining("maxRecordBytes 1024");
      assertThat(log.append(LogRecord.of(new byte[900])).get()).isZero();
    }
  }

  @Test
  void fullAppendQueueFailsTheFutureFast() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(FileLayer.system());
    try (LogDirectory d =
        LogDirectory.open(dir, options().appendQueueCapacity(4).fileLayer(files).build())) {
      Log log = d.topic("t");
      files.forceEntered = new CountDownLatch(1);
      CountDownLatch gate = new CountDownLatch(1);
      files.forceGate = gate;
      CompletableFuture<Long> first = log.append(LogRecord.of(bytes("first")));
      files.forceEntered.await(); // the writer is parked inside fsync, so nothing drains the queue
      List<CompletableFuture<Long>> queued = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        queued.add(log.append(LogRecord.of(bytes("q" + i))));
      }
      CompletableFuture<Long> rejected = log.append(LogRecord.of(bytes("over")));
      assertThat(rejected).isCompletedExceptionally();
      assertThatThrownBy(rejected::get)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(RejectedExecutionException.class)
          .hasMessageContaining("capacity 4");
      gate.countDown();
      assertThat(first.get()).isZero();
      for (CompletableFuture<Long> f : queued) {
        assertThat(f.get()).isBetween(1L, 4L);
      }
    }
  }

  @Test
  void secondOpenInTheSameJvmIsRefused() throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      assertThat(d.path()).isEqualTo(dir);
      assertThatThrownBy(() -> LogDirectory.open(dir, options().build()))
          .isInstanceOf(LogLockedException.class)
          .hasMessageContaining("already open");
    }
    LogDirectory.open(dir, options().build()).close(); // released on close
  }

  @Test
  void closedLogRefusesAppends() throws IOException {
    Log log;
    try (LogDirectory d = LogDirectory.open(dir, options().build())) {
      log = d.topic("t");
    }
    assertThat(log.append(LogRecord.of(bytes("late")))).isCompletedExceptionally();
  }

  static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }
}
