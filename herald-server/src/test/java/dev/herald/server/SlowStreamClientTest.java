package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.server.StreamTestClient.SseEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading its stream: the server buffers a bounded amount for it, then closes
 * its stream (counted as {@code stream.cutOff} in {@code GET /v1/stats}), while a client that reads
 * the same events misses none and the server goes on serving; the slow client resumes from its last
 * id with no gap.
 */
class SlowStreamClientTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String PAYLOAD = "x".repeat(4000);
  private static final int STEP = 16; // events published before waiting for the reading client
  private static final int MAX_EVENTS = 20_000; // 80 MB: far more than any buffer on the way
  private static final String CUT_OFF = "stream.cutOff"; // the gateway's counter
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aClientThatStopsReadingIsCutOffAndCountedWhileAReadingClientMissesNothing()
      throws Exception {
    try (GatewayStore store = LogGatewayStore.open(dir);
        HeraldServer server = HeraldServer.builder(store).port(0).start();
        RawStream slow = RawStream.open(server.port(), "slow.*");
        StreamTestClient reading =
            StreamTestClient.open(server.uri(), "/v1/events/stream?types=slow.*", Map.of())) {
      assertThat(reading.retries.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isNotNull();
      assertThat(gateway(server).path(CUT_OFF).asLong()).isZero();

      // Publish in steps the reading client keeps up with, until the server cuts the other off.
      List<String> positions = new ArrayList<>();
      while (gateway(server).path(CUT_OFF).asLong() == 0) {
        assertThat(positions).as("events published, none cut off yet").hasSizeLessThan(MAX_EVENTS);
        List<String> step = publish(store, positions.size(), STEP);
        positions.addAll(step);
        assertThat(ids(reading.next(STEP))).isEqualTo(step);
      }

      // The server ended the slow stream: its socket gives what was sent, then its end.
      List<String> drained = slow.readToEnd();
      assertThat(drained).isNotEmpty().hasSizeLessThan(positions.size());
      assertThat(drained).isEqualTo(positions.subList(0, drained.size()));
      assertThat(slow.end).isIn("EOF", "reset");
      await().atMost(BOUND).until(() -> stats(server).path("streams").asLong() == 1);
      assertThat(gateway(server).path(CUT_OFF).asLong()).isEqualTo(1);

      // The server goes on: the reading client gets the next events too, with no gap.
      List<String> more = publish(store, positions.size(), STEP);
      positions.addAll(more);
      assertThat(ids(reading.next(STEP))).isEqualTo(more);

      // The slow client reconnects with its last id: the events it missed, in order, no gap.
      String last = drained.get(drained.size() - 1);
      try (StreamTestClient resumed =
          StreamTestClient.open(
              server.uri(), "/v1/events/stream?types=slow.*", Map.of("Last-Event-ID", last))) {
        List<String> missed = positions.subList(drained.size(), positions.size());
        assertThat(ids(resumed.next(missed.size()))).isEqualTo(missed);
      }
      assertThat(gateway(server).path(CUT_OFF).asLong()).isEqualTo(1);
    }
  }

  private static List<String> publish(GatewayStore store, int from, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = from; i < from + n; i++) {
      out.add(store.append(Event.of("slow.tick", i + ":" + PAYLOAD)).join());
    }
    return out;
  }

  private static List<String> ids(List<SseEvent> events) {
    return events.stream().map(SseEvent::id).toList();
  }

  private static JsonNode stats(HeraldServer server) throws Exception {
    HttpResponse<String> r =
        StreamTestClient.HTTP.send(
            HttpRequest.newBuilder(URI.create(server.uri() + "/v1/stats")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static JsonNode gateway(HeraldServer server) throws Exception {
    return stats(server).path("gateway");
  }

  /**
   * A stream read over a raw socket with a small receive buffer (HTTP/1.0, so the body is the event
   * stream itself): opened and read up to its {@code retry:} line, then not read at all until
   * {@link #readToEnd}.
   */
  private static final class RawStream implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();
    String end;

    private RawStream(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    static RawStream open(int port, String types) throws IOException {
      Socket s = new Socket();
      s.setReceiveBufferSize(4096);
      s.connect(new InetSocketAddress("127.0.0.1", port), (int) BOUND.toMillis());
      s.setSoTimeout((int) BOUND.toMillis()); // a read that waits longer fails the test
      RawStream r = new RawStream(s);
      s.getOutputStream()
          .write(
              ("GET /v1/events/stream?types="
                      + types
                      + " HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                      + "Accept: text/event-stream\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] b = new byte[1024];
      while (!r.text().contains("retry:")) {
        int n = r.in.read(b);
        if (n < 0) {
          throw new IOException("the stream ended while opening: " + r.text());
        }
        r.got.write(b, 0, n);
      }
      assertThat(r.text()).matches("(?s)HTTP/1\\.[01] 200 .*");
      return r;
    }

    private String text() {
      return got.toString(StandardCharsets.UTF_8);
    }

    /** Reads until the server ends the stream; the ids of the complete events it got. */
    List<String> readToEnd() throws IOException {
      byte[] b = new byte[64 << 10];
      try {
        int n;
        while ((n = in.read(b)) >= 0) {
          got.write(b, 0, n);
        }
        end = "EOF";
      } catch (SocketException e) {
        end = "reset"; // what the server sent and this socket had not read is lost with it
      }
      String body = text().substring(text().indexOf("\r\n\r\n") + 4);
      List<String> ids = new ArrayList<>();
      int from = 0;
      int blank;
      while ((blank = body.indexOf("\n\n", from)) >= 0) {
        String frame = body.substring(from, blank);
        if (frame.startsWith("id: ") && frame.contains("\ndata: ")) {
          ids.add(frame.substring(4, frame.indexOf('\n')));
        }
        from = blank + 2;
      }
      return ids;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
