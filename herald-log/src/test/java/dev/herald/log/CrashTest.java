package dev.herald.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM with SIGKILL while it appends with {@code ALWAYS}, then checks on reopen that
 * every record the child acknowledged is present and intact and that the whole log reads without
 * corruption. {@code -Dherald.crash.kills=N} sets the number of kills (the {@code stress} profile
 * raises it).
 */
class CrashTest {
  @TempDir Path dir;

  static final int KILLS = Integer.getInteger("herald.crash.kills", 50);

  static Process launch(String mode, Path logDir, Path stderr, String... more) throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                CrashChild.class.getName(),
                mode,
                logDir.toString()));
    cmd.addAll(List.of(more));
    return new ProcessBuilder(cmd)
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
        .start();
  }

  @Test
  void everyAcknowledgedRecordSurvivesSigkill() throws Exception {
    Path logDir = dir.resolve("log");
    Path stderr = dir.resolve("child-stderr.txt");
    Random random = new Random();
    Map<Long, Integer> acked = new HashMap<>();
    long totalAcks = 0;
    long truncatedBytes = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      Process child = launch("append", logDir, stderr);
      int target = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(40);
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String ready = lines.readLine();
        assertThat(ready).as("child output; see %s", stderr).startsWith("READY");
        int seen = 0;
        while (seen < target) {
          String line = lines.readLine();
          assertThat(line).as("child died early; see %s", stderr).isNotNull();
          record(line, acked);
          seen++;
        }
        // SIGKILL on Linux: no shutdown hooks, no close. Through the handle, because
        // Process.destroyForcibly() also closes our end of stdout, losing acks already printed.
        child.toHandle().destroyForcibly();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("ACK ") && line.split(" ").length == 3) {
            record(line, acked); // printed before the kill: acknowledged too
            seen++;
          }
        }
        totalAcks += seen;
      } finally {
        child.destroyForcibly();
      }
      truncatedBytes += verify(logDir, acked);
    }
    assertThat(totalAcks).isGreaterThan(0);
    System.out.printf(
        "crash test: %d kills, %d acknowledged records, %d torn bytes truncated%n",
        KILLS, totalAcks, truncatedBytes);
  }

  /**
   * As above, but each kill is a power loss: the child writes through a {@link PowerLossFileLayer},
   * and after the SIGKILL every write it did not fsync is dropped (some unsynced pages may survive,
   * as on a real disk). Every acknowledged record and every committed group offset must survive,
   * the offset never past the end; and what the loss leaves must look torn, never damaged, to
   * verify and to open.
   */
  @Test
  void everyAcknowledgedRecordAndCommittedOffsetSurvivesPowerLoss() throws Exception {
    Path logDir = dir.resolve("log");
    Path shadow = dir.resolve("durable");
    Path stderr = dir.resolve("child-stderr.txt");
    Random random = new Random();
    Map<Long, Integer> acked = new HashMap<>();
    long committed = 0;
    long totalAcks = 0;
    long droppedBytes = 0;
    long truncatedBytes = 0;
    int losses = Math.max(5, KILLS / 2);
    for (int loss = 0; loss < losses; loss++) {
      Process child = launch("power", logDir, stderr, shadow.toString());
      int target = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(60);
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String ready = lines.readLine();
        assertThat(ready).as("child output; see %s", stderr).startsWith("READY");
        int seen = 0;
        while (seen < target) {
          String line = lines.readLine();
          assertThat(line).as("child died early; see %s", stderr).isNotNull();
          if (line.startsWith("COMMIT ")) {
            committed = Math.max(committed, Long.parseLong(line.substring(7)));
          } else {
            record(line, acked);
            seen++;
          }
        }
        child.toHandle().destroyForcibly();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("ACK ") && line.split(" ").length == 3) {
            record(line, acked);
            seen++;
          } else if (line.matches("COMMIT \\d+")) {
            committed = Math.max(committed, Long.parseLong(line.substring(7)));
          }
        }
        totalAcks += seen;
      } finally {
        child.destroyForcibly();
      }
      droppedBytes +=
          PowerLossFileLayer.powerLoss(logDir, shadow, random.nextBoolean() ? random : null);
      for (LogFiles.Problem p :
          LogFiles.verify(logDir, CrashChild.options(), (done, total) -> {}).problems()) {
        if (p.file().toString().endsWith(".log")) {
          assertThat(p.reason()).as("%s", p).contains("tail not yet forced");
        } else {
          assertThat(p.file().getFileName().toString()).as("%s", p).endsWith("index");
        }
      }
      truncatedBytes += verify(logDir, acked);
      try (LogDirectory d = LogDirectory.open(logDir, CrashChild.options())) {
        long end = d.topic("crash").endOffset();
        long stored = d.offsets().committed("g", "crash").orElse(0);
        assertThat(stored).isGreaterThanOrEqualTo(committed).isLessThanOrEqualTo(end);
      }
      PowerLossFileLayer.synced(logDir, shadow); // closed cleanly: all durable now
    }
    assertThat(totalAcks).isGreaterThan(0);
    assertThat(droppedBytes).isGreaterThan(0);
    System.out.printf(
        "power-loss test: %d losses, %d acknowledged records, %d unsynced bytes dropped,"
            + " %d torn bytes truncated%n",
        losses, totalAcks, droppedBytes, truncatedBytes);
  }

  private static void record(String line, Map<Long, Integer> acked) {
    String[] parts = line.split(" ");
    assertThat(parts[0]).isEqualTo("ACK");
    acked.put(Long.parseLong(parts[1]), Integer.parseInt(parts[2]));
  }

  /** Checks the log and returns the bytes recovery truncated. */
  private static long verify(Path logDir, Map<Long, Integer> acked) throws Exception {
    try (LogDirectory d = LogDirectory.open(logDir, CrashChild.options())) {
      Log log = d.topic("crash");
      Map<Long, Integer> found = new HashMap<>();
      try (LogReader r = log.readerFromStart()) {
        long expected = 0;
        for (Optional<LogRecord> rec = r.poll(); rec.isPresent(); rec = r.poll()) {
          LogRecord record = rec.get();
          assertThat(record.offset()).isEqualTo(expected++);
          int crc = CrashChild.crcOfBody(record.payload());
          assertThat(ByteBuffer.wrap(record.payload()).getInt(0))
              .as("payload of %d", record.offset())
              .isEqualTo(crc);
          found.put(record.offset(), crc);
        }
      }
      for (Map.Entry<Long, Integer> e : acked.entrySet()) {
        assertThat(found.get(e.getKey()))
            .as("acknowledged offset %d", e.getKey())
            .isEqualTo(e.getValue());
      }
      return d.recoveryReport().truncatedBytes();
    }
  }

  @Test
  void anotherProcessCannotOpenALockedDirectory() throws Exception {
    Path logDir = dir.resolve("log");
    Path stderr = dir.resolve("child-stderr.txt");
    try (LogDirectory d = LogDirectory.open(logDir, CrashChild.options())) {
      d.topic("x");
      Process child = launch("lock", logDir, stderr);
      String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as(out).isEqualTo(3);
      assertThat(out).startsWith("LOCKED").contains("another process");
    }
    Process child = launch("lock", logDir, stderr);
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).startsWith("OPENED");
    assertThat(child.exitValue()).isZero();
  }
}
