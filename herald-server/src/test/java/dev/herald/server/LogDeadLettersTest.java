package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.codec.CloudEventsBinary;
import dev.herald.codec.UndecodableRecord;
import dev.herald.log.Header;
import dev.herald.log.LogRecord;
import dev.herald.server.GatewayStore.StoredDeadLetter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogDeadLettersTest {
  private static final Duration BOUND = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void deadLettersAreListedOldestFirstWithoutConsumingAndRedriveResolvesThemAcrossRestarts()
      throws Exception {
    Event<String> first;
    Event<String> second;
    String firstPosition;
    try (LogGatewayStore store = LogGatewayStore.open(dir);
        AdminFixture billing = new AdminFixture(store, "billing", "order.*")) {
      first = AdminFixture.append(store, "order.placed", "fail");
      AdminFixture.append(store, "order.placed", "ok");
      second = AdminFixture.append(store, "order.paid", "fail");

      List<StoredDeadLetter> listed =
          await().atMost(BOUND).until(() -> store.deadLetters("billing", 100), l -> l.size() == 2);
      assertThat(listed)
          .extracting(d -> d.deadLetter().event().id())
          .containsExactly(first.id(), second.id());
      assertThat(listed.get(0).deadLetter().subscription()).isEqualTo("billing");
      assertThat(listed.get(0).deadLetter().attempts()).isEqualTo(1);
      assertThat(listed.get(0).deadLetter().causeType())
          .isEqualTo(IllegalStateException.class.getName());
      assertThat(Long.parseLong(listed.get(0).position()))
          .isLessThan(Long.parseLong(listed.get(1).position()));
      // Browsing consumes nothing.
      assertThat(store.deadLetters("billing", 100)).isEqualTo(listed);
      assertThat(store.deadLetters("billing", 1)).containsExactly(listed.get(0));
      assertThat(store.deadLetters("shipping", 100)).isEmpty();
      assertThat(store.deadLetters(null, 100)).isEqualTo(listed);

      firstPosition = listed.get(0).position();
      assertThat(store.deadLetter(firstPosition)).contains(listed.get(0));
      store.redrive(listed.get(0)).get();

      await().atMost(BOUND).until(() -> billing.handled.contains(first.id()));
      assertThat(store.deadLetters("billing", 100)).containsExactly(listed.get(1));
      assertThat(store.deadLetter(firstPosition)).isEmpty();
      // A second redrive of the same dead letter is refused: it is resolved.
      assertThatThrownBy(() -> store.redrive(listed.get(0)).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalStateException.class);
      assertThat(billing.calls.get(first.id())).hasValue(2);
    }

    try (LogGatewayStore store = LogGatewayStore.open(dir)) {
      List<StoredDeadLetter> after =
          await().atMost(BOUND).until(() -> store.deadLetters("billing", 100), l -> !l.isEmpty());
      // Let the index read the whole log before judging what it lists.
      long end = store.transport().log().endOffset();
      await().atMost(BOUND).until(() -> indexedTo(store) >= end);
      assertThat(store.deadLetters("billing", 100))
          .extracting(d -> d.deadLetter().event().id())
          .containsExactly(second.id());
      assertThat(after).isNotEmpty();
      assertThat(store.deadLetter(firstPosition)).isEmpty();
    }
  }

  @Test
  void aPositionThatIsNoDeadLetterIsEmptyAndAMalformedOneIsRefused() throws Exception {
    try (LogGatewayStore store = LogGatewayStore.open(dir)) {
      String position = store.append(Event.of("order.placed", "x")).get();
      await().atMost(BOUND).until(() -> indexedTo(store) > Long.parseLong(position));
      assertThat(store.deadLetter(position)).isEmpty();
      assertThat(store.deadLetter("999999")).isEmpty();
      for (String bad : List.of("", "-1", "abc", "1e3", " 1", "99999999999999999999")) {
        assertThatThrownBy(() -> store.deadLetter(bad))
            .as(bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("position");
      }
    }
  }

  @Test
  void aDeadLetterRecordThatDoesNotDecodeIsListedUnderNoGroupAndCannotBeRedriven()
      throws Exception {
    try (LogGatewayStore store = LogGatewayStore.open(dir)) {
      // A dead letter whose payload is not a DeadLetter (a foreign or damaged writer).
      String position = store.append(Event.of(DeadLetter.TYPE, "not a dead letter")).get();
      List<StoredDeadLetter> all =
          await().atMost(BOUND).until(() -> store.deadLetters(null, 100), l -> !l.isEmpty());
      StoredDeadLetter odd = all.get(0);
      assertThat(odd.position()).isEqualTo(position);
      assertThat(odd.deadLetter().subscription()).isEmpty();
      assertThat(store.deadLetters("billing", 100)).isEmpty();
      assertThatThrownBy(() -> store.redrive(odd).get())
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not decode");
      assertThat(store.deadLetter(position)).contains(odd);
    }
  }

  @Test
  void
      aRecordThatDoesNotDecodeIsDeadLetteredAsItsPlaceholderAndItsRedriveIsRefusedWhileItStillDoesNot()
          throws Exception {
    try (LogGatewayStore store = LogGatewayStore.open(dir);
        AdminFixture billing = new AdminFixture(store, "billing", "order.*")) {
      long offset =
          store
              .transport()
              .log()
              .append(
                  LogRecord.of(
                      System.currentTimeMillis(),
                      null,
                      List.of(
                          Header.of(CloudEventsBinary.ID, "broken-1"),
                          Header.of(CloudEventsBinary.TYPE, "order.placed"),
                          Header.of(CloudEventsBinary.SOURCE, "/test"),
                          Header.of(CloudEventsBinary.SPEC_VERSION, "1.0"),
                          Header.of(CloudEventsBinary.CONTENT_TYPE, "application/json")),
                      "{not json".getBytes(StandardCharsets.UTF_8)))
              .get();
      StoredDeadLetter dl =
          await()
              .atMost(BOUND)
              .until(() -> store.deadLetters("billing", 100), l -> l.size() == 1)
              .get(0);
      assertThat(dl.deadLetter().event().id()).isEqualTo("broken-1");
      assertThat(dl.deadLetter().event().type()).isEqualTo("order.placed");
      assertThat(dl.deadLetter().event().data()).isInstanceOf(UndecodableRecord.class);
      UndecodableRecord u = (UndecodableRecord) dl.deadLetter().event().data();
      assertThat(u.offset()).isEqualTo(offset);
      assertThat(u.topic()).isEqualTo(store.transport().log().name());

      assertThatThrownBy(() -> store.redrive(dl).get())
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("still does not decode");
      assertThat(store.deadLetters("billing", 100)).containsExactly(dl);
      assertThat(billing.handled).doesNotContain("broken-1");
    }
  }

  @Test
  void theIndexKeepsEachSubscriptionsOrderThroughResolvesAndCompactionsAndIsBounded() {
    DeadLetterIndex index = new DeadLetterIndex(1000);
    for (long p = 0; p < 900; p++) {
      assertThat(index.add(p % 3 == 0 ? "a" : "b", p)).isTrue();
    }
    // Resolve most of "b" (compacting it several times) and a few of "a".
    for (long p = 0; p < 900; p++) {
      if (p % 3 != 0 && p % 10 != 1) {
        assertThat(index.resolve(p)).isTrue();
      }
    }
    assertThat(index.resolve(3)).isTrue();
    assertThat(index.resolve(3)).isFalse();
    assertThat(index.contains(3)).isFalse();
    assertThat(index.contains(6)).isTrue();
    assertThat(index.oldest("a", 3)).containsExactly(0L, 6L, 9L);
    assertThat(index.oldest("b", 3)).containsExactly(1L, 11L, 31L);
    assertThat(index.oldest(null, 6)).containsExactly(0L, 1L, 6L, 9L, 11L, 12L);
    assertThat(index.oldest("nobody", 3)).isEmpty();
    int held = index.size();
    assertThat(held).isEqualTo(299 + 60);

    // Claims: one redrive at a time; a failed one leaves it listed, a done one resolves it.
    assertThat(index.claim(6)).isTrue();
    assertThat(index.claim(6)).isFalse();
    index.release(6, false);
    assertThat(index.contains(6)).isTrue();
    assertThat(index.claim(6)).isTrue();
    index.release(6, true);
    assertThat(index.contains(6)).isFalse();
    assertThat(index.claim(3)).isFalse();

    // Positions only ever grow: the indexer reads the log in order.
    assertThatThrownBy(() -> index.add("a", 5)).isInstanceOf(IllegalStateException.class);

    // Full: the rest is counted, not held.
    for (long p = 1000; p < 2000; p++) {
      index.add("c", p);
    }
    assertThat(index.size()).isEqualTo(1000);
    assertThat(index.notIndexed()).isEqualTo(1000 - (1000 - (held - 1)));
  }

  static long indexedTo(LogGatewayStore store) {
    return store.deadLetterIndexedTo();
  }
}
