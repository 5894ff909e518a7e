package dev.herald.log;

import static dev.herald.log.LogTest.bytes;
import static dev.herald.log.LogTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultInjectionTest {
  @TempDir Path dir;

  final ManualTimeSource clock = new ManualTimeSource(1_000_000L);

  LogOptions.Builder options(FileLayer files) {
    return LogOptions.builder()
        .timeSource(clock)
        .segmentBytes(4096)
        .indexIntervalBytes(256)
        .maxRecordBytes(1024)
        .fileLayer(files);
  }

  /** Appends until the log fails; returns the offsets acknowledged. */
  static List<Long> appendUntilFailure(Log log, int max) {
    List<Long> acked = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      CompletableFuture<Long> f = log.append(LogRecord.of(bytes("record-" + i)));
      try {
        acked.add(f.join());
      } catch (CompletionException e) {
        assertThat(e.getCause()).isInstanceOfAny(IOException.class, LogFailedException.class);
        return acked;
      }
    }
    throw new AssertionError("the injected fault never happened");
  }

  void assertRefusesWrites(Log log, List<Long> acked) throws Exception {
    assertThat(log.isFailed()).isTrue();
    assertThatThrownBy(() -> log.append(LogRecord.of(bytes("after"))).get())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(LogFailedException.class)
        .hasMessageContaining("reopen");
    assertThatThrownBy(() -> log.flush().get()).hasCauseInstanceOf(LogFailedException.class);
    assertThat(log.endOffset()).isEqualTo(acked.size()); // readers see nothing unacknowledged
  }

  void assertRecovers(List<Long> acked) throws Exception {
    try (LogDirectory d = LogDirectory.open(dir, options(FileLayer.system()).build())) {
      Log reopened = d.topic("t");
      List<LogRecord> all = readAll(reopened);
      assertThat(all.size()).isGreaterThanOrEqualTo(acked.size());
      for (long offset : acked) {
        assertThat(all.get((int) offset).payload()).isEqualTo(bytes("record-" + offset));
      }
      long next = reopened.append(LogRecord.of(bytes("again"))).get();
      assertThat(next).isEqualTo(all.size());
    }
  }

  @Test
  void writeErrorFailsTheFutureAndTheLog() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(FileLayer.system());
    List<Long> acked;
    try (LogDirectory d = LogDirectory.open(dir, options(files).build())) {
      Log log = d.topic("t");
      files.failWrite(25);
      acked = appendUntilFailure(log, 1000);
      assertRefusesWrites(log, acked);
    }
    assertRecovers(acked);
  }

  @Test
  void fullDiskFailsTheFutureAndTheLog() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(FileLayer.system());
    List<Long> acked;
    try (LogDirectory d = LogDirectory.open(dir, options(files).build())) {
      Log log = d.topic("t");
      files.diskFullAfter(3000);
      acked = appendUntilFailure(log, 1000);
      assertThat(acked).isNotEmpty();
      assertRefusesWrites(log, acked);
    }
    assertRecovers(acked);
  }

  /**
   * A disk that fills at every point of a burst of batched appends (inside a batch, at a roll,
   * while writing index entries): every future completes, and after reopening exactly the records
   * reported stored are present, at the offsets reported; none reported failed is there.
   */
  @Test
  void onAFullDiskEveryFutureCompletesAndFailedMeansAbsentAfterReopen() throws Exception {
    for (long capacity = 0; capacity < 8000; capacity += 173) {
      Path trial = dir.resolve("full-" + capacity);
      FaultyFileLayer files = new FaultyFileLayer(FileLayer.system());
      Map<String, Long> stored = new HashMap<>();
      int failed = 0;
      try (LogDirectory d = LogDirectory.open(trial, options(files).build())) {
        Log log = d.topic("t");
        files.diskFullAfter(capacity);
        Map<String, CompletableFuture<Long>> futures = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 250; i++) {
          String payload = "record-" + i + "-" + "x".repeat(i % 37);
          futures.put(payload, log.append(LogRecord.of(bytes(payload))));
        }
        for (Map.Entry<String, CompletableFuture<Long>> e : futures.entrySet()) {
          try {
            stored.put(e.getKey(), e.getValue().get(30, java.util.concurrent.TimeUnit.SECONDS));
          } catch (ExecutionException ex) {
            assertThat(ex.getCause()).isInstanceOfAny(IOException.class, LogFailedException.class);
            failed++;
          } catch (java.util.concurrent.TimeoutException ex) {
            throw new AssertionError(
                "capacity " + capacity + ": the future of " + e.getKey() + " never completed", ex);
          }
        }
      } catch (IOException closeFailure) {
        // closing a log that failed may fail too; what matters is what reopening finds
      }
      assertThat(failed).as("capacity %d", capacity).isPositive();
      try (LogDirectory d = LogDirectory.open(trial, options(FileLayer.system()).build())) {
        Map<String, Long> present = new HashMap<>();
        for (LogRecord r : readAll(d.topic("t"))) {
          present.put(new String(r.payload(), java.nio.charset.StandardCharsets.UTF_8), r.offset());
        }
        assertThat(present)
            .as("capacity %d: present after reopen vs reported stored", capacity)
            .isEqualTo(stored);
      }
    }
  }

  /**
   * A write that fails with an unchecked exception (a bug, a layer's own error) still completes
   * everything.
   */
  @Test
  void anUncheckedWriteFailureCompletesEveryRequestOfTheBatch() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean broken =
        new java.util.concurrent.atomic.AtomicBoolean();
    FaultyFileLayer gated = new FaultyFileLayer(FileLayer.system());
    FileLayer files =
        new ForwardingFileLayer(gated) {
          @Override
          public FileHandle open(Path file, boolean create) throws IOException {
            return new Handle(super.open(file, create)) {
              @Override
              public int write(java.nio.ByteBuffer src, long position) throws IOException {
                if (broken.get()) {
                  throw new IllegalStateException("injected unchecked write failure");
                }
                return super.write(src, position);
              }
            };
          }
        };
    try (LogDirectory d = LogDirectory.open(dir, options(files).segmentBytes(1 << 20).build())) {
      Log log = d.topic("t");
      gated.forceEntered = new CountDownLatch(1);
      CountDownLatch gate = new CountDownLatch(1);
      gated.forceGate = gate;
      CompletableFuture<Long> first = log.append(LogRecord.of(bytes("first")));
      gated.forceEntered
          .await(); // the writer holds in this fsync; what follows queues up as one batch
      List<CompletableFuture<?>> futures = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        futures.add(log.append(LogRecord.of(bytes("record-" + i))));
        if (i % 10 == 0) {
          futures.add(log.flush());
          futures.add(log.appended());
        }
      }
      broken.set(true);
      gate.countDown();
      assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
      for (CompletableFuture<?> f : futures) {
        assertThatThrownBy(() -> f.get(30, java.util.concurrent.TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class);
      }
      assertThat(log.isFailed()).isTrue();
    }
  }

  @Test
  void fsyncErrorIsNeverTreatedAsSuccess() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(FileLayer.system());
    List<Long> acked;
    try (LogDirectory d = LogDirectory.open(dir, options(files).build())) {
      Log log = d.topic("t");
      files.failForce(10);
      acked = appendUntilFailure(log, 1000);
      assertThat(acked).hasSizeLessThan(10);
      assertRefusesWrites(log, acked);
    }
    assertRecovers(acked);
  }

  @Test
  void groupCommitSharesOneFsyncAmongConcurrentAppenders() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(FileLayer.system());
    try (LogDirectory d = LogDirectory.open(dir, options(files).segmentBytes(1 << 20).build())) {
      Log log = d.topic("t");
      files.forceEntered = new CountDownLatch(1);
      CountDownLatch gate = new CountDownLatch(1);
      files.forceGate = gate;
      int forcesBefore = files.logForces.get();
      CompletableFuture<Long> first = log.append(LogRecord.of(bytes("first")));
      files.forceEntered.await();
      int threads = 8;
      int perThread = 100;
      List<CompletableFuture<Long>> all = new ArrayList<>();
      List<Thread> appenders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    CompletableFuture<Long> f = log.append(LogRecord.of(bytes(id + "-" + i)));
                    synchronized (all) {
                      all.add(f);
                    }
                  }
                });
        appenders.add(th);
        th.start();
      }
      for (Thread th : appenders) {
        th.join();
      }
      gate.countDown(); // everything above is queued behind the first, held fsync
      first.get();
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
      int appends = threads * perThread + 1;
      int fsyncs = files.logForces.get() - forcesBefore;
      assertThat(fsyncs).isLessThan(appends).isLessThanOrEqualTo(5);
      assertThat(readAll(log)).hasSize(appends);
    }
  }

  @Test
  void concurrentAlwaysAppendersAllCompleteWithFewerFsyncsThanAppends() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(new MemoryFileLayer());
    Path memDir = Path.of("/mem/group");
    try (LogDirectory d = LogDirectory.open(memDir, options(files).segmentBytes(1 << 20).build())) {
      Log log = d.topic("t");
      int threads = 6;
      int perThread = 300;
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    log.append(LogRecord.of(bytes(id + "-" + i))).join();
                  }
                },
                r -> new Thread(r).start()));
      }
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
      assertThat(log.endOffset()).isEqualTo(threads * perThread);
      assertThat(files.logForces.get()).isLessThanOrEqualTo(threads * perThread);
    }
  }

  @Test
  void everyAcknowledgedAlwaysAppendSurvivesPowerLoss() throws Exception {
    Random random = new Random(42);
    Path memDir = Path.of("/mem/power");
    MemoryFileLayer disk = new MemoryFileLayer();
    Map<Long, byte[]> acked = new HashMap<>();
    for (int round = 0; round < 30; round++) {
      LogDirectory d = LogDirectory.open(memDir, options(disk).segmentBytes(2048).build());
      Log log = d.topic("t");
      Map<Long, byte[]> all = new HashMap<>(acked);
      verify(log, all);
      int cutAfter = random.nextInt(60);
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      List<byte[]> payloads = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        byte[] payload = bytes("round-" + round + "-" + i + "-" + random.nextLong());
        payloads.add(payload);
        futures.add(log.append(LogRecord.of(payload)));
        if (i == cutAfter) {
          futures.get(random.nextInt(futures.size())).exceptionally(e -> -1L).join();
          MemoryFileLayer after = disk.powerLoss(random.nextBoolean() ? random : null);
          for (int j = 0; j < futures.size(); j++) {
            CompletableFuture<Long> f = futures.get(j);
            if (f.isDone() && !f.isCompletedExceptionally()) {
              acked.put(f.join(), payloads.get(j));
            }
          }
          disk = after;
          break;
        }
      }
      try {
        d.close();
      } catch (IOException expected) {
        // the old machine is dead; its files cannot be closed cleanly
      }
    }
    try (LogDirectory d = LogDirectory.open(memDir, options(disk).build())) {
      verify(d.topic("t"), acked);
    }
  }

  /**
   * Every acknowledged record is present with its payload, and the whole log reads without
   * corruption.
   */
  static void verify(Log log, Map<Long, byte[]> acked) {
    List<LogRecord> all = readAll(log);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).offset()).isEqualTo(i);
    }
    for (Map.Entry<Long, byte[]> e : acked.entrySet()) {
      assertThat(e.getKey()).isLessThan(all.size());
      assertThat(Arrays.equals(all.get(e.getKey().intValue()).payload(), e.getValue()))
          .as("payload of acknowledged offset %d", e.getKey())
          .isTrue();
    }
  }
}
