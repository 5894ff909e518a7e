package dev.herald.log;

import static dev.herald.log.LogTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * {@link FlushPolicy#interval(long)}: the periodic fsync runs on the log's flusher thread, appends
 * go on while it runs, a failed one fails the log, and roll, retention and close never close a file
 * under it. The flusher's fsync is held at a gate in {@link FaultyFileLayer}; nothing here waits on
 * a clock.
 */
class IntervalFlusherTest {
  static final Duration PATIENCE = Duration.ofSeconds(60);

  final ManualTimeSource clock = new ManualTimeSource(1_000L);

  LogOptions.Builder options(FileLayer files) {
    return LogOptions.builder()
        .timeSource(clock)
        .fileLayer(files)
        .flushPolicy(FlushPolicy.interval(50));
  }

  /** Holds the next fsync of a {@code .log} file at a gate; returns the gate. */
  static CountDownLatch holdNextLogForce(FaultyFileLayer files) {
    CountDownLatch gate = new CountDownLatch(1);
    files.forceEntered = new CountDownLatch(1);
    files.forceGate = gate;
    return gate;
  }

  static Thread thread(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no thread " + name));
  }

  /** The writer is parked on something other than its request queue, or has ended. */
  static boolean stuckOrDone(Thread writer) {
    if (!writer.isAlive()) {
      return true;
    }
    Thread.State state = writer.getState();
    boolean parked =
        state == Thread.State.WAITING
            || state == Thread.State.TIMED_WAITING
            || state == Thread.State.BLOCKED;
    return parked
        && Arrays.stream(writer.getStackTrace())
            .noneMatch(
                e ->
                    e.getClassName().endsWith("ArrayBlockingQueue")
                        && e.getMethodName().equals("take"));
  }

  @Test
  void intervalFsyncRunsOnTheFlusherThreadWhileAppendsGoOn() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(new MemoryFileLayer());
    try (LogDirectory d = LogDirectory.open(Path.of("/mem/flusher"), options(files).build())) {
      Log log = d.topic("t");
      CountDownLatch gate = holdNextLogForce(files);
      assertThat(log.append(LogRecord.of(bytes("a"))).get()).isZero();
      clock.advanceMillis(50);
      files.forceEntered.await(); // the interval fsync has started and is held
      assertThat(files.lastLogForceThread).isEqualTo("herald-log-flush-t");
      List<CompletableFuture<Long>> more = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        more.add(log.append(LogRecord.of(bytes("during-" + i))));
      }
      // Acknowledged while the fsync is still held: the writer does not wait for it.
      CompletableFuture.allOf(more.toArray(CompletableFuture[]::new)).get();
      assertThat(log.endOffset()).isEqualTo(101);
      assertThat(gate.getCount()).isOne();
      gate.countDown();
    }
    assertThat(files.closedDuringForce).isFalse();
  }

  @Test
  void closeWaitsForTheFlusherAndForcesWhatIsLeft() throws Exception {
    MemoryFileLayer disk = new MemoryFileLayer();
    FaultyFileLayer files = new FaultyFileLayer(disk);
    Path dir = Path.of("/mem/close");
    LogDirectory d = LogDirectory.open(dir, options(files).build());
    Log log = d.topic("t");
    CountDownLatch gate = holdNextLogForce(files);
    log.append(LogRecord.of(bytes("a"))).get();
    clock.advanceMillis(50);
    files.forceEntered.await();
    log.append(LogRecord.of(bytes("b"))).get(); // written after the held fsync began
    Thread writer = thread("herald-log-writer-t");
    CompletableFuture<Void> closed =
        CompletableFuture.runAsync(
            () -> {
              try {
                d.close();
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            },
            r -> new Thread(r, "closer").start());
    await().atMost(PATIENCE).until(() -> stuckOrDone(writer));
    gate.countDown();
    closed.get();
    assertThat(files.closedDuringForce).isFalse();
    MemoryFileLayer afterPowerLoss = disk.powerLoss(null); // only what was forced survives
    try (LogDirectory reopened = LogDirectory.open(dir, options(afterPowerLoss).build())) {
      assertThat(LogTest.readAll(reopened.topic("t")))
          .extracting(r -> new String(r.payload()))
          .containsExactly("a", "b");
    }
  }

  @Test
  void rollLeavesTheOldSegmentsFsyncToTheFlusherAndAPowerLossBeforeItLosesOnlyWhatWasNotForced()
      throws Exception {
    rollThenPowerLossBeforeTheSeal(null); // the unforced bytes vanish
    for (long seed = 1; seed <= 5; seed++) {
      rollThenPowerLossBeforeTheSeal(new Random(seed)); // some reach the disk, torn
    }
  }

  /**
   * A directory whose segments roll every kilobyte (about ten of the records these tests append).
   */
  private LogDirectory openRollingEveryKilobyte(Path dir, FileLayer files) throws Exception {
    return LogDirectory.open(dir, options(files).segmentBytes(1024).maxRecordBytes(512).build());
  }

  /**
   * Cuts the power of {@code disk} under the open directory {@code d}; returns what the disk kept.
   */
  private static MemoryFileLayer powerLoss(
      MemoryFileLayer disk, LogDirectory d, Random torn, CountDownLatch gateToOpen) {
    MemoryFileLayer after = disk.powerLoss(torn); // only what was forced survives whole
    if (gateToOpen != null) {
      gateToOpen.countDown();
    }
    try {
      d.close();
    } catch (Exception expected) {
      // the old machine's disk is gone
    }
    return after;
  }

  private void rollThenPowerLossBeforeTheSeal(Random torn) throws Exception {
    MemoryFileLayer disk = new MemoryFileLayer();
    FaultyFileLayer files = new FaultyFileLayer(disk);
    Path dir = Path.of("/mem/seal");
    LogDirectory d = openRollingEveryKilobyte(dir, files);
    Log log = d.topic("t");
    log.append(LogRecord.of(bytes("durable-0"))).get();
    log.append(LogRecord.of(bytes("durable-1"))).get();
    log.flush().get();
    CountDownLatch gate = holdNextLogForce(files);
    List<CompletableFuture<Long>> appended = new ArrayList<>();
    List<String> written = new ArrayList<>(List.of("durable-0", "durable-1"));
    for (int i = 0; i < 40; i++) { // about four segments: three rolls
      written.add("unforced-" + i + "-" + "x".repeat(60));
      appended.add(log.append(LogRecord.of(bytes(written.get(written.size() - 1)))));
    }
    files.forceEntered.await(); // the first rolled segment's fsync has started and is held
    assertThat(files.lastLogForceThread).isEqualTo("herald-log-flush-t");
    // Every append acknowledged, across the later rolls too, while that fsync is still held.
    CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).get();
    assertThat(log.segmentCount()).isGreaterThan(2);
    assertThat(gate.getCount()).isOne();

    MemoryFileLayer afterPowerLoss = powerLoss(disk, d, torn, gate);
    try (LogDirectory reopened = LogDirectory.open(dir, options(afterPowerLoss).build())) {
      Log t = reopened.topic("t");
      // The recovery point never passed the unforced segment: its lost tail and the segments after
      // it are dropped as torn, not reported as corruption. What is left is a prefix of what was
      // written (whole records a torn write kept count too), the forced records at least.
      List<String> recovered =
          LogTest.readAll(t).stream().map(r -> new String(r.payload())).toList();
      assertThat(recovered.size()).isBetween(2, written.size() - 1);
      assertThat(recovered).isEqualTo(written.subList(0, recovered.size()));
      assertThat(t.recoveryReport().truncations())
          .anySatisfy(tr -> assertThat(tr.reason()).contains("not yet durable"));
      assertThat(t.append(LogRecord.of(bytes("after"))).get()).isEqualTo(recovered.size());
    }
  }

  @Test
  void aFlushForcesTheSegmentsRolledAwayFromToo() throws Exception {
    MemoryFileLayer disk = new MemoryFileLayer();
    FaultyFileLayer files = new FaultyFileLayer(disk);
    Path dir = Path.of("/mem/flush-sealed");
    LogDirectory d = openRollingEveryKilobyte(dir, files);
    Log log = d.topic("t");
    List<String> written = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String p = "record-" + i + "-" + "x".repeat(60);
      written.add(p);
      log.append(LogRecord.of(bytes(p))).get();
    }
    assertThat(log.segmentCount()).isGreaterThan(2);
    log.flush().get(); // whether or not the flusher got to the rolled segments yet
    MemoryFileLayer afterPowerLoss = powerLoss(disk, d, null, null);
    try (LogDirectory reopened = LogDirectory.open(dir, options(afterPowerLoss).build())) {
      assertThat(LogTest.readAll(reopened.topic("t")))
          .extracting(r -> new String(r.payload()))
          .containsExactlyElementsOf(written);
    }
  }

  @Test
  void rollAndRetentionWaitForTheFlusher() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(new MemoryFileLayer());
    LogOptions opts =
        options(files).segmentBytes(1024).maxRecordBytes(512).retentionBytes(2048).build();
    try (LogDirectory d = LogDirectory.open(Path.of("/mem/roll"), opts)) {
      Log log = d.topic("t");
      CountDownLatch gate = holdNextLogForce(files);
      log.append(LogRecord.of(bytes("first"))).get();
      clock.advanceMillis(50);
      files.forceEntered.await();
      Thread writer = thread("herald-log-writer-t");
      List<CompletableFuture<Long>> rolling = new ArrayList<>();
      for (int i = 0; i < 200; i++) { // about 20 segments: rolls, and retention deletes the oldest
        rolling.add(log.append(LogRecord.of(bytes("record-" + i + "-" + "x".repeat(60)))));
      }
      await().atMost(PATIENCE).until(() -> stuckOrDone(writer) || rolling.get(199).isDone());
      gate.countDown();
      CompletableFuture.allOf(rolling.toArray(CompletableFuture[]::new)).get();
      assertThat(log.isFailed()).isFalse();
      assertThat(log.segmentCount()).isGreaterThan(1);
      await().atMost(PATIENCE).until(() -> log.startOffset() > 0); // retention runs after the acks
      assertThat(LogTest.readAll(log))
          .last()
          .extracting(r -> new String(r.payload()))
          .asString()
          .startsWith("record-199-");
    }
    assertThat(files.closedDuringForce).isFalse();
  }

  @Test
  void failedFlusherFsyncFailsTheLogAndIsNeverRetried() throws Exception {
    MemoryFileLayer disk = new MemoryFileLayer();
    FaultyFileLayer files = new FaultyFileLayer(disk);
    Path dir = Path.of("/mem/failed");
    try (LogDirectory d = LogDirectory.open(dir, options(files).build())) {
      Log log = d.topic("t");
      files.failForce(1);
      assertThat(log.append(LogRecord.of(bytes("a"))).get())
          .isZero(); // INTERVAL: acknowledged on write
      clock.advanceMillis(50);
      await().atMost(PATIENCE).until(log::isFailed);
      assertThat(files.failedForceThread).isEqualTo("herald-log-flush-t");
      int forcesAfterFailure = files.logForces.get();
      assertThatThrownBy(() -> log.append(LogRecord.of(bytes("b"))).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(LogFailedException.class)
          .hasRootCauseMessage("injected fsync failure");
      // flush() must not succeed through a second fsync that the kernel may answer with success
      assertThatThrownBy(() -> log.flush().get()).hasCauseInstanceOf(LogFailedException.class);
      assertThatThrownBy(() -> log.appended().get()).hasCauseInstanceOf(LogFailedException.class);
      clock.advanceMillis(50);
      assertThat(log.endOffset()).isOne();
      assertThat(files.logForces.get()).isEqualTo(forcesAfterFailure);
    }
    try (LogDirectory reopened = LogDirectory.open(dir, options(disk).build())) {
      Log log = reopened.topic("t");
      assertThat(LogTest.readAll(log))
          .extracting(r -> new String(r.payload()))
          .containsExactly("a");
      assertThat(log.append(LogRecord.of(bytes("again"))).get()).isOne();
    }
  }
}
