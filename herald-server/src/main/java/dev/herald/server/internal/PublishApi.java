package dev.herald.server.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import dev.herald.codec.CloudEventsStructured;
import dev.herald.codec.JsonPayloadCodec;
import dev.herald.server.HeraldTypes;
import dev.herald.server.Principal;
import dev.herald.server.StoreUnavailableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/events}: publishes CloudEvents per the CloudEvents HTTP protocol binding, in its
 * three content modes, chosen by {@code Content-Type}:
 *
 * <ul>
 *   <li>{@value #BATCH}: a JSON array of structured events, answered per event: 202 when every
 *       event was stored, else 207, with {@code {"results": [{"index", "id", "status", "position" |
 *       "detail", "attribute"?}]}};
 *   <li>{@value #STRUCTURED}: one structured event ({@link CloudEventsStructured});
 *   <li>anything else: binary mode ({@link HttpBinaryEvent}).
 * </ul>
 *
 * A single event is answered {@code 202 {"id", "position"}} once the store has stored it. Refusals
 * ({@link PublishRefusals}): 400 naming the attribute, 403 when the principal may not publish the
 * type, 413 over {@link dev.herald.server.ServerLimits#maxBodyBytes()} ({@link PublishBody}), 415
 * for a structured or batch media type other than JSON, 429 with {@code Retry-After} when the store
 * pushes back, 503 when it cannot store or did not store within {@value #STORE_WAIT_SECONDS} s.
 * Events of a batch are appended in their order, all at once, and answered once every one of them
 * is stored or refused, or the batch's {@value #STORE_WAIT_SECONDS} s have passed.
 *
 * <p>Threads: reads a request on one of the HTTP library's request threads and returns without
 * waiting for the store; the answer is written on a request thread too ({@link
 * Gateway#onRequestThread}), never on the thread that completed the store's future (the log's
 * writer), so a client that does not read cannot hold up the store.
 */
final class PublishApi implements Gateway.Api {
  static final String STRUCTURED = "application/cloudevents+json";
  static final String BATCH = "application/cloudevents-batch+json";

  /** The most events one batch request may carry; more is 413. */
  static final int MAX_BATCH_EVENTS = 10_000;

  static final long STORE_WAIT_SECONDS = 30;
  private static final int MAX_NESTING_DEPTH = 64;
  static final String TRACEPARENT_HEADER = "traceparent";
  static final String TRACESTATE_HEADER = "tracestate";

  /** A W3C traceparent: version, trace id, parent id, flags (lowercase hex; not version ff). */
  private static final Pattern TRACEPARENT_FORMAT =
      Pattern.compile("(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

  private static final Logger LOG = LoggerFactory.getLogger("dev.herald.server");

  private final Gateway gateway;
  private final CloudEventsStructured structured;
  private final ObjectMapper mapper;

  /**
   * How long {@link #close} waits for the answers of the publishes it ends to be written: more than
   * a Kafka producer may hold a request's thread in {@code send} (its max.block.ms, 5 s).
   */
  static final long CLOSE_WAIT_MILLIS = 6_000;

  /**
   * The deadlines of the publishes waiting for the store, each removed once answered: {@link
   * #close} fails those left, so that each is answered 503 before the server stops listening.
   */
  private final Map<CompletableFuture<?>, Context> waiting = new ConcurrentHashMap<>();

  private static final String CLOSING = "the server is closing";
  private volatile boolean closing;

  PublishApi(Gateway gateway) {
    this.gateway = gateway;
    gateway.onClose(this::close);
    int maxBytes = gateway.limits().maxBodyBytes();
    this.structured = new CloudEventsStructured(JsonPayloadCodec.defaults(), maxBytes);
    this.mapper =
        new ObjectMapper(
            JsonFactory.builder()
                .streamReadConstraints(
                    StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(maxBytes)
                        .build())
                .build());
    // A binary-mode JSON body is one value: content after it is not JSON, rather than dropped.
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  @Override
  public void routes(RoutesConfig routes) {
    routes.post("/v1/events", this::publish);
  }

  private void publish(Context ctx) {
    try {
      if (closing) {
        throw new ApiError(503, CLOSING);
      }
      byte[] body = PublishBody.read(ctx, gateway.limits().maxBodyBytes());
      String media = PublishBody.mediaType(ctx.header("Content-Type"));
      if (BATCH.equals(media)) {
        batch(ctx, body);
        return;
      }
      Event<Object> event;
      if (media != null && media.startsWith("application/cloudevents")) {
        if (!STRUCTURED.equals(media)) {
          throw unsupported(media);
        }
        event = structured(body, 0, body.length);
      } else {
        event = HttpBinaryEvent.read(ctx, body, mapper, structured);
      }
      event = withHttpTraceContext(ctx, event);
      authorize(Gateway.principal(ctx), event);
      Event<Object> appended = event;
      // Registered before the store is asked, which may hold this thread (a Kafka producer waits
      // up to its max.block.ms for a broker's metadata): a close meanwhile still answers it.
      CompletableFuture<String> append = waitFor(ctx, new CompletableFuture<String>());
      relay(append(event), append);
      // Async: no request thread waits for the store. The answer is written on a request thread.
      ctx.future(
          () ->
              append.handleAsync(
                  (position, failure) -> {
                    try {
                      return answer(ctx, appended, position, failure);
                    } finally {
                      answered(append);
                    }
                  },
                  gateway::onRequestThread));
    } catch (ApiError e) {
      throw refused(ctx, e);
    }
  }

  private Void answer(Context ctx, Event<?> event, String position, Throwable failure) {
    if (failure != null) {
      throw refused(ctx, PublishRefusals.storeFailure(failure));
    }
    stored(event, position);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("id", event.id());
    answer.put("position", position);
    ctx.status(202).contentType("application/json").result(Json.write(answer));
    return null;
  }

  private ApiError refused(Context ctx, ApiError e) {
    gateway.stats().count("publish.refused." + e.status);
    if (e.status == 429) {
      ctx.header("Retry-After", Integer.toString(PublishRefusals.RETRY_AFTER_SECONDS));
    }
    return e;
  }

  private void batch(Context ctx, byte[] body) {
    List<int[]> elements = elements(body);
    Principal principal = Gateway.principal(ctx);
    int n = elements.size();
    List<Event<Object>> events = new ArrayList<>(n);
    List<Object> outcomes = new ArrayList<>(n); // a CompletableFuture<String>, or an ApiError
    for (int i = 0; i < n; i++) {
      Event<Object> event = null;
      Object outcome;
      try {
        int[] element = elements.get(i);
        if (element == null) {
          throw new ApiError(400, "batch element " + i + " is not a JSON object");
        }
        event = withHttpTraceContext(ctx, structured(body, element[0], element[1]));
        authorize(principal, event);
        outcome = null;
      } catch (ApiError e) {
        outcome = e;
      }
      events.add(event);
      outcomes.add(outcome);
    }
    // Appended together once all are read, so the log writes (and syncs) them together.
    List<Event<?>> accepted = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (outcomes.get(i) == null) {
        accepted.add(events.get(i));
      }
    }
    CompletableFuture<Void> all = waitFor(ctx, new CompletableFuture<Void>());
    List<CompletableFuture<String>> appended = appendAll(accepted);
    for (int i = 0, next = 0; i < n; i++) {
      if (outcomes.get(i) == null) {
        outcomes.set(i, appended.get(next++));
      }
    }
    // Async: no request thread waits for the store. One deadline for the batch (its events were
    // appended together), rather than a timer per event; an event not stored by then is a 503.
    relay(CompletableFuture.allOf(appended.toArray(new CompletableFuture<?>[0])), all);
    ctx.future(
        () ->
            all.handleAsync(
                (none, failure) -> {
                  try {
                    return answer(ctx, body, elements, events, outcomes);
                  } finally {
                    answered(all);
                  }
                },
                gateway::onRequestThread));
  }

  /** Registers a publish's deadline, which {@link #close} fails if it is still waiting then. */
  private <T> CompletableFuture<T> waitFor(Context ctx, CompletableFuture<T> deadline) {
    waiting.put(deadline, ctx);
    return deadline.orTimeout(STORE_WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Completes {@code deadline} as {@code stored} completes (unless it timed out or closed). */
  private static <T> void relay(CompletableFuture<T> stored, CompletableFuture<T> deadline) {
    stored.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            deadline.complete(value);
          } else {
            deadline.completeExceptionally(failure);
          }
        });
  }

  private void answered(CompletableFuture<?> deadline) {
    waiting.remove(deadline);
  }

  /**
   * Answers 503 every publish still waiting for the store (a broker that went away would keep them
   * for up to {@value #STORE_WAIT_SECONDS} s), and waits up to {@value #CLOSE_WAIT_MILLIS} ms for
   * those answers to be committed, so that a client gets its answer rather than a closed connection
   * when the server then stops. Runs once, on the thread that closes the server.
   */
  private void close() {
    closing = true;
    List<Context> ending = List.copyOf(waiting.values());
    StoreUnavailableException failure = new StoreUnavailableException(CLOSING, null);
    for (CompletableFuture<?> deadline : List.copyOf(waiting.keySet())) {
      deadline.completeExceptionally(failure);
    }
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
    for (Context ctx : ending) {
      // Javalin writes an answer after the continuation returns, on its thread: no event to wait
      // for, so poll (on close only, for a few answers at most).
      while (!committed(ctx) && System.nanoTime() < end) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    long left = ending.stream().filter(c -> !committed(c)).count();
    if (left > 0) {
      LOG.warn("{} publish answer(s) not written as the server closed", left);
    }
  }

  private static boolean committed(Context ctx) {
    try {
      return ctx.res().isCommitted();
    } catch (RuntimeException e) { // the request is over and its response recycled
      return true;
    }
  }

  /**
   * Writes a batch's answer once its events are stored or its deadline passed, in the order sent,
   * without a map per event: {@code {"results":[{"index", "id", "status", "position" | "detail",
   * "attribute"?}, ...]}}. On a request thread.
   *
   * @param outcomes per element, the store's future for it, or the {@link ApiError} that refused it
   *     before the store
   */
  private Void answer(
      Context ctx,
      byte[] body,
      List<int[]> elements,
      List<Event<Object>> events,
      List<Object> outcomes) {
    int n = outcomes.size();
    ByteArrayBuilder answer = new ByteArrayBuilder(64 + 64 * n);
    boolean allStored = true;
    boolean busy = false;
    try (JsonGenerator g = Json.MAPPER.createGenerator(answer)) {
      g.writeStartObject();
      g.writeArrayFieldStart("results");
      for (int i = 0; i < n; i++) {
        g.writeStartObject();
        g.writeNumberField("index", i);
        Event<Object> event = events.get(i);
        g.writeStringField("id", event != null ? event.id() : idOf(body, elements.get(i)));
        ApiError refusal;
        if (outcomes.get(i) instanceof ApiError e) {
          refusal = e;
        } else {
          @SuppressWarnings("unchecked")
          CompletableFuture<String> f = (CompletableFuture<String>) outcomes.get(i);
          try {
            String position = stored(event, position(f));
            g.writeNumberField("status", 202);
            g.writeStringField("position", position);
            g.writeEndObject();
            continue;
          } catch (ApiError e) {
            refusal = e;
          } catch (RuntimeException e) {
            LOG.error("storing event {} failed", event.id(), e);
            refusal = new ApiError(500, "internal error");
          }
        }
        allStored = false;
        busy |= refusal.status == 429;
        gateway.stats().count("publish.refused." + refusal.status);
        g.writeNumberField("status", refusal.status);
        g.writeStringField("detail", refusal.getMessage());
        if (refusal.attribute != null) {
          g.writeStringField("attribute", refusal.attribute);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the batch answer", e); // in memory: never
    }
    if (busy) {
      ctx.header("Retry-After", Integer.toString(PublishRefusals.RETRY_AFTER_SECONDS));
    }
    ctx.status(allStored ? 202 : 207).contentType("application/json").result(answer.toByteArray());
    return null;
  }

  /**
   * The elements of a batch, each the range {@code [from, to)} of one JSON object in {@code body}
   * (null for an element that is not an object), found by one streaming pass: no tree is built and
   * nothing is copied.
   *
   * @throws ApiError 400 when the body is not a well-formed JSON array; 413 over {@link
   *     #MAX_BATCH_EVENTS} elements
   */
  private List<int[]> elements(byte[] body) {
    List<int[]> elements = new ArrayList<>();
    try (JsonParser p = mapper.createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new ApiError(400, "a batch must be a JSON array of structured CloudEvents");
      }
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) {
          throw new ApiError(400, "the batch is not well-formed JSON: it ends inside the array");
        }
        if (elements.size() == MAX_BATCH_EVENTS) {
          throw new ApiError(
              413, "a batch of more than " + MAX_BATCH_EVENTS + " events exceeds the limit");
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getByteOffset();
        elements.add(t == JsonToken.START_OBJECT ? new int[] {start, end} : null);
      }
      if (p.nextToken() != null) {
        throw new ApiError(400, "the batch is not well-formed JSON: content after the array");
      }
    } catch (IOException e) {
      throw new ApiError(
          400,
          "the batch is not well-formed JSON: "
              + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    return elements;
  }

  private String idOf(byte[] body, int[] element) {
    if (element == null) {
      return null;
    }
    try {
      JsonNode id = mapper.readTree(body, element[0], element[1] - element[0]).get("id");
      return id != null && id.isTextual() ? id.asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The structured event in {@code body[from, to)}, its JSON data kept as the compact JSON text the
   * store writes ({@link CloudEventsStructured#decodeToStore}): read in one pass, not into a tree.
   */
  private Event<Object> structured(byte[] body, int from, int to) {
    try {
      return structured.decodeToStore(body, from, to);
    } catch (RuntimeException e) {
      throw PublishRefusals.invalid(e);
    }
  }

  /**
   * {@code event} with the request's W3C Trace Context headers ({@value #TRACEPARENT_HEADER}, and
   * {@value #TRACESTATE_HEADER} beside it) as its traceparent and tracestate extensions, when it
   * carries no traceparent of its own ({@code ce-traceparent} or a structured attribute wins): a
   * client traced by plain HTTP instrumentation continues its trace in the event. A traceparent
   * header not in the W3C format is ignored, as the W3C recommendation has it.
   */
  static Event<Object> withHttpTraceContext(Context ctx, Event<Object> event) {
    String traceparent = ctx.header(TRACEPARENT_HEADER);
    if (traceparent == null
        || event.extension(Event.TRACEPARENT) != null
        || !TRACEPARENT_FORMAT.matcher(traceparent).matches()) {
      return event;
    }
    Event.Builder<Object> b = event.toBuilder();
    try {
      b.extension(Event.TRACEPARENT, traceparent);
      String tracestate = ctx.header(TRACESTATE_HEADER);
      if (tracestate != null
          && !tracestate.isBlank()
          && tracestate.length() <= Event.MAX_EXTENSION_VALUE_LENGTH) {
        b.extension(Event.TRACESTATE, tracestate);
      }
    } catch (IllegalArgumentException full) {
      // The event already has as many extensions as one may: it is stored as the client sent it.
      return event;
    }
    return b.build();
  }

  private static void authorize(Principal principal, Event<?> event) {
    if (HeraldTypes.isHeralds(event.type())) {
      // Herald's own records (dead letters, their resolved marks, webhook definitions) steer the
      // gateway when read back: a forged one could redrive, hide or create what nobody asked for.
      throw new ApiError(403, HeraldTypes.REFUSAL, "type");
    }
    if (!principal.mayPublish(event.type())) {
      throw new ApiError(
          403, principal.name() + " may not publish events of type '" + event.type() + "'", "type");
    }
  }

  private CompletableFuture<String> append(Event<?> event) {
    try {
      return gateway.store().append(event);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private List<CompletableFuture<String>> appendAll(List<Event<?>> events) {
    try {
      return gateway.store().appendAll(events);
    } catch (RuntimeException e) {
      List<CompletableFuture<String>> failed = new ArrayList<>(events.size());
      for (int i = 0; i < events.size(); i++) {
        failed.add(CompletableFuture.failedFuture(e));
      }
      return failed;
    }
  }

  /**
   * The position of an event of a batch whose deadline has passed or whose events are all stored.
   *
   * @throws ApiError the refusal for a failed store ({@link PublishRefusals#storeFailure}), a 503
   *     for an event the store did not store by the deadline
   */
  private String position(CompletableFuture<String> f) {
    if (!f.isDone()) {
      throw closing
          ? new ApiError(503, CLOSING)
          : PublishRefusals.storeFailure(new TimeoutException());
    }
    try {
      return f.join();
    } catch (CompletionException | CancellationException e) {
      throw PublishRefusals.storeFailure(e);
    }
  }

  private String stored(Event<?> event, String position) {
    gateway.stats().count("publish.stored");
    gateway.stats().storedType(event.type());
    return position;
  }

  private static ApiError unsupported(String media) {
    return new ApiError(
        415,
        "unsupported media type '"
            + media
            + "': publish "
            + STRUCTURED
            + ", "
            + BATCH
            + " or binary mode (ce-* headers)");
  }
}
