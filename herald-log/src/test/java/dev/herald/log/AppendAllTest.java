package dev.herald.log;

import static dev.herald.log.LogTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.Event;
import dev.herald.codec.JsonPayloadCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Log#appendAll} and {@link LogTransport#appendAll}: records queued together. */
class AppendAllTest {
  /** A payload whose JSON cannot be written: its accessor throws. */
  record Unwritable(String value) {
    @Override
    public String value() {
      throw new IllegalStateException("not today");
    }
  }

  final ManualTimeSource clock = new ManualTimeSource(1_000L);

  LogOptions options(FileLayer files, int maxRecordBytes) {
    return LogOptions.builder()
        .timeSource(clock)
        .fileLayer(files)
        .flushPolicy(FlushPolicy.always())
        .maxRecordBytes(maxRecordBytes)
        .build();
  }

  @Test
  void aBatchIsStoredInOrderWithConsecutiveOffsetsAndOneFsync() throws Exception {
    FaultyFileLayer files = new FaultyFileLayer(new MemoryFileLayer());
    try (LogDirectory d = LogDirectory.open(Path.of("/mem/all"), options(files, 1 << 20))) {
      Log log = d.topic("t");
      log.append(LogRecord.of(bytes("first"))).get();
      List<LogRecord> records = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        records.add(LogRecord.of(bytes("r" + i)));
      }
      int forcesBefore = files.logForces.get();
      List<CompletableFuture<Long>> futures = log.appendAll(records);
      assertThat(futures).hasSize(500);
      for (int i = 0; i < 500; i++) {
        assertThat(futures.get(i).get()).isEqualTo(1L + i);
      }
      // Taken by the writer as one entry: written together and forced once.
      assertThat(files.logForces.get()).isEqualTo(forcesBefore + 1);
      List<LogRecord> stored = LogTest.readAll(log);
      assertThat(stored).hasSize(501);
      assertThat(new String(stored.get(500).payload())).isEqualTo("r499");
    }
  }

  @Test
  void aRecordOverTheLimitFailsAloneAndTheOthersAreStored() throws Exception {
    try (LogDirectory d =
        LogDirectory.open(Path.of("/mem/limit"), options(new MemoryFileLayer(), 256))) {
      Log log = d.topic("t");
      List<CompletableFuture<Long>> futures =
          log.appendAll(
              List.of(
                  LogRecord.of(bytes("a")),
                  LogRecord.of(new byte[1024]),
                  LogRecord.of(bytes("b"))));
      assertThat(futures.get(0).get()).isZero();
      assertThatThrownBy(() -> futures.get(1).get())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(RecordTooLargeException.class)
          .hasMessageContaining("maxRecordBytes 256");
      assertThat(futures.get(2).get()).isEqualTo(1L);
      assertThat(LogTest.readAll(log))
          .extracting(r -> new String(r.payload()))
          .containsExactly("a", "b");
    }
  }

  @Test
  void aClosedLogFailsEveryRecord() throws Exception {
    LogDirectory d = LogDirectory.open(Path.of("/mem/closed"), options(new MemoryFileLayer(), 256));
    Log log = d.topic("t");
    d.close();
    List<CompletableFuture<Long>> futures =
        log.appendAll(List.of(LogRecord.of(bytes("a")), LogRecord.of(bytes("b"))));
    for (CompletableFuture<Long> f : futures) {
      assertThatThrownBy(f::get)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void anEventThatCannotBeEncodedFailsAloneAndTheOthersAreStored(@TempDir Path dir)
      throws Exception {
    try (LogTransport transport =
        LogTransport.builder(LogDirectory.open(dir, options(FileLayer.system(), 1 << 20)))
            .codec(JsonPayloadCodec.defaults())
            .build()) {
      List<Event<?>> events =
          List.of(
              Event.of("order.placed", "one"),
              Event.of("order.placed", new Unwritable("x")), // the codec cannot write it
              Event.of("order.placed", "two"));
      List<CompletableFuture<Long>> futures = transport.appendAll(events);
      assertThat(futures.get(0).get()).isZero();
      assertThat(futures.get(1)).isCompletedExceptionally();
      assertThat(futures.get(2).get()).isEqualTo(1L);
      List<Object> data = new ArrayList<>();
      transport.replay(e -> data.add(e.data()));
      assertThat(data).containsExactly("one", "two");
    }
  }
}
