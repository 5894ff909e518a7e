package dev.herald.log;

import static dev.herald.log.LogTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.log.internal.RecordCodec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LogFiles#openReadOnly}: reading a topic that a {@link LogDirectory} in this JVM holds open
 * (and locked), following it across rolls and retention, waiting on records still being written,
 * reporting damage, and never changing a byte. Waits use long bounds and real signals, never a
 * clock.
 */
class ReadOnlyLogTest {
  static final Duration PATIENCE = Duration.ofSeconds(60);
  static final Duration POLL = Duration.ofMillis(200);

  @TempDir Path dir;

  final List<long[]> skips = new CopyOnWriteArrayList<>();

  static LogOptions options() {
    return LogOptions.builder()
        .segmentBytes(1024)
        .maxRecordBytes(512)
        .indexIntervalBytes(128)
        .build();
  }

  ReadOnlyLog openReadOnly(Duration poll) throws IOException {
    return LogFiles.openReadOnly(
        dir, "t", options(), poll, (from, to) -> skips.add(new long[] {from, to}));
  }

  static LogRecord record(int i) {
    return LogRecord.of(1_000L + i, null, List.of(), bytes("record-" + i + "-" + "x".repeat(40)));
  }

  static void append(Log log, int from, int to) {
    List<CompletableFuture<Long>> fs = new ArrayList<>();
    for (int i = from; i < to; i++) {
      fs.add(log.append(record(i)));
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
  }

  static List<LogRecord> drain(LogReader reader) {
    List<LogRecord> out = new ArrayList<>();
    for (Optional<LogRecord> r = reader.poll(); r.isPresent(); r = reader.poll()) {
      out.add(r.get());
    }
    return out;
  }

  static Path activeSegment(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("topics/t"))) {
      return s.filter(p -> p.toString().endsWith(".log")).max(Path::compareTo).orElseThrow();
    }
  }

  static byte[] encoded(LogRecord r, long offset) {
    ByteBuffer b = ByteBuffer.allocate(RecordCodec.encodedSize(r));
    RecordCodec.encode(r, offset, r.timestamp(), b);
    return b.array();
  }

  static void write(Path file, long position, byte[] bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(position);
      f.write(bytes);
    }
  }

  static void flipByte(Path file, long position) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(position);
      int b = f.read();
      f.seek(position);
      f.write(b ^ 0x01);
    }
  }

  /** True once {@code t} waits (for a change, in {@code next}). */
  static boolean waiting(Thread t) {
    Thread.State s = t.getState();
    return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
  }

  @Test
  void followsALogThatAWriterInThisJvmHoldsOpenAcrossRolls() throws Exception {
    try (LogDirectory writer = LogDirectory.open(dir, options())) {
      Log log = writer.topic("t");
      append(log, 0, 10);
      assertThat(LogFiles.isInUse(dir, options())).isTrue();
      try (ReadOnlyLog ro = openReadOnly(POLL);
          LogReader reader = ro.readerFromStart()) {
        assertThat(ro.startOffset()).isZero();
        assertThat(ro.endOffset()).isEqualTo(10);
        assertThat(drain(reader))
            .extracting(LogRecord::offset)
            .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);

        int segmentsBefore = log.segmentCount();
        List<LogRecord> followed = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> follower =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    while (followed.size() < 70) {
                      reader
                          .next(PATIENCE)
                          .ifPresentOrElse(
                              followed::add,
                              () -> {
                                throw new AssertionError("no record within " + PATIENCE);
                              });
                    }
                  } catch (InterruptedException e) {
                    throw new AssertionError(e);
                  }
                },
                r -> new Thread(r, "follower").start());
        for (int i = 10; i < 80; i += 7) {
          append(log, i, Math.min(i + 7, 80));
        }
        follower.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(log.segmentCount()).isGreaterThan(segmentsBefore); // it rolled while followed
        assertThat(followed).extracting(LogRecord::offset).containsExactlyElementsOf(range(10, 80));
        assertThat(followed.get(69).payload()).isEqualTo(record(79).payload());
      }
    }
    assertThat(LogFiles.isInUse(dir, options())).isFalse();
    assertThat(skips).isEmpty();
  }

  @Test
  void aWaitingReaderIsWokenByTheDirectoryWatchNotThePoll() throws Exception {
    try (LogDirectory writer = LogDirectory.open(dir, options())) {
      Log log = writer.topic("t");
      append(log, 0, 3);
      try (ReadOnlyLog ro = openReadOnly(Duration.ofHours(1));
          LogReader reader = ro.reader(ro.endOffset())) {
        Thread[] waiter = new Thread[1];
        CompletableFuture<Optional<LogRecord>> next =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return reader.next(PATIENCE);
                  } catch (InterruptedException e) {
                    throw new AssertionError(e);
                  }
                },
                r -> {
                  waiter[0] = new Thread(r, "waiter");
                  waiter[0].start();
                });
        await().atMost(PATIENCE).until(() -> waiting(waiter[0]));
        append(log, 3, 4);
        assertThat(next.get().map(LogRecord::offset)).contains(3L);
      }
    }
  }

  @Test
  void aRecordStillBeingWrittenAtTheTailIsWaitedForNotReported() throws Exception {
    try (LogDirectory writer = LogDirectory.open(dir, options())) {
      append(writer.topic("t"), 0, 5);
    }
    Path active = activeSegment(dir);
    long end = Files.size(active);
    byte[] fifth = encoded(record(5), 5);
    write(
        active, end, Arrays.copyOf(fifth, 20)); // a torn record: the writer got 20 bytes out so far

    try (ReadOnlyLog ro = openReadOnly(POLL);
        LogReader reader = ro.readerFromStart()) {
      assertThat(drain(reader)).hasSize(5);
      assertThat(reader.poll()).isEmpty();
      assertThat(reader.next(Duration.ZERO)).isEmpty();
      assertThat(ro.endOffset()).isEqualTo(5);

      CompletableFuture<Optional<LogRecord>> next =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return reader.next(PATIENCE);
                } catch (InterruptedException e) {
                  throw new AssertionError(e);
                }
              });
      write(active, end + 20, Arrays.copyOfRange(fifth, 20, fifth.length)); // the write completes
      assertThat(next.get().map(LogRecord::payload)).contains(record(5).payload());

      // A whole-length record whose CRC does not match yet (its bytes not all written) is waited
      // for too.
      byte[] sixth = encoded(record(6), 6);
      byte[] half = sixth.clone();
      Arrays.fill(half, sixth.length / 2, sixth.length, (byte) 0);
      write(active, end + fifth.length, half);
      assertThat(reader.poll()).isEmpty();
      write(active, end + fifth.length, sixth);
      assertThat(reader.next(PATIENCE).map(LogRecord::offset)).contains(6L);
    }
    // A writer opening it now would run recovery; the read-only reader did not.
    assertThat(Files.size(active)).isEqualTo(end + fifth.length + encoded(record(6), 6).length);
  }

  @Test
  void damageInASealedSegmentIsReportedWithFileAndPosition() throws Exception {
    try (LogDirectory writer = LogDirectory.open(dir, options())) {
      Log log = writer.topic("t");
      append(log, 0, 40);
      assertThat(log.segmentCount()).isGreaterThan(2);
      Path sealed = dir.resolve("topics/t/00000000000000000000.log");
      flipByte(sealed, 200);
      try (ReadOnlyLog ro = openReadOnly(POLL);
          LogReader reader = ro.readerFromStart()) {
        assertThatThrownBy(() -> drain(reader))
            .isInstanceOfSatisfying(
                LogCorruptedException.class,
                e -> {
                  assertThat(e.file()).isEqualTo(sealed);
                  assertThat(e.position()).isBetween(1L, 200L);
                  assertThat(e.getMessage()).contains("sealed segment", "crc32c mismatch");
                });
      }
    }
  }

  @Test
  void damageInsideTheActiveSegmentWithRecordsAfterItIsReported() throws Exception {
    try (LogDirectory writer = LogDirectory.open(dir, options())) {
      append(writer.topic("t"), 0, 5);
    }
    Path active = activeSegment(dir);
    flipByte(active, 30); // inside the first record's key/headers: four whole records follow it
    try (ReadOnlyLog ro = openReadOnly(POLL);
        LogReader reader = ro.readerFromStart()) {
      assertThatThrownBy(reader::poll)
          .isInstanceOfSatisfying(
              LogCorruptedException.class,
              e -> {
                assertThat(e.file()).isEqualTo(active);
                assertThat(e.position()).isZero();
                assertThat(e.getMessage()).contains("active segment", "bytes follow");
              });
    }
  }

  @Test
  void retentionDeletingSegmentsUnderAReaderSkipsForwardAndSaysSo() throws Exception {
    LogOptions retaining =
        LogOptions.builder()
            .segmentBytes(1024)
            .maxRecordBytes(512)
            .indexIntervalBytes(128)
            .retentionBytes(2048)
            .build();
    try (LogDirectory writer = LogDirectory.open(dir, retaining)) {
      Log log = writer.topic("t");
      append(log, 0, 10);
      try (ReadOnlyLog ro = openReadOnly(POLL);
          LogReader reader = ro.readerFromStart()) {
        List<Long> read = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          read.add(reader.poll().orElseThrow().offset());
        }
        append(log, 10, 200); // retention deletes the segments the reader is in and about to read
        await()
            .atMost(PATIENCE)
            .until(() -> log.startOffset() > 30); // retention runs after the acks
        drain(reader).forEach(r -> read.add(r.offset()));

        assertThat(skips).isNotEmpty();
        assertThat(read).isSorted().doesNotHaveDuplicates().startsWith(0L, 1L, 2L).endsWith(199L);
        long skipped = skips.stream().mapToLong(s -> s[1] - s[0]).sum();
        assertThat(read.size() + skipped).isEqualTo(200); // every offset read or reported skipped
        for (long[] s : skips) {
          assertThat(read).doesNotContain(s[0], s[1] - 1);
        }
      }
    }
  }

  @Test
  void readerFromTimestampFindsTheFirstRecordAtOrAfterIt() throws Exception {
    try (LogDirectory writer = LogDirectory.open(dir, options())) {
      append(writer.topic("t"), 0, 40);
      try (ReadOnlyLog ro = openReadOnly(POLL)) {
        try (LogReader r = ro.readerFromTimestamp(1_000L + 33)) {
          assertThat(r.poll().map(LogRecord::offset)).contains(33L);
        }
        try (LogReader r = ro.readerFromTimestamp(1_000L + 1_000)) {
          assertThat(r.position()).isEqualTo(40);
          assertThat(r.poll()).isEmpty();
        }
      }
    }
  }

  @Test
  void readOnlyOpenChangesNoFile() throws Exception {
    LogOptions opts = options();
    try (LogDirectory writer = LogDirectory.open(dir, opts)) {
      append(writer.topic("t"), 0, 40);
      writer.offsets().commit("g", "t", 7);
    }
    Path active = activeSegment(dir);
    write(active, Files.size(active), Arrays.copyOf(encoded(record(40), 40), 25)); // a torn tail
    Files.delete(dir.resolve("topics/t/00000000000000000000.index")); // recovery would rebuild it
    Map<Path, String> before = snapshot(dir);

    try (ReadOnlyLog ro = openReadOnly(POLL)) {
      try (LogReader reader = ro.readerFromStart()) {
        assertThat(drain(reader)).hasSize(40);
        assertThat(reader.next(Duration.ZERO)).isEmpty();
      }
      try (LogReader reader = ro.reader(25)) {
        assertThat(reader.poll().map(LogRecord::offset)).contains(25L);
      }
      try (LogReader reader = ro.readerFromTimestamp(1_010L)) {
        assertThat(reader.poll().map(LogRecord::offset)).contains(10L);
      }
      assertThat(ro.endOffset()).isEqualTo(40);
    }
    assertThat(LogFiles.isInUse(dir, opts)).isFalse();
    LogFiles.topic(dir, "t", opts);
    LogFiles.committedOffsets(dir, opts);
    LogFiles.verify(dir, opts, (done, total) -> {});

    assertThat(snapshot(dir)).isEqualTo(before);
  }

  /** Every file and directory under {@code root}: size, modification time and content. */
  static Map<Path, String> snapshot(Path root) throws IOException {
    Map<Path, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        String content = a.isDirectory() ? "dir" : Arrays.toString(Files.readAllBytes(p));
        out.put(
            root.relativize(p),
            a.size()
                + " "
                + a.lastModifiedTime().toMillis()
                + " "
                + a.lastModifiedTime()
                + " "
                + content.hashCode()
                + " "
                + content.length());
      }
    }
    return out;
  }

  static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }
}
