package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads one Server-Sent Events stream line by line on a thread of its own (java.net.http), and
 * hands out its events, comments and retry values as they come.
 */
final class StreamTestClient implements AutoCloseable {
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Duration WAIT = Duration.ofSeconds(10);

  record SseEvent(String id, String event, String data) {}

  final HttpResponse<InputStream> response;
  final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
  final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
  final BlockingQueue<Long> retries = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile boolean ended;

  private StreamTestClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-test-client");
    reader.setDaemon(true);
    reader.start();
  }

  static StreamTestClient open(URI base, String pathAndQuery, Map<String, String> headers)
      throws IOException, InterruptedException {
    StreamTestClient c = tryOpen(base, pathAndQuery, headers);
    assertThat(c).as("stream status 200").isNotNull();
    return c;
  }

  /** The stream, or null (its refusal read and closed) when the answer is not 200. */
  static StreamTestClient tryOpen(URI base, String pathAndQuery, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .header("Accept", "text/event-stream")
            .timeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      r.body().readAllBytes();
      r.body().close();
      return null;
    }
    return new StreamTestClient(r);
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = null;
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null) {
            events.add(new SseEvent(id, event, data.toString()));
          }
          id = null;
          event = null;
          data = null;
        } else if (line.startsWith(":")) {
          comments.add(line.substring(1).trim());
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = data == null ? new StringBuilder() : data.append('\n');
          data.append(line.substring(6));
        } else if (line.startsWith("retry: ")) {
          retries.add(Long.parseLong(line.substring(7)));
        }
      }
    } catch (IOException e) {
      // The stream was closed by this client or the server: the reader ends.
    } finally {
      ended = true;
    }
  }

  SseEvent next() throws InterruptedException {
    SseEvent e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(e).as("an event within " + WAIT).isNotNull();
    return e;
  }

  List<SseEvent> next(int n) throws InterruptedException {
    List<SseEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  /** True once the server ended the stream (or this client closed it). */
  boolean ended() {
    return ended;
  }

  void awaitEnd() throws InterruptedException {
    reader.join(WAIT.toMillis());
    assertThat(ended).as("the stream ended").isTrue();
  }

  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
