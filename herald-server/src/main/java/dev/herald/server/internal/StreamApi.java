package dev.herald.server.internal;

import dev.herald.TypePattern;
import dev.herald.server.GatewayStore;
import dev.herald.server.PositionGoneException;
import dev.herald.server.Principal;
import dev.herald.spi.Transport;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/events/stream?types=PATTERN[&group=NAME][&from=earliest|latest][&limit=N]}: the
 * store's events as Server-Sent Events (see {@code docs/server.md}, "Stream").
 *
 * <p>Threads, and who writes to which client:
 *
 * <ul>
 *   <li>the request thread checks the request, opens the stream's cursor and returns; the response
 *       stays open in servlet async mode, holding no thread;
 *   <li>{@code herald-sse-tail} ({@link StreamBroadcaster}) reads the store's tail once for every
 *       caught-up stream and queues each event's frame, encoded once, to each of them;
 *   <li>a stream resuming from an older position reads with its own cursor ({@link StreamCatchUp})
 *       in short tasks on {@code herald-sse-writer-N} until it reaches the tail, then joins it;
 *   <li>the store's feed thread of a group queues the events of a group's streams ({@link
 *       StreamGroupMember});
 *   <li>every write to a client's socket is non-blocking ({@link SseConnection}), done by a {@code
 *       herald-sse-writer-N} thread in the {@link SseFlusher}'s next round after a frame was queued
 *       (a round starts once there is something to write and the last one ended, after a rest half
 *       as long as it took), or by a Jetty thread when the socket can take more: no thread waits on
 *       a slow socket, whose frames wait in its bounded buffer until it overflows and the stream is
 *       closed;
 *   <li>{@code herald-sse-timer} ticks the flusher (a safety net), queues the heartbeat to every
 *       stream and re-runs catch-up tasks that wait for the tail.
 * </ul>
 *
 * Streams end when the server closes ({@link #close}).
 */
final class StreamApi implements Gateway.Api, AutoCloseable {
  private static final int WRITER_THREADS = 2;

  /** The largest {@code limit} a stream takes. */
  static final long MAX_LIMIT = 1_000_000;

  /** Each stream buffers at most this many bytes of frames not yet taken by its socket. */
  static final int MAX_BUFFERED_BYTES = 256 << 10;

  private final Gateway gateway;
  private final GatewayStore store;
  private final StreamBroadcaster tail;
  // Tasks: at most a write, a catch-up and a close per open stream, so bounded by the streams.
  private final ThreadPoolExecutor writers;
  private final ScheduledThreadPoolExecutor timer;
  private final SseFlusher flusher;
  private final Set<SseConnection> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, AtomicInteger> perPrincipal = new ConcurrentHashMap<>();
  private volatile boolean closed;

  StreamApi(Gateway gateway) {
    this.gateway = gateway;
    this.store = gateway.store();
    AtomicInteger n = new AtomicInteger();
    this.writers =
        new ThreadPoolExecutor(
            WRITER_THREADS,
            WRITER_THREADS,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> daemon(r, "herald-sse-writer-" + n.incrementAndGet()));
    this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "herald-sse-timer"));
    timer.setRemoveOnCancelPolicy(true);
    this.flusher = new SseFlusher(writers, WRITER_THREADS);
    timer.scheduleAtFixedRate(
        flusher::tick, SseFlusher.LINGER_MILLIS, SseFlusher.LINGER_MILLIS, TimeUnit.MILLISECONDS);
    this.tail = new StreamBroadcaster(store, gateway.stats(), flusher);
    // Read from the start, streams or not: the stats' (and the dashboard's) events per type count
    // what every process stores, not only what comes through this gateway.
    this.tail.start();
    long beat = gateway.limits().heartbeat().toNanos();
    timer.scheduleAtFixedRate(this::heartbeat, beat, beat, TimeUnit.NANOSECONDS);
    gateway.stats().gauge(GatewayStats.STREAMS, open::size);
    gateway.onClose(this);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void routes(RoutesConfig routes) {
    routes.get("/v1/events/stream", this::stream);
  }

  /** How many streams are open. */
  int openStreams() {
    return open.size();
  }

  /** A stream's {@code types}: required, in the syntax of subscriptions ({@link TypePattern}). */
  private static TypePattern typesOf(String types) {
    if (types == null || types.isBlank()) {
      throw new IllegalArgumentException("types: a type pattern is required, such as order.*");
    }
    try {
      return TypePattern.of(types);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("types" + e.getMessage().substring("pattern".length()), e);
    }
  }

  /**
   * Whether an {@code Accept} header names {@code text/event-stream} with a quality above 0: its
   * media ranges compared ignoring case and white space (RFC 9110 §12.5.1), parameters other than
   * {@code q} ignored. Only the type itself counts: {@code *}{@code /*} and {@code text/*} do not,
   * so a client that did not ask for a stream (a browser's page load) gets 406, not one.
   */
  static boolean acceptsEventStream(String accept) {
    if (accept == null) {
      return false;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      if (!parts[0].strip().equalsIgnoreCase("text/event-stream")) {
        continue;
      }
      boolean acceptable = true;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].strip();
        int eq = p.indexOf('=');
        if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase("q")) {
          acceptable = !isZeroQuality(p.substring(eq + 1).strip());
        }
      }
      if (acceptable) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a {@code q} value is 0 ({@code 0}, {@code 0.}, {@code 0.000}); malformed ones are not.
   */
  private static boolean isZeroQuality(String q) {
    return q.matches("0(\\.0{0,3})?");
  }

  private void stream(Context ctx) throws IOException {
    if (!acceptsEventStream(ctx.header("Accept"))) {
      gateway.stats().count("stream.refused.406");
      throw new ApiError(406, "a stream answers Accept: text/event-stream only");
    }
    TypePattern pattern;
    try {
      pattern = typesOf(QueryParameters.first(ctx, "types"));
    } catch (IllegalArgumentException e) {
      gateway.stats().count("stream.refused.400");
      throw ApiError.badRequest("types", e.getMessage());
    }
    long limit = limitOf(QueryParameters.first(ctx, "limit"));
    Principal principal = Gateway.principal(ctx);
    if (!principal.maySubscribe(pattern.toString())) {
      gateway.stats().count("stream.refused.403");
      throw new ApiError(403, principal.name() + " may not subscribe to " + pattern);
    }
    String group = QueryParameters.first(ctx, "group");
    if (group != null && !GroupNames.isValid(group)) {
      gateway.stats().count("stream.refused.400");
      throw ApiError.badRequest("group", GroupNames.RULE);
    }
    if (group != null && !principal.mayJoinGroup(group)) {
      gateway.stats().count("stream.refused.403");
      throw new ApiError(403, principal.name() + " may not join consumer group " + group, "group");
    }
    if (closed) {
      throw new ApiError(503, "the server is closing");
    }
    SseConnection c =
        new SseConnection(
            principal.name(), gateway.stats(), writers, flusher, timer, MAX_BUFFERED_BYTES, limit);
    reserve(principal.name(), c);
    try {
      HttpServletResponse res = ctx.res();
      List<byte[]> first = new ArrayList<>(2);
      first.add(SseFrames.retry(gateway.limits().sseRetry().toMillis()));
      Runnable begin =
          group == null ? resume(ctx, c, pattern, first) : joinGroup(c, pattern, group);
      res.setStatus(200);
      res.setCharacterEncoding("UTF-8");
      res.setContentType("text/event-stream");
      if (!"no-store".equals(res.getHeader("Cache-Control"))) {
        // no-store (a token in the URL, set by Authentication) is stricter than no-cache: kept.
        res.setHeader("Cache-Control", "no-cache");
      }
      res.setHeader("X-Accel-Buffering", "no");
      for (byte[] f : first) {
        c.offerCatchUp(f);
      }
      open.add(c);
      c.onClose(() -> open.remove(c));
      gateway.stats().count("stream.opened");
      ServletOutputStream out = res.getOutputStream();
      ctx.future(
          () -> {
            ctx.req().getAsyncContext().setTimeout(0); // a stream lasts; the heartbeat keeps it
            c.start(out);
            begin.run();
            if (closed) {
              c.close("the server is closing");
            }
            return c.done();
          });
    } catch (RuntimeException e) {
      c.close("refused: " + e.getMessage());
      throw e;
    }
  }

  /**
   * A stream's {@code limit}: absent (no limit, {@code Long.MAX_VALUE}), or 1 to {@link #MAX_LIMIT}
   * events, after which the server ends the stream; else 400 naming {@code limit}.
   */
  private long limitOf(String limit) {
    if (limit == null) {
      return Long.MAX_VALUE;
    }
    try {
      long n = Long.parseLong(limit.trim());
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    gateway.stats().count("stream.refused.400");
    throw ApiError.badRequest(
        "limit", "limit: a number of events from 1 to " + MAX_LIMIT + ", not '" + limit + "'");
  }

  /** One more stream for {@code principal}, or 429 past the limit; released when it closes. */
  private void reserve(String principal, SseConnection c) {
    AtomicInteger count = perPrincipal.computeIfAbsent(principal, k -> new AtomicInteger());
    int limit = gateway.limits().sseConnectionsPerPrincipal();
    if (count.incrementAndGet() > limit) {
      count.decrementAndGet();
      gateway.stats().count("stream.refused.429");
      throw new ApiError(
          429, principal + " already holds " + limit + " open streams, the most allowed");
    }
    c.onClose(count::decrementAndGet);
  }

  /**
   * A stream without a group: opens its cursor at {@code Last-Event-ID}, else {@code lastEventId},
   * else {@code from} (default {@code latest}); a position retention deleted is answered with
   * {@code Last-Event-ID: earliest} and a first {@code herald.gap} event.
   */
  private Runnable resume(Context ctx, SseConnection c, TypePattern pattern, List<byte[]> first) {
    String attribute = "Last-Event-ID";
    String from = ctx.header("Last-Event-ID");
    if (from == null) {
      attribute = "lastEventId";
      from = QueryParameters.first(ctx, "lastEventId");
    }
    if (from == null) {
      attribute = "from";
      from = QueryParameters.first(ctx, "from");
    }
    if (from == null) {
      from = "latest";
    }
    from = from.trim();
    GatewayStore.Cursor cursor;
    try {
      cursor = store.cursor(from);
    } catch (PositionGoneException gone) {
      ctx.res().setHeader("Last-Event-ID", "earliest");
      first.add(StreamGap.frame(from, gone));
      gateway.stats().count("stream.gap");
      cursor = store.cursor("earliest");
    } catch (IllegalArgumentException e) {
      gateway.stats().count("stream.refused.400");
      throw ApiError.badRequest(attribute, e.getMessage());
    }
    StreamCatchUp catchUp = new StreamCatchUp(c, pattern, cursor, store, tail, writers, timer);
    c.onClose(catchUp::stop);
    c.onClose(() -> tail.leave(c, pattern));
    return () -> writers.execute(catchUp);
  }

  private Runnable joinGroup(SseConnection c, TypePattern pattern, String group) {
    Transport transport;
    try {
      transport = store.transport();
    } catch (UnsupportedOperationException e) {
      throw new ApiError(501, "streams of a group are not served by this store: " + e.getMessage());
    }
    gateway.stats().count("stream.group");
    return () -> StreamGroupMember.join(transport, group, c, pattern);
  }

  private void heartbeat() {
    for (SseConnection c : open) {
      c.offer(SseFrames.HEARTBEAT);
    }
  }

  /** Ends every open stream and stops the stream threads. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (SseConnection c : List.copyOf(open)) {
      c.close("the server is closing");
    }
    tail.close();
    timer.shutdown();
    // Never shutdownNow: an interrupt during a cursor's read would close the log's file channel,
    // shared by every reader. The writers' tasks are short; they end on their own.
    writers.shutdown();
    try {
      if (!writers.awaitTermination(10, TimeUnit.SECONDS)) {
        LoggerFactory.getLogger("dev.herald.server.streams")
            .warn("stream writers still busy 10 s after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
