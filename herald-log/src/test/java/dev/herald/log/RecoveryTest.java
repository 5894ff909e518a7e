package dev.herald.log;

import static dev.herald.log.LogTest.bytes;
import static dev.herald.log.LogTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.log.internal.RecordDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {
  @TempDir Path dir;

  final ManualTimeSource clock = new ManualTimeSource(1_000_000L);

  LogOptions options() {
    return LogOptions.builder()
        .timeSource(clock)
        .segmentBytes(2048)
        .indexIntervalBytes(128)
        .maxRecordBytes(512)
        .build();
  }

  Path topicDir() {
    return dir.resolve("topics/t");
  }

  Path segment(long base) {
    return topicDir().resolve(String.format("%020d.log", base));
  }

  static LogRecord sample(int i) {
    return LogRecord.of(
        5_000L + i, bytes("key" + i), List.of(Header.of("h", "v" + i)), bytes("payload-" + i));
  }

  void write(int count) throws IOException {
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      Log log = d.topic("t");
      for (int i = 0; i < count; i++) {
        log.append(sample(i)).join();
      }
    }
  }

  /** Start positions of the records in a segment file, plus its size as the last element. */
  static List<Long> recordStarts(byte[] file) {
    List<Long> starts = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(file);
    int p = 0;
    while (p < file.length) {
      starts.add((long) p);
      p += RecordDescriptor.recordSizeFor(b.getInt(p + RecordDescriptor.LENGTH_OFFSET));
    }
    starts.add((long) file.length);
    return starts;
  }

  @Test
  void truncatingTheLastRecordAtEveryByteRecoversAllPreviousRecords() throws Exception {
    write(5);
    byte[] original = Files.readAllBytes(segment(0));
    List<Long> starts = recordStarts(original);
    int lastStart = starts.get(4).intValue();
    for (int cut = lastStart; cut < original.length; cut++) {
      Files.write(segment(0), java.util.Arrays.copyOf(original, cut));
      crashedBeforeAnyCheckpoint(); // a clean close's recovery point would make the cut lost data
      try (LogDirectory d = LogDirectory.open(dir, options())) {
        Log log = d.topic("t");
        assertThat(readAll(log))
            .containsExactly(
                sample(0).withOffset(0),
                sample(1).withOffset(1),
                sample(2).withOffset(2),
                sample(3).withOffset(3));
        RecoveryReport report = d.recoveryReport();
        if (cut == lastStart) {
          assertThat(report.truncations()).isEmpty();
        } else {
          long expectedBytes = cut - lastStart;
          assertThat(report.truncations())
              .singleElement()
              .satisfies(
                  t -> {
                    assertThat(t.file()).isEqualTo(segment(0));
                    assertThat(t.position()).isEqualTo(lastStart);
                    assertThat(t.bytes()).isEqualTo(expectedBytes);
                  });
        }
        assertThat(log.endOffset()).isEqualTo(4);
      }
    }
  }

  /**
   * Removes the recovery point a clean close wrote, as if the process had died before writing it.
   */
  void crashedBeforeAnyCheckpoint() throws IOException {
    Files.deleteIfExists(topicDir().resolve("recovery-point"));
  }

  @Test
  void damageBelowACleanCheckpointInTheActiveSegmentFailsLoudly() throws Exception {
    write(5); // closed cleanly: the recovery point covers all five records
    byte[] data = Files.readAllBytes(segment(0));
    int start = recordStarts(data).get(2).intValue();
    data[start + RecordDescriptor.CRC_OFFSET + 1] ^= 0x01;
    Files.write(segment(0), data);
    assertThatThrownBy(() -> LogDirectory.open(dir, options()))
        .isInstanceOfSatisfying(
            LogCorruptedException.class,
            e -> {
              assertThat(e.file()).isEqualTo(segment(0));
              assertThat(e.position()).isEqualTo(start);
            });
    // What was acknowledged is never cut off silently; repair quarantines it on request.
    assertThat(Files.readAllBytes(segment(0))).hasSize(data.length);
  }

  /** Every file of the topic, by name, with its bytes. */
  Map<String, byte[]> topicFiles() throws IOException {
    Map<String, byte[]> all = new TreeMap<>();
    try (Stream<Path> files = Files.list(topicDir())) {
      for (Path p : (Iterable<Path>) files::iterator) {
        all.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return all;
  }

  static void assertSameFiles(Map<String, byte[]> actual, Map<String, byte[]> expected) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach((name, bytes) -> assertThat(actual.get(name)).as(name).isEqualTo(bytes));
  }

  @Test
  void anOpenThatFailsOnDamageLeavesTheFilesAsTheyWere() throws Exception {
    // Damage in the active segment below a clean checkpoint: validated whole, it fails the open.
    write(20);
    byte[] original = Files.readAllBytes(segment(0));
    byte[] damaged = original.clone();
    int start = recordStarts(damaged).get(10).intValue();
    damaged[start + RecordDescriptor.CRC_OFFSET + 1] ^= 0x01;
    Files.write(segment(0), damaged);
    assertThat(Files.size(topicDir().resolve(String.format("%020d.index", 0)))).isPositive();
    Map<String, byte[]> before = topicFiles();
    assertThatThrownBy(() -> LogDirectory.open(dir, options()))
        .isInstanceOf(LogCorruptedException.class);
    assertSameFiles(topicFiles(), before);

    // Damage in a sealed segment, with no recovery point (as after a crash): every segment is
    // validated whole, and the open fails at the damaged one.
    Files.write(segment(0), original);
    write(60);
    original = Files.readAllBytes(segment(0));
    damaged = original.clone();
    damaged[recordStarts(damaged).get(3).intValue() + RecordDescriptor.CRC_OFFSET] ^= 0x10;
    Files.write(segment(0), damaged);
    crashedBeforeAnyCheckpoint();
    before = topicFiles();
    assertThat(before.keySet().stream().filter(n -> n.endsWith(".log")).count()).isGreaterThan(1);
    assertThat(before.get(String.format("%020d.index", 0))).isNotEmpty();
    assertThatThrownBy(() -> LogDirectory.open(dir, options()))
        .isInstanceOfSatisfying(
            LogCorruptedException.class, e -> assertThat(e.file()).isEqualTo(segment(0)));
    assertSameFiles(topicFiles(), before);
  }

  @Test
  void flippingAnyBitOfTheLastRecordInTheActiveSegmentTruncatesAtThatRecord() throws Exception {
    write(5);
    byte[] original = Files.readAllBytes(segment(0));
    List<Long> starts = recordStarts(original);
    int start = starts.get(4).intValue();
    int end = starts.get(5).intValue();
    for (int pos = start; pos < end; pos++) {
      for (int bit : new int[] {0, 7}) {
        byte[] damaged = original.clone();
        damaged[pos] ^= (byte) (1 << bit);
        Files.write(segment(0), damaged);
        crashedBeforeAnyCheckpoint();
        try (LogDirectory d = LogDirectory.open(dir, options())) {
          assertThat(readAll(d.topic("t")))
              .containsExactly(
                  sample(0).withOffset(0),
                  sample(1).withOffset(1),
                  sample(2).withOffset(2),
                  sample(3).withOffset(3));
          assertThat(d.recoveryReport().truncations())
              .singleElement()
              .satisfies(
                  t -> {
                    assertThat(t.position()).isEqualTo(start);
                    assertThat(t.bytes()).isEqualTo(original.length - start);
                  });
        }
      }
    }
  }

  /**
   * A crash leaves at most a torn tail: intact records after a bad one mean the bad one was written
   * whole and damaged since. The open fails as it does for a sealed segment and cuts nothing.
   */
  @Test
  void aBadRecordFollowedByIntactRecordsInTheActiveSegmentIsDamageNotATornTail() throws Exception {
    write(5);
    byte[] original = Files.readAllBytes(segment(0));
    List<Long> starts = recordStarts(original);
    int start = starts.get(2).intValue();
    int size = starts.get(3).intValue() - start;
    for (int pos : fieldPositions(start, size)) {
      byte[] damaged = original.clone();
      damaged[pos] ^= 0x01;
      Files.write(segment(0), damaged);
      crashedBeforeAnyCheckpoint();
      assertThatThrownBy(() -> LogDirectory.open(dir, options()))
          .as("bit flipped at byte %d", pos)
          .isInstanceOfSatisfying(
              LogCorruptedException.class,
              e -> {
                assertThat(e.file()).isEqualTo(segment(0));
                assertThat(e.position()).isEqualTo(start);
                assertThat(e.getMessage()).contains("intact records follow");
              });
      assertThat(Files.readAllBytes(segment(0))).isEqualTo(damaged);
    }
    RecoveryReport report = LogDirectory.repair(dir, options());
    assertThat(report.truncations()).isEmpty();
    assertThat(report.quarantines())
        .singleElement()
        .satisfies(q -> assertThat(q.position()).isEqualTo(start));
    assertThat(report.dropped())
        .singleElement()
        .satisfies(g -> assertThat(g.records()).isEqualTo(1));
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      assertThat(readAll(d.topic("t")))
          .extracting(LogRecord::offset)
          .containsExactly(0L, 1L, 3L, 4L);
    }
  }

  /** One byte position inside each field of a record starting at {@code start}. */
  static List<Integer> fieldPositions(int start, int size) {
    int k = start + RecordDescriptor.KEY_OFFSET;
    return List.of(
        start + RecordDescriptor.LENGTH_OFFSET + 3,
        start + RecordDescriptor.CRC_OFFSET + 1,
        start + RecordDescriptor.MAGIC_OFFSET,
        start + RecordDescriptor.ATTRIBUTES_OFFSET,
        start + RecordDescriptor.TIMESTAMP_OFFSET + 7,
        start + RecordDescriptor.OFFSET_OFFSET + 7,
        start + RecordDescriptor.KEY_LENGTH_OFFSET + 3,
        k + 1, /* header count */
        k + 4 + 3,
        /* header name */ k + 8 + 4,
        start + size - 12 /* payload length */,
        start + size - 1);
  }

  @Test
  void damageInASealedSegmentFailsLoudlyNamingFileAndPosition() throws Exception {
    write(60);
    byte[] original = Files.readAllBytes(segment(0));
    List<Long> starts = recordStarts(original);
    int start = starts.get(3).intValue();
    int size = starts.get(4).intValue() - start;
    Path recoveryPoint = topicDir().resolve("recovery-point");
    byte[] checkpoint = Files.readAllBytes(recoveryPoint);
    Path index = topicDir().resolve(String.format("%020d.index", 0));
    byte[] indexBytes = Files.readAllBytes(index);
    for (int pos : fieldPositions(start, size)) {
      byte[] damaged = original.clone();
      damaged[pos] ^= 0x10;
      Files.write(segment(0), damaged);
      Files.write(index, indexBytes);
      Files.write(
          recoveryPoint, checkpoint); // the sealed segment is trusted at open; the read fails
      try (LogDirectory d = LogDirectory.open(dir, options())) {
        assertThatThrownBy(() -> readAll(d.topic("t")))
            .isInstanceOfSatisfying(
                LogCorruptedException.class,
                e -> {
                  assertThat(e.file()).isEqualTo(segment(0));
                  assertThat(e.position()).isEqualTo(start);
                });
      }

      Files.delete(recoveryPoint); // as after a crash: every segment is validated
      assertThatThrownBy(() -> LogDirectory.open(dir, options()))
          .isInstanceOfSatisfying(
              LogCorruptedException.class,
              e -> {
                assertThat(e.file()).isEqualTo(segment(0));
                assertThat(e.position()).isEqualTo(start);
                assertThat(e.getMessage())
                    .contains(segment(0).toString())
                    .contains("byte " + start);
              });

      // With the recovery point the sealed segment is trusted at open (unless the failed open above
      // left
      // its index to be rebuilt); either the open or the read fails, never silently.
      Files.write(recoveryPoint, checkpoint);
      assertThatThrownBy(
              () -> {
                try (LogDirectory d = LogDirectory.open(dir, options())) {
                  readAll(d.topic("t"));
                }
              })
          .isInstanceOfSatisfying(
              LogCorruptedException.class,
              e -> {
                assertThat(e.file()).isEqualTo(segment(0));
                assertThat(e.position()).isEqualTo(start);
              });
    }
  }

  @Test
  void repairQuarantinesOnlyTheDamagedRecordOfASealedSegmentAndKeepsEveryIntactOne()
      throws Exception {
    write(60);
    byte[] original = Files.readAllBytes(segment(0));
    List<Long> starts = recordStarts(original);
    int start = starts.get(3).intValue();
    byte[] damaged = original.clone();
    damaged[start + RecordDescriptor.TIMESTAMP_OFFSET] ^= 1;
    Files.write(segment(0), damaged);
    Files.delete(topicDir().resolve("recovery-point"));

    RecoveryReport report = LogDirectory.repair(dir, options());
    int end = starts.get(4).intValue();
    assertThat(report.quarantines())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.file()).isEqualTo(segment(0));
              assertThat(q.position()).isEqualTo(start);
              assertThat(q.bytes()).isEqualTo(end - start);
              assertThat(Files.readAllBytes(q.quarantineFile()))
                  .isEqualTo(java.util.Arrays.copyOfRange(damaged, start, end));
            });
    assertThat(report.dropped())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.fromOffset()).isEqualTo(3);
              assertThat(g.toOffset()).isEqualTo(4);
              assertThat(g.records()).isEqualTo(1);
            });
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      assertThat(d.recoveryReport().isClean()).isTrue();
      List<LogRecord> left = readAll(d.topic("t"));
      List<Long> expected = new ArrayList<>();
      for (long o = 0; o < 60; o++) {
        if (o != 3) {
          expected.add(o);
        }
      }
      assertThat(left).extracting(LogRecord::offset).containsExactlyElementsOf(expected);
      assertThat(left.get(3)).isEqualTo(sample(4).withOffset(4));
      assertThat(d.topic("t").append(sample(60)).get()).isEqualTo(60L);
    }
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).isClean()).isTrue();
  }

  List<Path> segmentFiles() throws IOException {
    try (var list = Files.list(topicDir())) {
      return list.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    }
  }

  static long baseOf(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - ".log".length()));
  }

  @Test
  void aDeletedSealedSegmentIsAGapThatFailsTheOpenUntilARepairRecordsIt() throws Exception {
    write(150);
    List<Path> segments = segmentFiles();
    assertThat(segments).hasSizeGreaterThan(2);
    long from = baseOf(segments.get(1));
    long to = baseOf(segments.get(2));
    Files.delete(segments.get(1));
    assertThatThrownBy(() -> LogDirectory.open(dir, options()))
        .isInstanceOfSatisfying(
            LogCorruptedException.class,
            e -> {
              assertThat(e.file()).isEqualTo(segments.get(2));
              assertThat(e.getMessage()).contains("offsets " + from + " to " + (to - 1), "missing");
            });
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).problems())
        .anySatisfy(
            p -> assertThat(p.reason()).contains("offsets " + from + " to " + (to - 1), "missing"));

    RecoveryReport report = LogDirectory.repair(dir, options());
    assertThat(report.dropped())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.fromOffset()).isEqualTo(from);
              assertThat(g.toOffset()).isEqualTo(to);
              assertThat(g.records()).isEqualTo(to - from);
            });
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      assertThat(d.recoveryReport().isClean()).isTrue();
      List<LogRecord> left = readAll(d.topic("t"));
      assertThat(left).hasSize(150 - (int) (to - from));
      assertThat(left).extracting(LogRecord::offset).doesNotContain(from).contains(to, 149L);
    }
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).isClean()).isTrue();
  }

  @Test
  void aDeletedLastSegmentOfACleanlyClosedLogLeavesTheRecoveryPointPastTheEnd() throws Exception {
    write(60);
    List<Path> segments = segmentFiles();
    Path last = segments.get(segments.size() - 1);
    long lastBase = baseOf(last);
    Files.delete(last);
    assertThatThrownBy(() -> LogDirectory.open(dir, options()))
        .isInstanceOfSatisfying(
            LogCorruptedException.class,
            e -> {
              assertThat(e.file()).isEqualTo(topicDir().resolve("recovery-point"));
              assertThat(e.getMessage())
                  .contains("recovery point 60", "offsets " + lastBase + " to 59");
            });
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).problems())
        .anySatisfy(p -> assertThat(p.reason()).contains("recovery point 60"));

    RecoveryReport report = LogDirectory.repair(dir, options());
    assertThat(report.dropped())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.fromOffset()).isEqualTo(lastBase);
              assertThat(g.toOffset()).isEqualTo(60);
            });
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      assertThat(d.recoveryReport().isClean()).isTrue();
      Log log = d.topic("t");
      assertThat(log.endOffset()).isEqualTo(60);
      assertThat(log.append(sample(60)).get())
          .isEqualTo(60L); // no offset below the recovery point reused
    }
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).isClean()).isTrue();
  }

  @Test
  void aDamagedOrMissingRecoveryPointShowsInVerifyAndARepairRewritesIt() throws Exception {
    write(60);
    Path recoveryPoint = topicDir().resolve("recovery-point");
    byte[] bytes = Files.readAllBytes(recoveryPoint);
    bytes[5] ^= 0x01;
    Files.write(recoveryPoint, bytes);
    for (int round = 0; round < 2; round++) {
      assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).problems())
          .anySatisfy(p -> assertThat(p.file()).isEqualTo(recoveryPoint));
      RecoveryReport report = LogDirectory.repair(dir, options());
      assertThat(report.rebuiltFiles())
          .singleElement()
          .satisfies(r -> assertThat(r.file()).isEqualTo(recoveryPoint));
      assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).isClean()).isTrue();
      Files.delete(recoveryPoint);
    }
  }

  @Test
  void repairBringsGroupOffsetsPastTheEndBackToIt() throws Exception {
    write(5);
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      d.offsets().commit("g", "t", 5); // a consumer saw all five
      d.offsets().commit("early", "t", 2);
    }
    byte[] original = Files.readAllBytes(segment(0));
    int lastStart = recordStarts(original).get(4).intValue();
    Files.write(
        segment(0), java.util.Arrays.copyOf(original, lastStart + 3)); // power loss tore record 4
    crashedBeforeAnyCheckpoint();
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).problems())
        .anySatisfy(p -> assertThat(p.reason()).contains("group g", "past"));

    RecoveryReport report = LogDirectory.repair(dir, options());
    assertThat(report.clampedOffsets())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.group()).isEqualTo("g");
              assertThat(c.topic()).isEqualTo("t");
              assertThat(c.from()).isEqualTo(5);
              assertThat(c.to()).isEqualTo(4);
            });
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      assertThat(d.offsets().committed("g", "t")).hasValue(4);
      assertThat(d.offsets().committed("early", "t")).hasValue(2);
    }
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).isClean()).isTrue();
  }

  @Test
  void damagedOrMissingIndexesAreRebuilt() throws Exception {
    write(60);
    Path index = topicDir().resolve(String.format("%020d.index", 0));
    Path timeIndex = topicDir().resolve(String.format("%020d.timeindex", 0));
    byte[] original = Files.readAllBytes(index);
    assertThat(original.length).isGreaterThan(12);
    for (int pos = 0; pos < original.length; pos++) {
      byte[] damaged = original.clone();
      damaged[pos] ^= 0x04;
      Files.write(index, damaged);
      try (LogDirectory d = LogDirectory.open(dir, options())) {
        assertThat(d.recoveryReport().rebuiltIndexes()).containsExactly(index);
        Log log = d.topic("t");
        for (long offset = 0; offset < 60; offset++) {
          try (LogReader r = log.reader(offset)) {
            assertThat(r.poll()).contains(sample((int) offset).withOffset(offset));
          }
        }
      }
      assertThat(Files.readAllBytes(index)).isEqualTo(original);
    }
    byte[] time = Files.readAllBytes(timeIndex);
    time[time.length - 3] ^= 0x01;
    Files.write(timeIndex, time);
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      assertThat(d.recoveryReport().rebuiltIndexes()).containsExactly(index);
      try (LogReader r = d.topic("t").readerFromTimestamp(5_010L)) {
        assertThat(r.poll().orElseThrow().offset()).isEqualTo(10);
      }
    }
    Files.delete(index);
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      assertThat(d.recoveryReport().rebuiltIndexes()).containsExactly(index);
      assertThat(readAll(d.topic("t"))).hasSize(60);
    }
  }

  @Test
  void corruptLengthNeverAllocatesMoreThanTheMaximum() throws Exception {
    write(3);
    byte[] data = Files.readAllBytes(segment(0));
    int last = recordStarts(data).get(2).intValue();
    ByteBuffer.wrap(data).putInt(last + RecordDescriptor.LENGTH_OFFSET, Integer.MAX_VALUE - 8);
    Files.write(segment(0), data);
    crashedBeforeAnyCheckpoint();
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      assertThat(d.recoveryReport().truncations())
          .singleElement()
          .satisfies(t -> assertThat(t.reason()).contains("outside"));
      assertThat(d.topic("t").endOffset()).isEqualTo(2);
    }
  }
}
