package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.log.Header;
import dev.herald.log.Log;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCommandsTest {
  static final long T0 = 1_700_000_000_000L;
  static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path dir;

  String out;
  String err;

  /**
   * Small segments and no index entries inside them, so a repair rescans every sealed segment
   * whole.
   */
  static LogOptions options() {
    return LogOptions.builder().segmentBytes(1024).maxRecordBytes(512).build();
  }

  @BeforeEach
  void writeLog() throws IOException {
    try (LogDirectory d = LogDirectory.open(dir, options())) {
      Log orders = d.topic("orders");
      for (int i = 0; i < 30; i++) {
        orders
            .append(
                LogRecord.of(
                    T0 + i * 1000L,
                    ("order-" + i).getBytes(StandardCharsets.UTF_8),
                    List.of(Header.of("type", "created")),
                    ("{\"id\":" + i + ",\"sku\":\"A\"}").getBytes(StandardCharsets.UTF_8)))
            .join();
      }
      Log audit = d.topic("audit");
      audit
          .append(
              LogRecord.of(
                  T0,
                  new byte[] {(byte) 0xFF, 0},
                  List.of(),
                  "plain text".getBytes(StandardCharsets.UTF_8)))
          .join();
      audit.append(LogRecord.of(T0, null, List.of(), new byte[] {(byte) 0xC3, (byte) 0x28})).join();
      d.offsets().commit("billing", "orders", 25);
      d.offsets().commit("search", "orders", 30);
    }
  }

  int run(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int status =
        Main.run(
            new Terminal(
                new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8),
                false),
            args);
    out = o.toString(StandardCharsets.UTF_8);
    err = e.toString(StandardCharsets.UTF_8);
    return status;
  }

  List<JsonNode> lines() throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        nodes.add(Json.MAPPER.readTree(line));
      }
    }
    return nodes;
  }

  @Test
  void inspectShowsTopicsSegmentsGroupsAndLag() throws IOException {
    assertThat(run("log", "inspect", dir.toString())).isZero();
    assertThat(out).contains("orders", "audit", "00000000000000000000.log", "billing", "search");
    assertThat(out).containsPattern("billing\\s+orders\\s+25\\s+30\\s+5");

    assertThat(run("log", "inspect", dir.toString(), "--json")).isZero();
    JsonNode root = Json.MAPPER.readTree(out);
    JsonNode orders = root.get("topics").get(1);
    assertThat(orders.get("name").asText()).isEqualTo("orders");
    assertThat(orders.get("endOffset").asLong()).isEqualTo(30);
    assertThat(orders.get("segments").size()).isGreaterThan(1);
    long records = 0;
    for (JsonNode s : orders.get("segments")) {
      records += s.get("records").asLong();
    }
    assertThat(records).isEqualTo(30);
    assertThat(root.get("groups").get(0).get("lag").asLong()).isEqualTo(5);
    assertThat(root.get("groups").get(1).get("lag").asLong()).isZero();
  }

  @Test
  void tailFromBeginningPrintsEveryRecordAsJsonLines() throws IOException {
    assertThat(run("log", "tail", dir.toString(), "--topic", "orders", "--from-beginning"))
        .isZero();
    List<JsonNode> lines = lines();
    assertThat(lines).hasSize(30);
    JsonNode first = lines.get(0);
    assertThat(first.get("offset").asLong()).isZero();
    assertThat(first.get("timestamp").asText()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(first.get("key").asText()).isEqualTo("order-0");
    assertThat(first.get("headers").get("type").asText()).isEqualTo("created");
    assertThat(first.get("payload").get("sku").asText()).isEqualTo("A");
  }

  @Test
  void tailShowsBinaryAsBase64AndTextAsText() throws IOException {
    assertThat(run("log", "tail", dir.toString(), "--topic", "audit", "--from-beginning")).isZero();
    List<JsonNode> lines = lines();
    assertThat(lines.get(0).get("keyBase64").asText()).isEqualTo("/wA=");
    assertThat(lines.get(0).get("payload").asText()).isEqualTo("plain text");
    assertThat(lines.get(1).get("key").isNull()).isTrue();
    assertThat(lines.get(1).get("payloadBase64").asText()).isEqualTo("wyg=");
  }

  @Test
  void tailFromOffsetAndFromTimeSelectTheirStart() throws IOException {
    assertThat(run("log", "tail", dir.toString(), "--topic", "orders", "--from-offset", "27"))
        .isZero();
    assertThat(lines()).extracting(n -> n.get("offset").asLong()).containsExactly(27L, 28L, 29L);

    assertThat(
            run(
                "log",
                "tail",
                dir.toString(),
                "--topic",
                "orders",
                "--from-time",
                String.valueOf(T0 + 28_000)))
        .isZero();
    assertThat(lines()).extracting(n -> n.get("offset").asLong()).containsExactly(28L, 29L);

    assertThat(
            run(
                "log",
                "tail",
                dir.toString(),
                "--topic",
                "orders",
                "--from-time",
                "2023-11-14T22:13:49Z",
                "--max",
                "5"))
        .isZero();
    assertThat(lines()).extracting(n -> n.get("offset").asLong()).containsExactly(29L);
  }

  @Test
  void followWithMaxStopsAfterThatManyRecords() throws IOException {
    assertThat(
            run(
                "log",
                "tail",
                dir.toString(),
                "--topic",
                "orders",
                "--from-offset",
                "10",
                "--follow",
                "--max",
                "3"))
        .isZero();
    assertThat(lines()).extracting(n -> n.get("offset").asLong()).containsExactly(10L, 11L, 12L);
  }

  @Test
  void verifyPassesACleanLog() {
    assertThat(run("log", "verify", dir.toString())).isZero();
    assertThat(out).contains("32 records", "clean");
  }

  @Test
  void verifyFindsAFlippedByteInASealedSegmentAndRepairClearsIt() throws IOException {
    Path sealed = dir.resolve("topics/orders/00000000000000000000.log");
    long position = 100;
    try (RandomAccessFile f = new RandomAccessFile(sealed.toFile(), "rw")) {
      f.seek(position);
      int b = f.read();
      f.seek(position);
      f.write(b ^ 0x01);
    }
    assertThat(run("log", "verify", dir.toString())).isEqualTo(1);
    assertThat(out).contains("CORRUPT " + sealed + " at byte ", "crc32c mismatch");

    assertThat(run("log", "repair", dir.toString())).isZero();
    assertThat(out)
        .contains("quarantined", sealed.toString())
        .containsPattern("dropped offsets (\\d+) to \\1 \\(1 record\\)");

    assertThat(run("log", "verify", dir.toString())).isZero();
    assertThat(out).contains("clean");
    assertThat(run("log", "tail", dir.toString(), "--topic", "orders", "--from-beginning"))
        .isZero();
    assertThat(lines()).hasSize(29); // every intact record after the damaged one is kept
  }

  @Test
  void repairMovesGroupOffsetsPastTheEndBackToIt() throws IOException {
    Path active = lastSegment(dir, "orders");
    try (RandomAccessFile f = new RandomAccessFile(active.toFile(), "rw")) {
      f.setLength(f.length() - 5); // power loss tore the last record, which group search had read
    }
    Files.delete(active.resolveSibling("recovery-point"));
    assertThat(run("log", "verify", dir.toString())).isEqualTo(1);
    assertThat(out).contains("group search's offset 30 for topic orders is past its end 29");

    assertThat(run("log", "repair", dir.toString())).isZero();
    assertThat(out).contains("moved group search's offset for topic orders back from 30 to 29");
    assertThat(run("log", "inspect", dir.toString())).isZero();
    assertThat(out).containsPattern("search\\s+orders\\s+29\\s+29\\s+0");
  }

  static void flipByte(Path file, long position) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(position);
      int b = f.read();
      f.seek(position);
      f.write(b ^ 0x01);
    }
  }

  static Path lastSegment(Path dir, String topic) throws IOException {
    try (var files = Files.list(dir.resolve("topics").resolve(topic))) {
      return files
          .filter(p -> p.toString().endsWith(".log"))
          .sorted()
          .reduce((a, b) -> b)
          .orElseThrow();
    }
  }

  @Test
  void verifyCallsABadRecordBeforeIntactOnesInTheActiveSegmentDamageAndSaysOpeningFails()
      throws IOException {
    Path active = lastSegment(dir, "orders");
    flipByte(active, 40); // inside the first record; more records follow it
    java.nio.file.Files.delete(active.resolveSibling("recovery-point")); // as after a crash
    assertThat(run("log", "verify", dir.toString())).isEqualTo(1);
    assertThat(out)
        .contains(
            "CORRUPT " + active + " at byte 0", "intact records follow", "opening the log fails")
        .doesNotContain("not yet forced");
  }

  @Test
  void verifyOfACleanlyClosedLogSaysOpeningFailsOnDamageBelowItsRecoveryPoint() throws IOException {
    Path active = lastSegment(dir, "orders");
    long size = Files.size(active);
    flipByte(active, size - 1); // the last record, covered by the recovery point of the clean close
    assertThat(run("log", "verify", dir.toString())).isEqualTo(1);
    assertThat(out)
        .contains("CORRUPT " + active, "recovery point", "opening the log fails")
        .doesNotContain("not yet forced");
  }

  @Test
  void verifyChecksTheOffsetsFileAndRepairRebuildsItNamingTheGroupsLost() throws IOException {
    Path offsets = dir.resolve("consumer-offsets");
    flipByte(offsets, 13); // its crc32c: the entries still read, unverified
    assertThat(run("log", "verify", dir.toString())).isEqualTo(1);
    assertThat(out).contains("CORRUPT " + offsets);

    assertThat(run("log", "repair", dir.toString())).isZero();
    assertThat(out)
        .contains("rebuilt " + offsets, "billing/orders=25", "search/orders=30", "verified clean");
    assertThat(run("log", "inspect", dir.toString())).isZero();
    assertThat(out).doesNotContain("billing");

    Files.delete(offsets);
    assertThat(run("log", "verify", dir.toString())).isEqualTo(1);
    assertThat(out).contains("CORRUPT " + offsets, "missing");
    assertThat(run("log", "repair", dir.toString())).isZero();
    assertThat(out).contains("rebuilt " + offsets, "was missing");
  }

  @Test
  void tailInspectAndVerifyWorkOnALogAnotherOpenHoldsButRepairDoesNot() throws IOException {
    try (LogDirectory held = LogDirectory.open(dir, options())) {
      assertThat(held.topics()).contains("orders");
      assertThat(run("log", "tail", dir.toString(), "--topic", "orders", "--from-beginning"))
          .isZero();
      assertThat(lines()).hasSize(30);
      assertThat(run("log", "inspect", dir.toString())).isZero();
      assertThat(out).contains("In use: a process has it open");
      assertThat(run("log", "inspect", dir.toString(), "--json")).isZero();
      assertThat(Json.MAPPER.readTree(out).get("inUse").asBoolean()).isTrue();
      assertThat(run("log", "verify", dir.toString())).isZero();
      assertThat(run("log", "repair", dir.toString())).isEqualTo(1);
      assertThat(err).contains("already open", "exclusive lock");
    }
    assertThat(run("log", "inspect", dir.toString())).isZero();
    assertThat(out).doesNotContain("In use");
    assertThat(run("log", "inspect", dir.toString(), "--json")).isZero();
    assertThat(Json.MAPPER.readTree(out).get("inUse").asBoolean()).isFalse();
  }

  /** A {@code herald} run on a thread of its own, its output readable while it runs. */
  record Running(
      Thread thread,
      CompletableFuture<Integer> status,
      ByteArrayOutputStream out,
      ByteArrayOutputStream err) {
    List<JsonNode> lines() throws IOException {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          nodes.add(Json.MAPPER.readTree(line));
        }
      }
      return nodes;
    }
  }

  static Running start(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    CompletableFuture<Integer> status = new CompletableFuture<>();
    Thread t =
        new Thread(
            () ->
                status.complete(
                    Main.run(
                        new Terminal(
                            new PrintStream(o, true, StandardCharsets.UTF_8),
                            new PrintStream(e, true, StandardCharsets.UTF_8),
                            false),
                        args)),
            "herald-run");
    t.start();
    return new Running(t, status, o, e);
  }

  @Test
  void tailFollowsALogAnotherOpenIsWritingAcrossARoll() throws Exception {
    try (LogDirectory held = LogDirectory.open(dir, options())) {
      Log orders = held.topic("orders");
      int segmentsBefore = orders.segmentCount();
      Running tail =
          start(
              "log",
              "tail",
              dir.toString(),
              "--topic",
              "orders",
              "--from-beginning",
              "--follow",
              "--max",
              "60");
      await().atMost(PATIENCE).until(() -> tail.lines().size() == 30);
      for (int i = 30; i < 60; i++) {
        orders
            .append(
                LogRecord.of(
                    T0 + i * 1000L,
                    ("order-" + i).getBytes(StandardCharsets.UTF_8),
                    List.of(),
                    ("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8)))
            .join();
      }
      assertThat(orders.segmentCount()).isGreaterThan(segmentsBefore);
      assertThat(tail.status().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isZero();
      List<JsonNode> lines = tail.lines();
      assertThat(lines)
          .extracting(n -> n.get("offset").asLong())
          .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 60).boxed().toList());
      assertThat(lines.get(59).get("payload").get("id").asInt()).isEqualTo(59);
      assertThat(lines.get(59).get("key").asText()).isEqualTo("order-59");
    }
  }

  @Test
  void followingTailStopsCleanlyWhenItsThreadIsInterrupted() throws Exception {
    try (LogDirectory held = LogDirectory.open(dir, options())) {
      Log orders = held.topic("orders");
      Running tail =
          start(
              "log",
              "tail",
              dir.toString(),
              "--topic",
              "orders",
              "--from-offset",
              "30",
              "--follow");
      orders
          .append(
              LogRecord.of(T0, null, List.of(), "{\"late\":true}".getBytes(StandardCharsets.UTF_8)))
          .join();
      await().atMost(PATIENCE).until(() -> tail.lines().size() == 1);
      tail.thread().interrupt();
      assertThat(tail.status().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isZero();
      assertThat(tail.lines()).extracting(n -> n.get("offset").asLong()).containsExactly(30L);
      assertThat(tail.err().toString(StandardCharsets.UTF_8)).isEmpty();
    }
  }

  @Test
  void tailReportsDamageInASealedSegmentWithFileAndPosition() throws IOException {
    Path sealed = dir.resolve("topics/orders/00000000000000000000.log");
    try (RandomAccessFile f = new RandomAccessFile(sealed.toFile(), "rw")) {
      f.seek(100);
      int b = f.read();
      f.seek(100);
      f.write(b ^ 0x01);
    }
    assertThat(run("log", "tail", dir.toString(), "--topic", "orders", "--from-beginning"))
        .isEqualTo(1);
    assertThat(err).contains("corrupt data in " + sealed + " at byte ", "sealed segment");
  }

  @Test
  void inspectReportsDamageInASealedSegmentWithFileAndByteAndExitsOne() throws IOException {
    Path sealed = dir.resolve("topics/orders/00000000000000000000.log");
    flipByte(sealed, 100);
    assertThat(run("log", "inspect", dir.toString())).isEqualTo(1);
    assertThat(out)
        .containsPattern(
            "DAMAGE "
                + java.util.regex.Pattern.quote(sealed.toString())
                + ": corrupt data at byte \\d+: crc32c mismatch")
        .contains("herald log verify");

    assertThat(run("log", "inspect", dir.toString(), "--json")).isEqualTo(1);
    JsonNode root = Json.MAPPER.readTree(out);
    JsonNode first = root.get("topics").get(1).get("segments").get(0);
    assertThat(first.get("file").asText()).isEqualTo(sealed.getFileName().toString());
    assertThat(first.get("damage").asText()).startsWith("corrupt data at byte ");
    assertThat(root.get("topics").get(1).get("segments").get(1).get("damage").isNull()).isTrue();
    assertThat(root.get("damage")).hasSize(1);
    assertThat(root.get("damage").get(0).get("file").asText()).isEqualTo(sealed.toString());
    assertThat(root.get("damage").get(0).get("damage").asText())
        .isEqualTo(first.get("damage").asText());
  }

  @Test
  void inspectDoesNotCallTheLastSegmentsUnreadableTailDamage() throws IOException {
    Path active = lastSegment(dir, "orders");
    try (RandomAccessFile f = new RandomAccessFile(active.toFile(), "rw")) {
      f.setLength(f.length() - 5); // a torn tail, or a record still being written
    }
    assertThat(run("log", "inspect", dir.toString())).isZero();
    assertThat(out).doesNotContain("DAMAGE");
    assertThat(run("log", "inspect", dir.toString(), "--json")).isZero();
    assertThat(Json.MAPPER.readTree(out).get("damage")).isEmpty();
  }

  @Test
  void logHelpListsEachCommandsWholeFirstSentence() {
    assertThat(run("log", "--help")).isZero();
    String help = out.replaceAll("\\s+", " ");
    assertThat(help)
        .contains(
            "Show topics, segments, offsets and consumer groups with their lag.",
            "Print a topic's records as JSON lines.",
            "Check a log directory for damage, reading every byte.",
            "Repair a damaged log directory, keeping every intact record.");
    for (String command : List.of("inspect", "tail", "verify", "repair")) {
      // picocli lists a command by the first line of its description: each ends a sentence.
      String line =
          out.lines().filter(l -> l.trim().startsWith(command + " ")).findFirst().orElseThrow();
      assertThat(line.trim()).as(command).endsWith(".");
    }
  }

  @Test
  void badArgumentsAreUsageErrors() throws IOException {
    assertThat(run()).isEqualTo(2);
    assertThat(run("log")).isEqualTo(2);
    assertThat(err).contains("Usage:");
    assertThat(run("log", "frobnicate", dir.toString())).isEqualTo(2);
    assertThat(run("log", "inspect")).isEqualTo(2);
    assertThat(run("log", "tail", dir.toString())).isEqualTo(2);
    assertThat(err).contains("--topic");
    assertThat(
            run(
                "log",
                "tail",
                dir.toString(),
                "--topic",
                "orders",
                "--from-beginning",
                "--from-offset",
                "3"))
        .isEqualTo(2);
    assertThat(run("log", "tail", dir.toString(), "--topic", "orders", "--from-time", "yesterday"))
        .isEqualTo(2);
    assertThat(err).contains("ISO-8601");
    assertThat(run("log", "tail", dir.toString(), "--topic", "nope", "--from-beginning"))
        .isEqualTo(2);
    assertThat(err).contains("no topic 'nope'");
    Path missing = dir.resolve("missing");
    assertThat(run("log", "verify", missing.toString())).isEqualTo(2);
    assertThat(err).contains("no such directory");
    Path plain = Files.createDirectory(dir.resolve("plain"));
    assertThat(run("log", "inspect", plain.toString())).isEqualTo(2);
    assertThat(err).contains("not a Herald log directory", "Usage:");
    assertThat(Files.exists(plain.resolve("topics"))).isFalse();
  }
}
