package dev.herald.log;

import static dev.herald.log.LogTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFilesTest {
  @TempDir Path dir;

  final ManualTimeSource clock = new ManualTimeSource(1_000_000L);

  LogOptions options() {
    return LogOptions.builder()
        .timeSource(clock)
        .segmentBytes(1024)
        .indexIntervalBytes(128)
        .maxRecordBytes(512)
        .build();
  }

  void write(String topic, int count) throws IOException {
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      Log log = d.topic(topic);
      for (int i = 0; i < count; i++) {
        log.append(
                LogRecord.of(
                    5_000L + i,
                    bytes("k" + i),
                    List.of(Header.of("h", "v")),
                    bytes("payload-" + i)))
            .join();
      }
      d.offsets().commit("billing", topic, 7);
    }
  }

  Path segment(String topic, long base) {
    return dir.resolve("topics").resolve(topic).resolve(String.format("%020d.log", base));
  }

  @Test
  void listsTopicsSegmentsAndOffsetsWithoutLockingOrWriting() throws IOException {
    write("orders", 60);
    write("audit", 3);
    try (LogDirectory live = LogDirectory.open(dir, options())) {
      assertThat(LogFiles.isLogDirectory(dir, options())).isTrue();
      assertThat(LogFiles.topics(dir, options())).containsExactly("audit", "orders");
      LogFiles.TopicFiles orders = LogFiles.topic(dir, "orders", options());
      assertThat(orders.segments()).hasSizeGreaterThan(2);
      assertThat(orders.startOffset()).isZero();
      assertThat(orders.endOffset()).isEqualTo(60).isEqualTo(live.topic("orders").endOffset());
      assertThat(orders.segments().stream().mapToLong(LogFiles.SegmentFile::recordCount).sum())
          .isEqualTo(60);
      assertThat(orders.sizeBytes()).isEqualTo(live.topic("orders").sizeInBytes());
      assertThat(LogFiles.committedOffsets(dir, options()))
          .isEqualTo(Map.of("billing", Map.of("audit", 7L, "orders", 7L)));
    }
  }

  @Test
  void verifyPassesACleanLogAndReportsProgressUpToTheTotal() throws IOException {
    write("orders", 60);
    List<long[]> calls = new ArrayList<>();
    LogFiles.Verification v =
        LogFiles.verify(dir, options(), (done, total) -> calls.add(new long[] {done, total}));
    assertThat(v.problems()).isEmpty();
    assertThat(v.records()).isEqualTo(60);
    assertThat(v.indexEntries()).isPositive();
    long total = LogFiles.topic(dir, "orders", options()).sizeBytes();
    assertThat(v.bytes()).isEqualTo(total);
    assertThat(calls.get(calls.size() - 1)).containsExactly(total, total);
  }

  @Test
  void verifyNamesFileAndPositionOfAFlippedByteThatRepairDoesNotReach() throws IOException {
    write("orders", 60);
    Path sealed = segment("orders", 0);
    long position = 40;
    try (RandomAccessFile f = new RandomAccessFile(sealed.toFile(), "rw")) {
      f.seek(position);
      int b = f.read();
      f.seek(position);
      f.write(b ^ 0xFF);
    }
    LogFiles.Verification v = LogFiles.verify(dir, options(), (done, total) -> {});
    assertThat(v.problems()).hasSize(1);
    assertThat(v.problems().get(0).file()).isEqualTo(sealed);
    assertThat(v.problems().get(0).position()).isZero();
    assertThat(v.problems().get(0).reason()).contains("crc32c");

    // Repair rescans sealed segments whole, so damage before the last index entry is found too.
    assertThat(LogDirectory.repair(dir, options()).quarantines()).hasSize(1);
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).problems()).isEmpty();
  }

  @Test
  void verifyPassesOnceRepairHasQuarantinedADamagedTail() throws IOException {
    write("orders", 60);
    long size = Files.size(segment("orders", 0));
    try (RandomAccessFile f = new RandomAccessFile(segment("orders", 0).toFile(), "rw")) {
      f.seek(size - 3); // inside the last record, after the last index entry
      int b = f.read();
      f.seek(size - 3);
      f.write(b ^ 0xFF);
    }
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).problems()).hasSize(1);
    assertThat(LogDirectory.repair(dir, options()).quarantines()).hasSize(1);
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).problems()).isEmpty();
  }

  @Test
  void aLogFileNamedBeyondAnyOffsetIsNotASegmentToEveryReader() throws IOException {
    write("orders", 60);
    Path stray =
        dir.resolve("topics/orders/99999999999999999999.log"); // 20 digits, above Long.MAX_VALUE
    Files.write(stray, new byte[] {1});
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).problems())
        .anySatisfy(
            p ->
                assertThat(p.toString())
                    .contains(stray.getFileName().toString(), "not a segment file name"));
    try (ReadOnlyLog read =
        LogFiles.openReadOnly(dir, "orders", options(), Duration.ofMillis(10), (from, to) -> {})) {
      assertThat(read.endOffset()).isEqualTo(60);
    }
    assertThatThrownBy(() -> LogDirectory.open(dir, options()).close())
        .isInstanceOf(LogCorruptedException.class)
        .hasMessageContaining("not a segment file name");
  }

  @Test
  void segmentFilesAreNamedInAsciiDigitsWhateverTheDefaultLocale() throws IOException {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("ar-EG")); // formats numbers in Arabic-Indic digits
      write("orders", 60);
    } finally {
      Locale.setDefault(before);
    }
    assertThat(segment("orders", 0)).exists();
    assertThat(LogFiles.verify(dir, options(), (done, total) -> {}).problems()).isEmpty();
    try (LogDirectory reopened = LogDirectory.open(dir, options())) {
      assertThat(reopened.topic("orders").endOffset()).isEqualTo(60);
    }
  }

  @Test
  void verifyReportsADamagedIndexEntry() throws IOException {
    write("orders", 60);
    Path index = dir.resolve("topics/orders/00000000000000000000.index");
    assertThat(Files.size(index)).isPositive();
    try (RandomAccessFile f = new RandomAccessFile(index.toFile(), "rw")) {
      f.seek(5);
      f.write(0x7F);
    }
    LogFiles.Verification v = LogFiles.verify(dir, options(), (done, total) -> {});
    assertThat(v.problems()).extracting(LogFiles.Problem::file).containsExactly(index);
  }

  @Test
  void aSegmentDeletedByRetentionBetweenListingAndOpeningIsNotAnError() throws IOException {
    write("orders", 60);
    Path gone = segment("orders", 0);
    // The listing still names the first segment, whose files retention has just deleted.
    FileLayer racing =
        new ForwardingFileLayer(FileLayer.system()) {
          @Override
          public List<Path> list(Path d) throws IOException {
            List<Path> entries = new ArrayList<>(super.list(d));
            if (d.equals(gone.getParent())) {
              entries.add(gone);
            }
            return entries;
          }
        };
    Files.delete(gone);
    Files.delete(gone.resolveSibling("00000000000000000000.index"));
    Files.delete(gone.resolveSibling("00000000000000000000.timeindex"));
    LogOptions opts =
        LogOptions.builder()
            .segmentBytes(1024)
            .indexIntervalBytes(128)
            .maxRecordBytes(512)
            .fileLayer(racing)
            .build();
    LogFiles.TopicFiles orders = LogFiles.topic(dir, "orders", opts);
    assertThat(orders.segments()).extracting(LogFiles.SegmentFile::file).doesNotContain(gone);
    assertThat(orders.endOffset()).isEqualTo(60);
    LogFiles.Verification v = LogFiles.verify(dir, opts, (done, total) -> {});
    assertThat(v.problems()).isEmpty();
  }
}
