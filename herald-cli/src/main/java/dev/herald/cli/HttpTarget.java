package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.TypePattern;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A running gateway, reached over HTTP with {@code java.net.http} ({@code --url}); the token, when
 * given, goes as {@code Authorization: Bearer}. Every answer's body is read up to {@link
 * #MAX_ANSWER_BYTES}; every SSE line up to {@link #MAX_LINE_BYTES}. Owned by the command's thread
 * (the HTTP client has threads of its own).
 */
final class HttpTarget implements Target {
  static final int MAX_ANSWER_BYTES = 64 << 20;
  static final int MAX_LINE_BYTES = 16 << 20;

  /** A batch request stays under the server's default body limit (1 MiB) with room to spare. */
  static final int BATCH_BYTES = 512 << 10;

  static final int BATCH_EVENTS = 1000;

  /** How often a 429 is retried (after its Retry-After) before the events count as refused. */
  static final int BUSY_RETRIES = 10;

  /** Reconnections in a row without an event in between before a tail gives up. */
  static final int RECONNECTS = 30;

  /** The most events one stream is asked for ({@code limit}; the gateway's bound). */
  static final long MAX_STREAM_LIMIT = 1_000_000;

  /** How the gateway names the start of a stream in a 400: it came from --from. */
  private static final List<String> FROM_ATTRIBUTES = List.of("from", "Last-Event-ID");

  /** How long a limited stream is read on for its end once the sink has had enough. */
  private static final Duration END_WAIT = Duration.ofSeconds(10);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(1);

  private final URI base;
  private final String token;
  private final PrintWriter err;
  private final HttpClient client;

