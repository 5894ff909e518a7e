package dev.herald.server;

import static dev.herald.server.StreamTest.append;
import static dev.herald.server.StreamTest.data;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.StreamTestClient.SseEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/events/stream?group=}: the group's position is kept in the store. */
class StreamGroupTest {
  @TempDir static Path dir;
  static GatewayStore store;
  static HeraldServer server;

  @BeforeAll
  static void start() throws Exception {
    store = LogGatewayStore.open(dir);
    server =
        HeraldServer.builder(store)
            .port(0)
            .limits(
                ServerLimits.defaults()
                    .withHeartbeat(Duration.ofMillis(100))
                    .withSseConnectionsPerPrincipal(2))
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  /**
   * A new stream once the server has room for one more of this principal's (at most two): that is,
   * once it noticed that a client went away, which it does when a heartbeat fails to write.
   */
  private static StreamTestClient openOnceRoom(String q) {
    StreamTestClient[] opened = new StreamTestClient[1];
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> (opened[0] = StreamTestClient.tryOpen(server.uri(), q, Map.of())) != null);
    return opened[0];
  }

  private static List<SseEvent> drain(StreamTestClient c, long quietMillis)
      throws InterruptedException {
    List<SseEvent> out = new ArrayList<>();
    SseEvent e;
    while ((e = c.events.poll(quietMillis, TimeUnit.MILLISECONDS)) != null) {
      out.add(e);
    }
    return out;
  }

  @Test
  void twoConnectionsOfOneGroupShareItsEventsAndALeaversShareGoesToTheOther() throws Exception {
    String q = "/v1/events/stream?types=grp.*&group=shared";
    StreamTestClient a = openOnceRoom(q);
    try (StreamTestClient b = openOnceRoom(q)) {
      append(store, "grp.one", 0, 20);
      List<SseEvent> toA = new ArrayList<>();
      List<SseEvent> toB = new ArrayList<>();
      while (toA.size() + toB.size() < 20) {
        SseEvent e = a.events.poll(50, TimeUnit.MILLISECONDS);
        if (e != null) {
          toA.add(e);
        }
        e = b.events.poll(50, TimeUnit.MILLISECONDS);
        if (e != null) {
          toB.add(e);
        }
        assertThat(a.ended() && b.ended()).isFalse();
      }
      assertThat(toA).as("each member takes a share").isNotEmpty();
      assertThat(toB).as("each member takes a share").isNotEmpty();
      Set<String> all = new HashSet<>(data(toA));
      all.addAll(data(toB));
      assertThat(all).containsExactlyInAnyOrderElementsOf(StreamTest.expected(0, 20));
      assertThat(toA.get(0).id()).as("the group keeps the position, no id").isNull();

      a.close();
      try (StreamTestClient c = openOnceRoom(q)) { // a left the group
        append(store, "grp.one", 20, 10);
        List<String> later = new ArrayList<>();
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  later.addAll(data(drain(b, 20)));
                  later.addAll(data(drain(c, 20)));
                  assertThat(later).containsAll(StreamTest.expected(20, 10));
                });
      }
    }
  }

  @Test
  void aGroupsNextConnectionResumesWhereTheGroupStopped() throws Exception {
    String q = "/v1/events/stream?types=next.*&group=resumer";
    List<String> seen = new ArrayList<>();
    // Holds the principal's other stream, so that the next one opens once the first is gone.
    try (StreamTestClient other = openOnceRoom("/v1/events/stream?types=x.*")) {
      try (StreamTestClient first = openOnceRoom(q)) {
        append(store, "next.one", 0, 5);
        seen.addAll(data(first.next(5)));
      }
      try (StreamTestClient second = openOnceRoom(q)) { // the first left the group
        append(store, "next.one", 5, 5);
        List<String> rest = new ArrayList<>(data(second.next(5)));
        rest.addAll(data(drain(second, 300)));
        // At least once: everything the first connection wrote is acknowledged, the rest comes now.
        assertThat(rest).containsAll(StreamTest.expected(5, 5));
        assertThat(rest).doesNotContainAnyElementsOf(seen);
      }
      assertThat(other.ended()).isFalse();
    }
  }
}
