package dev.herald.server;

import static dev.herald.server.StreamTest.data;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.server.StreamTestClient.SseEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /v1/events/stream?group=}: the group's position is kept in the store. A contract: one
 * subclass per store ({@link LogStreamGroupTest}, {@link KafkaStreamGroupTest}) opens the store the
 * server of the class runs on. Waits are bounded; nothing sleeps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StreamGroupTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  GatewayStore store;
  HeraldServer server;

  /** The store the class's server runs on; the contract closes it after the class. */
  protected abstract GatewayStore openStore() throws Exception;

  /**
   * Returns once {@code members} streams of {@code group} take part in it, each with its share of
   * the store (Kafka assigns partitions in a rebalance; the log at once).
   */
  protected abstract void awaitMembers(String group, int members) throws Exception;

  /** Releases what {@link #openStore} needed besides the store (a broker). */
  protected void afterStore() {}

  @BeforeAll
  void start() throws Exception {
    store = openStore();
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
  void stop() {
    try {
      if (server != null) {
        server.close();
      }
      if (store != null) {
        store.close();
      }
    } finally {
      afterStore();
    }
  }

  /**
   * Appends events {@code e-from} to {@code e-(from+n-1)} of {@code type}, each keyed by its data
   * (so that Kafka spreads them over its partitions), one after the other.
   */
  void append(String type, int from, int n) {
    for (int i = from; i < from + n; i++) {
      store.append(Event.of(type, "e-" + i, "e-" + i)).join();
    }
  }

  /**
   * A new stream once the server has room for one more of this principal's (at most two): that is,
   * once it noticed that a client went away, which it does when a heartbeat fails to write.
   */
  StreamTestClient openOnceRoom(String q) {
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
      awaitMembers("shared", 2);
      append("grp.one", 0, 20);
      List<SseEvent> toA = new ArrayList<>();
      List<SseEvent> toB = new ArrayList<>();
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (toA.size() + toB.size() < 20 && System.nanoTime() < deadline) {
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
      // Nothing more comes: each event went to one member only.
      toA.addAll(drain(a, 300));
      toB.addAll(drain(b, 300));
      assertThat(toA).as("each member takes a share").isNotEmpty();
      assertThat(toB).as("each member takes a share").isNotEmpty();
      List<String> all = new ArrayList<>(data(toA));
      all.addAll(data(toB));
      assertThat(all)
          .as("no event lost, none twice")
          .containsExactlyInAnyOrderElementsOf(StreamTest.expected(0, 20));
      assertThat(toA.get(0).id()).as("the group keeps the position, no id").isNull();

      a.close();
      try (StreamTestClient c = openOnceRoom(q)) { // a left the group
        append("grp.one", 20, 10);
        List<String> later = new ArrayList<>();
        Awaitility.await()
            .atMost(PATIENCE)
            .untilAsserted(
                () -> {
                  later.addAll(data(drain(b, 20)));
                  later.addAll(data(drain(c, 20)));
                  assertThat(later).containsAll(StreamTest.expected(20, 10));
                });
      }
    }
  }

  /** How many rounds {@link #eventsAfterAClientLeftAreNotLost} plays (each a new group). */
  protected int leaverRounds() {
    return 20;
  }

  /**
   * A group stream's client reads one event and closes its connection abruptly; events stored right
   * after would go to that stream (the server notices the close only when a write fails), and a
   * write into a socket the peer closed succeeds once: the group's next member still gets every one
   * of them. Played again and again, so that the events land before, during and after the server's
   * notice of the close. The one event the leaver read may come again (at least once).
   */
  @Test
  void eventsAfterAClientLeftAreNotLost() throws Exception {
    for (int round = 0; round < leaverRounds(); round++) {
      String type = "leave" + round + ".ev";
      String group = "leaver-" + round;
      String q = "/v1/events/stream?types=leave" + round + ".*&group=" + group;
      append(type, 0, 1);
      try (RawStream leaver = RawStream.openOnceRoom(server.uri(), q)) {
        awaitMembers(group, 1);
        assertThat(leaver.awaitData()).as("round " + round).contains("\"e-0\"");
      } // closed abruptly, without reading on
      append(type, 1, 5);
      try (StreamTestClient next = openOnceRoom(q)) {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!got.containsAll(StreamTest.expected(1, 5)) && System.nanoTime() < deadline) {
          SseEvent e = next.events.poll(100, TimeUnit.MILLISECONDS);
          if (e != null) {
            got.addAll(data(List.of(e)));
          }
        }
        assertThat(got)
            .as("round " + round + ": every event stored after the leaver went")
            .containsAll(StreamTest.expected(1, 5));
        assertThat(got)
            .as("round " + round + ": only the leaver's last event may come again")
            .isSubsetOf(StreamTest.expected(0, 6));
      }
    }
  }

  @Test
  void aLimitedGroupStreamTakesThatManyEventsAndLeavesTheRestToTheGroup() throws Exception {
    String q = "/v1/events/stream?types=cap.*&group=capped";
    append("cap.one", 0, 5);
    List<String> taken = new ArrayList<>();
    try (StreamTestClient first = openOnceRoom(q + "&limit=2")) {
      taken.addAll(data(first.next(2)));
      first.awaitEnd(); // the server ends it once the two are acknowledged
      assertThat(first.events).isEmpty();
    }
    try (StreamTestClient second = openOnceRoom(q)) {
      List<String> rest = new ArrayList<>(data(second.next(3)));
      rest.addAll(data(drain(second, 300)));
      assertThat(taken).hasSize(2);
      List<String> all = new ArrayList<>(taken);
      all.addAll(rest);
      assertThat(all)
          .as("the limited stream's two acknowledged, exactly; the others the group's still")
          .containsExactlyInAnyOrderElementsOf(StreamTest.expected(0, 5));
    }
  }

  @Test
  void aGroupsNextConnectionResumesWhereTheGroupStopped() throws Exception {
    String q = "/v1/events/stream?types=next.*&group=resumer";
    List<String> seen = new ArrayList<>();
    // Holds the principal's other stream, so that the next one opens once the first is gone.
    try (StreamTestClient other = openOnceRoom("/v1/events/stream?types=x.*")) {
      try (StreamTestClient first = openOnceRoom(q)) {
        awaitMembers("resumer", 1);
        append("next.one", 0, 5);
        seen.addAll(data(first.next(5)));
        // Acknowledged once the connection proved alive after they were written (a later write
        // succeeded): what a client that leaves sooner read may come again (at least once).
        Awaitility.await()
            .atMost(PATIENCE)
            .until(() -> lag("resumer"), l -> l.equals(Optional.of(0L)));
      }
      try (StreamTestClient second = openOnceRoom(q)) { // the first left the group
        append("next.one", 5, 5);
        List<String> rest = new ArrayList<>(data(second.next(5)));
        rest.addAll(data(drain(second, 300)));
        // At least once: everything the first connection wrote is acknowledged, the rest comes now.
        assertThat(rest).containsExactlyInAnyOrderElementsOf(StreamTest.expected(5, 5));
        assertThat(rest).doesNotContainAnyElementsOf(seen);
      }
      assertThat(other.ended()).isFalse();
    }
  }

  @Test
  void theGroupsListShowsAStreamGroupsLagFallingAsItsStreamReads() throws Exception {
    String q = "/v1/events/stream?types=lag.*&group=lagger";
    // Holds the principal's other stream, so that a stream opens only once the last one is gone.
    try (StreamTestClient other = openOnceRoom("/v1/events/stream?types=x.*")) {
      try (StreamTestClient first = openOnceRoom(q)) {
        awaitMembers("lagger", 1);
        append("lag.one", 0, 5);
        assertThat(data(first.next(5)))
            .containsExactlyInAnyOrderElementsOf(StreamTest.expected(0, 5));
        Awaitility.await()
            .atMost(PATIENCE)
            .until(() -> lag("lagger"), l -> l.equals(Optional.of(0L)));
      }
      // Once the server let the first stream go (a stream it still believes open would take
      // events into the closed connection: TCP's limit), what is stored waits for the group.
      openOnceRoom("/v1/events/stream?types=x.*").close();
      append("lag.one", 5, 5);
      long waiting =
          Awaitility.await().atMost(PATIENCE).until(() -> lag("lagger").orElse(-1L), l -> l >= 5);
      List<Long> seen = new CopyOnWriteArrayList<>(List.of(waiting));
      try (StreamTestClient second = openOnceRoom(q)) {
        assertThat(data(second.next(5)))
            .containsExactlyInAnyOrderElementsOf(StreamTest.expected(5, 5));
        Awaitility.await()
            .atMost(PATIENCE)
            .until(
                () -> {
                  long l = lag("lagger").orElseThrow();
                  seen.add(l);
                  return l == 0;
                });
      }
      assertThat(seen.get(0)).isGreaterThanOrEqualTo(5);
      assertThat(seen.get(seen.size() - 1)).isZero();
      assertThat(other.ended()).isFalse();
    }
  }

  /**
   * A stream read over a plain socket, so that the test closes it at a moment of its choosing
   * without reading what came after: as a client that goes away does.
   */
  static final class RawStream implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final StringBuilder read = new StringBuilder();

    private RawStream(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    /** Opens the stream once the server answers 200 (it may still count a closed one). */
    static RawStream openOnceRoom(URI base, String pathAndQuery) {
      RawStream[] opened = new RawStream[1];
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> (opened[0] = tryOpen(base, pathAndQuery)) != null);
      return opened[0];
    }

    private static RawStream tryOpen(URI base, String pathAndQuery) throws IOException {
      Socket s = new Socket(base.getHost(), base.getPort());
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET "
                      + pathAndQuery
                      + " HTTP/1.1\r\nHost: "
                      + base.getHost()
                      + "\r\nAccept: text/event-stream\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      RawStream r = new RawStream(s);
      if (!r.readUntil("\r\n").startsWith("HTTP/1.1 200")) {
        s.close();
        return null;
      }
      return r;
    }

    /** Reads until {@code end} has come; returns what was read since the last call. */
    private String readUntil(String end) throws IOException {
      int from = read.length();
      while (read.indexOf(end, from) < 0) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("the stream ended");
        }
        read.append((char) b);
      }
      String out = read.substring(from);
      return out;
    }

    /** Reads until the first {@code data:} line of an event has come, and returns that line. */
    String awaitData() throws IOException {
      readUntil("\ndata: ");
      return readUntil("\n");
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** The group's total lag as {@code GET /v1/groups} answers it; empty while it is not listed. */
  Optional<Long> lag(String group) throws Exception {
    HttpResponse<String> r =
        StreamTestClient.HTTP.send(
            HttpRequest.newBuilder(URI.create(server.uri() + "/v1/groups")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    for (JsonNode g : JSON.readTree(r.body()).get("groups")) {
      if (g.get("group").asText().equals(group)) {
        return Optional.of(g.get("lag").asLong());
      }
    }
    return Optional.empty();
  }
}