  HttpTarget(URI base, String token, PrintWriter err) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.token = token;
    this.err = err;
    this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  @Override
  public String describe() {
    return base.toString();
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery));
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /** A status and a body read whole (up to the limit). */
  private record Answer(int status, byte[] body, HttpResponse<?> response) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new Failure(
            "the server answered "
                + status
                + " with a body that is not JSON: "
                + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8));
      }
    }
  }

  private Answer send(HttpRequest request) {
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted while waiting for " + base, e);
    }
    try (InputStream in = response.body()) {
      return new Answer(response.statusCode(), readBounded(in), response);
    } catch (IOException e) {
      throw new Failure("reading the answer of " + base + " failed: " + e.getMessage(), e);
    }
  }

  private static byte[] readBounded(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) != -1) {
      if (out.size() + n > MAX_ANSWER_BYTES) {
        throw new IOException("an answer longer than " + MAX_ANSWER_BYTES + " bytes");
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private Failure unreachable(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return new Failure(
            "cannot reach the gateway at " + base + ": cannot resolve the host " + base.getHost(),
            e);
      }
    }
    String why = e instanceof ConnectException ? "connection refused" : String.valueOf(e);
    return new Failure("cannot reach the gateway at " + base + ": " + why, e);
  }

  /**
   * A 400 that blames one of {@code attributes}, whose value came from the command line, as the
   * usage error {@code usage} makes of the gateway's detail; any other answer as {@link
   * #refused(Answer)}.
   */
  private RuntimeException refused(
      Answer a, List<String> attributes, Function<String, UsageError> usage) {
    JsonNode problem = problem(a);
    if (a.status() == 400
        && problem != null
        && attributes.contains(problem.path("attribute").asText())
        && problem.hasNonNull("detail")) {
      return usage.apply(problem.get("detail").asText());
    }
    return refused(a);
  }

  /** The answer's problem document, or null when it has none. */
  private static JsonNode problem(Answer a) {
    try {
      return Json.MAPPER.readTree(a.body());
    } catch (IOException e) {
      return null; // not a problem document: the status alone says it
    }
  }

  /** A refusal as one line: status, title, detail, the attribute at fault, a hint for 401. */
  private Failure refused(Answer a) {
    StringBuilder m = new StringBuilder("the gateway answered ").append(a.status());
    JsonNode problem = problem(a);
    if (problem == null || !problem.isObject()) {
      String text = new String(a.body(), StandardCharsets.UTF_8).strip();
      if (!text.isEmpty()) {
        m.append(": ").append(text, 0, Math.min(text.length(), 200));
      }
    } else {
      if (problem.hasNonNull("title")) {
        m.append(' ').append(problem.get("title").asText());
      }
      if (problem.hasNonNull("detail")) {
        m.append(": ").append(problem.get("detail").asText());
      }
      if (problem.hasNonNull("attribute")) {
        m.append(" (attribute ").append(problem.get("attribute").asText()).append(')');
      }
    }
    if (a.status() == 401) {
      m.append("; pass a token with --token or the HERALD_TOKEN environment variable");
    }
    return new Failure(m.toString());
  }

  private JsonNode getJson(String pathAndQuery) {
    Answer a = send(request(pathAndQuery).timeout(REQUEST_TIMEOUT).GET().build());
    if (a.status() != 200) {
      throw refused(a);
    }
    return a.json();
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Override
  public List<ObjectNode> publish(List<ObjectNode> events) {
    List<ObjectNode> results = new ArrayList<>(events.size());
    if (events.size() == 1) {
      results.add(publishOne(events.get(0)));
      return results;
    }
    int start = 0;
    while (start < events.size()) {
      ArrayNode batch = Json.MAPPER.createArrayNode();
      int bytes = 2;
      int end = start;
      while (end < events.size() && end - start < BATCH_EVENTS) {
        int size = events.get(end).toString().length() + 1;
        if (end > start && bytes + size > BATCH_BYTES) {
          break;
        }
        batch.add(events.get(end));
        bytes += size;
        end++;
      }
      results.addAll(publishBatch(batch, start));
      start = end;
    }
    return results;
  }

  private ObjectNode publishOne(ObjectNode event) {
    Answer a =
        sendBusyAware(
            request("/v1/events")
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(event.toString()))
                .build());
    if (a.status() != 202) {
      return refusedOne(event, a);
    }
    JsonNode body = a.json();
    return Json.MAPPER
        .createObjectNode()
        .put("index", 0)
        .put("id", body.path("id").asText(event.path("id").asText(null)))
        .put("status", 202)
        .put("position", body.path("position").asText(null));
  }

  /**
   * A single event's refusal as its result row, as a batch's 207 would carry it: the event was
   * answered for (400, 403, 413, 429 after its retries, 503...). Only what is not about the event
   * is thrown: 401 (the token), and a server error.
   */
  private ObjectNode refusedOne(ObjectNode event, Answer a) {
    if (a.status() == 401 || (a.status() >= 500 && a.status() != 503) || a.status() < 400) {
      throw refused(a);
    }
    JsonNode problem = null;
    try {
      problem = Json.MAPPER.readTree(a.body());
    } catch (IOException e) {
      // not a problem document: the status and the body's text say it
    }
    ObjectNode result =
        Json.MAPPER
            .createObjectNode()
            .put("index", 0)
            .put("id", event.path("id").asText(null))
            .put("status", a.status());
    if (problem != null && problem.isObject()) {
      result.put("detail", problem.path("detail").asText(problem.path("title").asText(null)));
      if (problem.hasNonNull("attribute")) {
        result.put("attribute", problem.get("attribute").asText());
      }
    } else {
      String text = new String(a.body(), StandardCharsets.UTF_8).strip();
      result.put("detail", text.substring(0, Math.min(text.length(), 200)));
    }
    return result;
  }

  private List<ObjectNode> publishBatch(ArrayNode batch, int offset) {
    Answer a =
        sendBusyAware(
            request("/v1/events")
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/cloudevents-batch+json")
                .POST(HttpRequest.BodyPublishers.ofString(batch.toString()))
                .build());
    if (a.status() != 202 && a.status() != 207) {
      throw refused(a);
    }
    List<ObjectNode> results = new ArrayList<>(batch.size());
    for (JsonNode r : a.json().path("results")) {
      ObjectNode result = ((ObjectNode) r).deepCopy();
      result.put("index", r.path("index").asInt() + offset);
      results.add(result);
    }
    if (results.size() != batch.size()) {
      throw new Failure(
          "the gateway answered "
              + results.size()
              + " results for a batch of "
              + batch.size()
              + " events");
    }
    return results;
  }

  /** Sends, and on 429 waits the answer's Retry-After (1 s without one) and sends again. */
  private Answer sendBusyAware(HttpRequest request) {
    for (int attempt = 0; ; attempt++) {
      Answer a = send(request);
      if (a.status() != 429 || attempt == BUSY_RETRIES) {
        return a;
      }
      long seconds =
          a.response().headers().firstValue("Retry-After").map(HttpTarget::seconds).orElse(1L);
      err.println("herald: the gateway is busy (429); sending again in " + seconds + " s");
      err.flush();
      pause(Duration.ofSeconds(seconds));
    }
  }

  private static long seconds(String retryAfter) {
    try {
      return Math.max(0, Math.min(60, Long.parseLong(retryAfter.trim())));
    } catch (NumberFormatException e) {
      return 1; // an HTTP date: a short wait is as good
    }
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis()); // a back-off the server asked for, not a wait for an event
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted", e);
    }
  }

  @Override
  public void tail(String types, String from, String group, long limit, Sink sink)
      throws InterruptedException {
    StringBuilder query = new StringBuilder("/v1/events/stream?types=").append(q(types));
    if (group != null) {
      query.append("&group=").append(q(group));
    }
    String lastEventId = null;
    if (from.equals("earliest") || from.equals("latest")) {
      query.append("&from=").append(from);
    } else {
      lastEventId = from;
    }
    Duration retry = Duration.ofSeconds(1);
    int failures = 0;
    boolean everConnected = false;
    long remaining = limit;
    while (true) {
      // The server writes at most the events still wanted and ends the stream: a group's stream
      // then has the group acknowledge those only, not what it would have sent on.
      long asked = remaining == Long.MAX_VALUE ? 0 : Math.min(remaining, MAX_STREAM_LIMIT);
      Stream stream = new Stream(sink, lastEventId, retry, asked > 0, !everConnected);
      try {
        if (stream.read(asked > 0 ? query + "&limit=" + asked : query.toString())) {
          return; // the sink has had enough
        }
      } catch (IOException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("stopped");
        }
        if (!everConnected && !stream.connected) {
          throw unreachable(e); // never reached: a wrong --url, not a dropped stream
        }
      }
      everConnected = true;
      lastEventId = stream.lastEventId;
      retry = stream.retry;
      if (asked > 0) {
        remaining -= stream.events;
        if (stream.events == asked) {
          failures = 0;
          continue; // the server ended the stream after the events asked for: ask for more
        }
      }
      failures = stream.events > 0 ? 1 : failures + 1;
      if (failures > RECONNECTS) {
        throw new Failure(
            "the stream from "
                + base
                + " dropped and "
                + RECONNECTS
                + " reconnections failed"
                + (lastEventId == null ? "" : "; resume with --from " + lastEventId));
      }
      err.println(
          "herald: the stream dropped; reconnecting in "
              + retry.toMillis()
              + " ms"
              + (lastEventId == null ? "" : " from position " + lastEventId));
      err.flush();
      Thread.sleep(retry.toMillis()); // the server's retry: delay; interrupted by a stop
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Over the gateway: its stream, from {@code from}, up to where a reader at {@code to} stands.
   * The gateway serves no end position, so {@code to} must be a position ({@code latest} is
   * refused), and the range's size is unknown (the bar counts). Every type is asked for, and {@code
   * types} matched here, so that the end is seen whatever its type. Positions are read in their
   * documented form ({@link ReadPosition}): an event is printed when its own record lies within
   * {@code to}, and the replay ends once the stream's position has reached {@code to} in every
   * partition {@code to} names.
   */
  @Override
  public void replay(String types, String from, String to, Progress progress, Sink sink)
      throws InterruptedException {
    if (to.equals("latest")) {
      throw new UsageError(
          "--to latest needs --data or --kafka: the gateway serves no end position; give --to"
              + " POSITION, the position of the last event to print");
    }
    ReadPosition end = ReadPosition.of(to);
    ReadPosition[] at = {ReadPosition.of(from)};
    if (at[0].reached(end)) {
      return; // an empty range: the stream would wait for an event already passed
    }
    TypePattern pattern = TypePattern.of(types);
    tail(
        "#",
        from,
        null,
        Long.MAX_VALUE,
        (position, event) -> {
          ReadPosition next = ReadPosition.of(position == null ? "" : position);
          boolean within = end.includes(at[0].recordTo(next));
          at[0] = next;
          if (within) {
            progress.step();
            if (pattern.matches(event.path("type").asText()) && !sink.accept(position, event)) {
              return false;
            }
          }
          return !next.reached(end);
        });
  }

  /** One SSE connection: its parser state, and what it carried over to the next one. */
  private final class Stream {
    final Sink sink;
    final boolean serverLimited;
    final boolean fromGiven;
    String lastEventId;
    Duration retry;
    boolean connected;
    long events;

    /**
     * @param serverLimited the server was asked for a limit: once the sink has had enough, read on
     *     until the server ends the stream, which it does once its writes proved the events
     *     received (a group acknowledges them only then)
     * @param fromGiven the stream starts where --from says (the first connection), so a position
     *     the server refuses is the command line's
     */
    Stream(
        Sink sink, String lastEventId, Duration retry, boolean serverLimited, boolean fromGiven) {
      this.sink = sink;
      this.fromGiven = fromGiven;
      this.lastEventId = lastEventId;
      this.retry = retry;
      this.serverLimited = serverLimited;
    }

    /**
     * Reads events until the sink stops (true) or the stream ends (false).
     *
     * @throws IOException when the connection fails or drops
     */
    boolean read(String pathAndQuery) throws IOException, InterruptedException {
      HttpRequest.Builder b = request(pathAndQuery).header("Accept", "text/event-stream").GET();
      if (lastEventId != null) {
        b.header("Last-Event-ID", lastEventId);
      }
      HttpResponse<InputStream> response =
          client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      connected = true;
      InputStream in = response.body();
      if (response.statusCode() != 200) {
        try (in) {
          Answer a = new Answer(response.statusCode(), readBounded(in), response);
          throw fromGiven
              ? refused(a, FROM_ATTRIBUTES, detail -> UsageError.from(detail, null))
              : refused(a);
        }
      }
      Lines lines = new Lines(in);
      try {
        String id = null;
        String type = null;
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = lines.next()) != null) {
          if (line.isEmpty()) {
            if (data.length() > 0 && !dispatch(id, data.toString())) {
              if (serverLimited) {
                lines.awaitEnd(END_WAIT);
              }
              return true;
            }
            id = null;
            type = null;
            data.setLength(0);
            continue;
          }
          if (line.startsWith(":")) {
            continue; // a heartbeat
          }
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          if (value.startsWith(" ")) {
            value = value.substring(1);
          }
          switch (field) {
            case "id" -> id = value;
            case "event" -> type = value;
            case "data" -> {
              if (data.length() > 0) {
                data.append('\n');
              }
              data.append(value);
            }
            case "retry" -> retry = retryOf(value);
            default -> {
              // an unknown field is ignored, as the SSE spec says
            }
          }
        }
        return false;
      } finally {
        lines.close();
      }
    }

    private boolean dispatch(String id, String data) throws IOException {
      JsonNode event = Json.MAPPER.readTree(data);
      if (!event.isObject()) {
        throw new IOException("an SSE event whose data is not a JSON object: " + data);
      }
      if (id != null && !id.isEmpty()) {
        lastEventId = id;
      }
      events++;
      return sink.accept(id == null || id.isEmpty() ? null : id, (ObjectNode) event);
    }

    private Duration retryOf(String value) {
      try {
        return Duration.ofMillis(Math.max(100, Math.min(60_000, Long.parseLong(value.trim()))));
      } catch (NumberFormatException e) {
        return retry;
      }
    }
  }

  /**
   * The lines of an SSE response, read on a daemon thread of their own into a bounded queue, so
   * that the tailing thread waits in an interruptible {@link BlockingQueue#take}: the JDK's
   * response stream does not give up a blocked read on interrupt. {@link #close} closes the stream
   * and interrupts the reader, which then ends.
   */
  private static final class Lines {
    private static final Object END = new Object();
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1024);
    private final InputStream in;
    private final Thread reader;

    Lines(InputStream in) {
      this.in = in;
      this.reader = new Thread(this::read, "herald-sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      LineReader lines = new LineReader(in, MAX_LINE_BYTES);
      try {
        String line;
        while ((line = lines.next()) != null) {
          queue.put(line);
        }
        queue.put(END);
      } catch (IOException e) {
        queue.offer(e); // the consumer may be gone; then nobody needs the failure
      } catch (InterruptedException e) {
        // closed by the consumer
      }
    }

    /**
     * Reads (and drops) lines until the stream ends, a failure, or {@code patience} passed: the
     * server ends a limited stream once its last events are confirmed.
     */
    void awaitEnd(Duration patience) throws InterruptedException {
      long deadline = System.nanoTime() + patience.toNanos();
      long left;
      while ((left = deadline - System.nanoTime()) > 0) {
        Object o = queue.poll(left, TimeUnit.NANOSECONDS);
        if (o == END || o instanceof IOException) {
          return;
        }
      }
    }

    /** The next line, or null at the end of the stream. */
    String next() throws IOException, InterruptedException {
      Object o = queue.take();
      if (o == END) {
        return null;
      }
      if (o instanceof IOException e) {
        throw e;
      }
      return (String) o;
    }

    void close() {
      try {
        in.close();
      } catch (IOException e) {
        // closing a stream we are done with: nothing to do about a failure
      }
      reader.interrupt();
    }
  }

  @Override
  public JsonNode groups() {
    return getJson("/v1/groups");
  }

  @Override
  public List<ObjectNode> deadLetters(String group, int limit) {
    JsonNode root =
        getJson(
            "/v1/deadletters?"
                + (group == null ? "" : "group=" + q(group) + "&")
                + "limit="
                + limit);
    List<ObjectNode> list = new ArrayList<>();
    for (JsonNode d : root.path("deadLetters")) {
      list.add((ObjectNode) d);
    }
    return list;
  }

  @Override
  public Optional<ObjectNode> deadLetter(String position) {
    Answer a =
        send(request("/v1/deadletters/" + q(position)).timeout(REQUEST_TIMEOUT).GET().build());
    if (a.status() == 404) {
      return Optional.empty();
    }
    if (a.status() != 200) {
      throw refused(a, List.of("position"), HttpTarget::badPosition);
    }
    return Optional.of((ObjectNode) a.json());
  }

  @Override
  public void redrive(String position) {
    Answer a =
        send(
            request("/v1/deadletters/" + q(position) + "/redrive")
                .timeout(REQUEST_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    if (a.status() == 404) {
      throw new Failure("no dead letter at position " + position);
    }
    if (a.status() != 202 && a.status() != 200) {
      throw refused(a, List.of("position"), HttpTarget::badPosition);
    }
  }

  /** A dead letter's position the gateway refused: the command line's {@code POSITION}. */
  private static UsageError badPosition(String detail) {
    return UsageError.of("POSITION", detail, null);
  }

  @Override
  public void close() {
    // HttpClient has no close before Java 21; its threads are daemons and end with the JVM
  }
}
