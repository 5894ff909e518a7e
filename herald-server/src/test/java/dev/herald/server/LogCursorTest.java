package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.Event;
import dev.herald.Herald;
import dev.herald.log.Header;
import dev.herald.log.LogDirectory;
import dev.herald.log.LogOptions;
import dev.herald.log.LogRecord;
import dev.herald.log.LogTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCursorTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path dir;

  private static void append(GatewayStore store, int n) {
    for (int i = 0; i < n; i++) {
      store.append(Event.of("order.placed", "o-" + i)).join();
    }
  }

  private static List<String> positions(GatewayStore.Cursor c, int n) throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(c.next(WAIT).orElseThrow().position());
    }
    return out;
  }

  @Test
  void aPositionYieldsTheEventsAfterItEarliestAllAndLatestOnlyNewOnes() throws Exception {
    try (GatewayStore store = LogGatewayStore.open(dir)) {
      try (GatewayStore.Cursor latestOnEmpty = store.cursor("latest")) {
        assertThat(latestOnEmpty.position()).isEqualTo("earliest");
      }
      append(store, 5);
      try (GatewayStore.Cursor c = store.cursor("1")) {
        assertThat(c.position()).isEqualTo("1");
        assertThat(positions(c, 3)).containsExactly("2", "3", "4");
        assertThat(c.position()).isEqualTo("4");
        assertThat(c.next(Duration.ZERO)).isEmpty();
      }
      try (GatewayStore.Cursor c = store.cursor("earliest")) {
        GatewayStore.StoredEvent first = c.next(WAIT).orElseThrow();
        assertThat(first.position()).isEqualTo("0");
        assertThat(first.event().data()).isEqualTo("o-0");
      }
      try (GatewayStore.Cursor c = store.cursor("latest")) {
        assertThat(c.position()).isEqualTo("4");
        assertThat(c.next(Duration.ZERO)).isEmpty();
        append(store, 1);
        assertThat(c.next(WAIT).orElseThrow().position()).isEqualTo("5");
      }
      try (GatewayStore.Cursor c = store.cursor("5")) {
        assertThat(c.next(Duration.ZERO)).isEmpty(); // the last event: nothing after it yet
      }
    }
  }

  @Test
  void aMalformedPositionOrOneBeyondTheEndIsRefused() throws Exception {
    try (GatewayStore store = LogGatewayStore.open(dir)) {
      append(store, 2);
      for (String bad : List.of("", "-1", "1.0", "abc", " 1", "99999999999999999999", "2", "7")) {
        assertThatThrownBy(() -> store.cursor(bad))
            .as(bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("position");
      }
    }
  }

  @Test
  void aWaitingNextReturnsOnWakeup() throws Exception {
    try (GatewayStore store = LogGatewayStore.open(dir);
        GatewayStore.Cursor c = store.cursor("latest")) {
      Thread waker = new Thread(c::wakeup);
      long t0 = System.nanoTime();
      waker.start();
      assertThat(c.next(Duration.ofSeconds(30))).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
      waker.join();
    }
  }

  @Test
  void aPositionRetentionDeletedIsGoneAndSaysWhereTheEarliestIs() throws Exception {
    LogOptions options =
        LogOptions.builder().segmentBytes(1024).maxRecordBytes(1024).retentionBytes(2048).build();
    LogTransport t = LogTransport.builder(LogDirectory.open(dir, options)).build();
    try (GatewayStore store = LogGatewayStore.over(t, Herald.builder().transport(t).build())) {
      try (GatewayStore.Cursor slow = store.cursor("earliest")) {
        append(store, 200);
        t.log().flush().join(); // retention runs
        long start = t.log().startOffset();
        assertThat(start).isPositive();
        assertThatThrownBy(() -> store.cursor("0"))
            .isInstanceOfSatisfying(
                PositionGoneException.class,
                e -> assertThat(e.earliest()).isEqualTo(Long.toString(start)));
        // A cursor opened before the deletion notices it rather than skip silently.
        assertThatThrownBy(() -> slow.next(WAIT)).isInstanceOf(PositionGoneException.class);
        try (GatewayStore.Cursor c = store.cursor(Long.toString(start - 1))) {
          assertThat(c.next(WAIT).orElseThrow().position()).isEqualTo(Long.toString(start));
        }
      }
    }
  }

  @Test
  void anUndecodableRecordComesAsItsPlaceholderAndTheCursorGoesOn() throws Exception {
    LogTransport t = LogTransport.builder(LogDirectory.open(dir, LogOptions.defaults())).build();
    try (GatewayStore store = LogGatewayStore.over(t, Herald.builder().transport(t).build())) {
      t.log()
          .append(
              LogRecord.of(
                  1L,
                  null,
                  List.of(Header.of("ce_type", "bad.one".getBytes(StandardCharsets.UTF_8))),
                  "{not json".getBytes(StandardCharsets.UTF_8)))
          .join();
      append(store, 1);
      try (GatewayStore.Cursor c = store.cursor("earliest")) {
        Optional<GatewayStore.StoredEvent> bad = c.next(WAIT);
        assertThat(bad.orElseThrow().position()).isEqualTo("0");
        assertThat(bad.get().event().data()).isInstanceOf(dev.herald.codec.UndecodableRecord.class);
        assertThat(c.next(WAIT).orElseThrow().event().data()).isEqualTo("o-0");
      }
    }
  }
}
