package dev.herald.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.herald.Event;
import dev.herald.EventHandler;
import dev.herald.RetryPolicy;
import dev.herald.TimeSource;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;

/**
 * The handler of one webhook subscription: POSTs each event to the target in CloudEvents HTTP
 * binary mode and tells the bus how it went (returns: delivered; throws: a failed attempt, for the
 * subscription's retry policy and then the dead-letter channel).
 *
 * <pre>
 *   ce-specversion 1.0, ce-id, ce-source, ce-type, ce-time (RFC 3339, UTC)
 *   ce-subject        when set
 *   ce-partitionkey   the event's key, when set
 *   ce-&lt;name&gt;         one per extension attribute
 *   Content-Type      the datacontenttype; application/json for data without one
 *   body              byte[] data as it is; String data of a non-JSON type in its charset (UTF-8
 *                     by default); any other data as JSON; none for no data
 * </pre>
 *
 * Header values are percent-encoded as the binding asks (space, {@code "}, {@code %} and anything
 * outside printable ASCII, as UTF-8 bytes).
 *
 * <p>Answers: 2xx delivered. 410 Gone stops the subscription for good ({@code onGone}, once) and
 * fails the event with {@link WebhookGoneException}. 429 or 503 with {@code Retry-After} (seconds,
 * or an HTTP date; at most {@link #MAX_RETRY_AFTER}) fails the attempt and holds the next one until
 * that time: the wait is on this subscription's own thread (its executor), never on one of the
 * bus's. Any other status, a timeout or an I/O error fails the attempt, and so does a target that
 * {@link WebhookTargets} refuses now (its host resolves to a private address), without a request.
 *
 * <p>The retry backoff is waited here too, on the subscription's thread, before the next attempt
 * (the bus's own retry delay is zero, see {@link #busRetryPolicy}): so that {@link #stop} ends any
 * wait at once. Once stopped, the request in flight is abandoned (its connection closed) and this
 * handler throws {@link InterruptedException} for it and every later event: its subscription is
 * closed by then, so the bus leaves those events undelivered, neither retried nor dead-lettered,
 * and unacknowledged in the store, for the group's next member (after a restart, or a new webhook
 * on the same group).
 *
 * <p>Threads: {@link #handle} runs on the subscription's own single thread; the counters and {@link
 * #stop} are for any thread.
 */
final class WebhookDelivery implements EventHandler<Object> {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);
  // How long a stopped handler waits for its subscription to be closed (it takes microseconds).
  private static final Duration UNSUBSCRIBE_WAIT = Duration.ofSeconds(5);

  private final WebhookDefinition def;
  private final WebhookClient client;
  private final TimeSource time;
  private final Runnable onGone;
  private final AtomicBoolean gone;
  private final LongAdder delivered = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private volatile int lastStatus;
  private volatile String lastError;

  private final Object pause = new Object();
  private boolean paused; // guarded by pause
  private long resumeAtNanos; // guarded by pause
  private boolean stopped; // guarded by pause
  private BooleanSupplier unsubscribed = () -> true; // guarded by pause
  private CompletableFuture<Response> inFlight; // guarded by pause

  // The event being retried and its attempts so far (handler thread only): which backoff is next.
  private String failingId;
  private int attempts;

  WebhookDelivery(
      WebhookDefinition def, WebhookClient client, TimeSource time, boolean gone, Runnable onGone) {
    this.def = def;
    this.client = client;
    this.time = time;
    this.gone = new AtomicBoolean(gone);
    this.onGone = onGone;
  }

  @Override
  public void handle(Event<Object> event) throws Exception {
    try {
      deliver(event);
    } catch (InterruptedException e) {
      if (isStopped()) {
        // The bus leaves the event undelivered only once its subscription is closed.
        awaitUnsubscribed();
      }
      throw e;
    }
  }

  private void deliver(Event<Object> event) throws Exception {
    if (gone.get()) {
      throw new WebhookGoneException(
          "the target answered 410 Gone before: subscription " + def.id() + " is stopped");
    }
    awaitRetryAfter();
    if (!event.id().equals(failingId)) {
      failingId = event.id();
      attempts = 0;
    }
    attempts++;
    try {
      attempt(event);
      failingId = null;
    } catch (WebhookGoneException e) {
      failingId = null; // dead-lettered at once
      throw e;
    } catch (WebhookDeliveryException e) {
      if (attempts < def.maxAttempts()) {
        // The bus retries at once: the backoff is waited here, where stop() can end it.
        holdNextAttempt(
            TimeUnit.NANOSECONDS.toMillis(
                def.retryPolicy().delayNanos(attempts, ThreadLocalRandom.current().nextDouble())));
      } else {
        failingId = null; // dead-lettered now: a redrive of it starts again from its first attempt
      }
      throw e;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      failingId = null; // an event that cannot be sent: dead-lettered at once
      throw e;
    }
  }

  /**
   * The bus's retry policy for a webhook: its attempts, with no delay (the backoff is waited by the
   * handler), and a 410 or an event that cannot be sent dead-lettered at once.
   */
  static RetryPolicy busRetryPolicy(WebhookDefinition def) {
    RetryPolicy p =
        def.maxAttempts() == 1
            ? RetryPolicy.none()
            : RetryPolicy.exponential(def.maxAttempts(), Duration.ZERO, Duration.ZERO);
    return p.abortOn(WebhookGoneException.class, IllegalArgumentException.class);
  }

  private void attempt(Event<Object> event) throws Exception {
    Binary binary = binaryRequest(event);
    Response r;
    try {
      // Resolved and checked again for each delivery (the name may resolve elsewhere than when it
      // was made), and sent to exactly the addresses checked.
      Request request = client.newRequest(def.url(), TIMEOUT);
      binary.applyTo(request);
      r = send(request);
    } catch (WebhookTargets.Refused e) {
      failed.increment();
      lastStatus = -1;
      lastError = "refused: " + e.getMessage();
      throw new WebhookDeliveryException(-1, "POST " + def.url() + " not sent: " + e.getMessage());
    } catch (IOException e) {
      failed.increment();
      lastStatus = -1;
      lastError = WebhookHandshake.describe(e);
      throw new WebhookDeliveryException(-1, "POST " + def.url() + " failed: " + lastError);
    }
    // The body is not waited for: the client drops it, within its bounds.
    int status = r.getStatus();
    lastStatus = status;
    if (status / 100 == 2) {
      delivered.increment();
      lastError = null;
      return;
    }
    failed.increment();
    lastError = "answered " + status + client.proxyNote(status);
    if (status == 410) {
      if (gone.compareAndSet(false, true)) {
        onGone.run();
      }
      throw new WebhookGoneException(
          "POST " + def.url() + " answered 410 Gone: subscription " + def.id() + " is stopped");
    }
    if (status == 429 || status == 503) {
      String v = r.getHeaders().get("Retry-After");
      if (v != null) {
        retryAfterMillis(v, time.epochMillis()).ifPresent(this::holdNextAttempt);
      }
    }
    throw new WebhookDeliveryException(status, "POST " + def.url() + " answered " + status);
  }

  /**
   * Sends {@code request}, and waits for its answer's head unless {@link #stop} abandons it.
   *
   * @throws InterruptedException stopped: the request was abandoned (or never sent)
   */
  private Response send(Request request) throws IOException, InterruptedException {
    CompletableFuture<Response> f;
    synchronized (pause) {
      if (stopped) {
        throw stoppedException();
      }
      f = client.exchange(request);
      inFlight = f;
    }
    try {
      return f.get();
    } catch (CancellationException e) {
      throw stoppedException();
    } catch (ExecutionException e) {
      if (isStopped()) {
        // Abandoned by stop(): whatever the exchange failed with, it was not the target's doing.
        throw stoppedException();
      }
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    } finally {
      synchronized (pause) {
        inFlight = null;
      }
    }
  }

  private boolean isStopped() {
    synchronized (pause) {
      return stopped;
    }
  }

  private InterruptedException stoppedException() {
    return new InterruptedException("subscription " + def.id() + " stopped");
  }

  /** Holds the next attempt for at least {@code millis}: a later hold wins over an earlier one. */
  private void holdNextAttempt(long millis) {
    synchronized (pause) {
      long at = time.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      if (!paused || at - resumeAtNanos > 0) {
        resumeAtNanos = at;
      }
      paused = true;
    }
  }

  /** Waits until the time a 429 or 503 asked for; returns at once when none is pending. */
  private void awaitRetryAfter() throws InterruptedException {
    synchronized (pause) {
      while (paused && !stopped && time.nanoTime() - resumeAtNanos < 0) {
        time.waitUntil(pause, resumeAtNanos);
      }
      paused = false;
      if (stopped) {
        throw stoppedException();
      }
    }
  }

  /**
   * The subscription is being stopped, and is closed right after: ends a pending wait (a backoff or
   * a {@code Retry-After}) and abandons the request in flight, closing its connection; the handler
   * then throws {@link InterruptedException} once {@code unsubscribed} answers true (the bus counts
   * an exception thrown before as a failed attempt), so the bus leaves the event undelivered and
   * unacknowledged. Stopped before the subscription is closed because closing may wait for the
   * handler: on Kafka it waits, up to the transport's close timeout, for the events the handler
   * holds. Any thread.
   */
  void stop(BooleanSupplier unsubscribed) {
    CompletableFuture<Response> f;
    synchronized (pause) {
      this.unsubscribed = unsubscribed;
      stopped = true;
      pause.notifyAll();
      f = inFlight;
    }
    if (f != null) {
      // Cancelling the exchange's future aborts it (WebhookClient.exchange).
      f.cancel(true);
    }
  }

  /**
   * Waits, briefly, until the subscription is closed: {@link #stop}'s caller closes it at once.
   * Handler thread.
   */
  private void awaitUnsubscribed() {
    BooleanSupplier closed;
    synchronized (pause) {
      closed = unsubscribed;
    }
    long deadline = System.nanoTime() + UNSUBSCRIBE_WAIT.toNanos();
    while (!closed.getAsBoolean() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(100_000);
    }
  }

  boolean isGone() {
    return gone.get();
  }

  long delivered() {
    return delivered.sum();
  }

  long failed() {
    return failed.sum();
  }

  /** The last status the target answered; -1 for no answer; 0 before the first attempt. */
  int lastStatus() {
    return lastStatus;
  }

  /** What the last failed attempt got, or null after a success. */
  String lastError() {
    return lastError;
  }

  /**
   * How long a {@code Retry-After} value asks to wait, at most {@link #MAX_RETRY_AFTER}: {@code
   * delta-seconds} or an HTTP date (RFC 1123); empty when it is neither.
   */
  static OptionalLong retryAfterMillis(String value, long nowEpochMillis) {
    String v = value.trim();
    long max = MAX_RETRY_AFTER.toMillis();
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // Twelve digits of seconds are far beyond the bound, and cannot overflow once in millis.
      return OptionalLong.of(v.length() > 12 ? max : Math.min(max, Long.parseLong(v) * 1000));
    }
    try {
      long at =
          ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return OptionalLong.of(Math.max(0, Math.min(max, at - nowEpochMillis)));
    } catch (DateTimeParseException e) {
      return OptionalLong.empty();
    }
  }

  /** An event as a CloudEvents HTTP binary-mode POST: its headers and body. */
  record Binary(List<Map.Entry<String, String>> headers, String contentType, byte[] body) {
    /** The value of header {@code name}, or null. */
    String header(String name) {
      if (name.equalsIgnoreCase("Content-Type")) {
        return contentType;
      }
      for (Map.Entry<String, String> h : headers) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue();
        }
      }
      return null;
    }

    /** Makes {@code request} this POST. */
    void applyTo(Request request) {
      request.method("POST").headers(h -> headers.forEach(x -> h.add(x.getKey(), x.getValue())));
      // No body is an empty one: Content-Length 0, and no Content-Type.
      request.body(new BytesRequestContent(contentType, body == null ? new byte[0] : body));
    }
  }

  /** The event as a CloudEvents HTTP binary-mode POST. */
  static Binary binaryRequest(Event<?> e) {
    List<Map.Entry<String, String>> h = new ArrayList<>();
    h.add(Map.entry("ce-specversion", Event.SPEC_VERSION));
    h.add(Map.entry("ce-id", headerValue(e.id())));
    h.add(Map.entry("ce-source", headerValue(e.source())));
    h.add(Map.entry("ce-type", e.type()));
    h.add(Map.entry("ce-time", DateTimeFormatter.ISO_INSTANT.format(e.time())));
    if (e.subject() != null) {
      h.add(Map.entry("ce-subject", headerValue(e.subject())));
    }
    if (e.key() != null) {
      h.add(Map.entry("ce-" + Event.PARTITION_KEY, headerValue(e.key())));
    }
    for (Map.Entry<String, String> x : e.extensions().entrySet()) {
      h.add(Map.entry("ce-" + x.getKey(), headerValue(x.getValue())));
    }
    Object data = e.data();
    String type = e.dataContentType();
    byte[] body;
    if (data == null) {
      body = null;
    } else if (data instanceof byte[] bytes) {
      body = bytes;
      type = type == null ? "application/octet-stream" : type;
    } else if (data instanceof String s && type != null && !EventJson.isJson(type)) {
      body = s.getBytes(charset(type));
    } else {
      try {
        body = Json.MAPPER.writeValueAsBytes(data);
      } catch (JsonProcessingException x) {
        throw new IllegalArgumentException(
            "event " + e.id() + ": its data cannot be written as JSON: " + x.getOriginalMessage(),
            x);
      }
      type = type == null ? "application/json" : type;
    }
    return new Binary(List.copyOf(h), body == null ? null : type, body);
  }

  private static Charset charset(String contentType) {
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
        String name = p.substring("charset=".length()).replace("\"", "").trim();
        try {
          return Charset.forName(name);
        } catch (IllegalArgumentException unknown) {
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  /**
   * Percent-encodes what the CloudEvents HTTP binding says a header value must not carry as is:
   * space, {@code "}, {@code %}, and anything outside printable ASCII (as its UTF-8 bytes).
   */
  static String headerValue(String v) {
    boolean plain = true;
    for (int i = 0; i < v.length() && plain; i++) {
      char c = v.charAt(i);
      plain = c > 0x20 && c < 0x7F && c != '"' && c != '%';
    }
    if (plain) {
      return v;
    }
    StringBuilder sb = new StringBuilder(v.length() + 16);
    for (byte x : v.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xFF;
      if (c > 0x20 && c < 0x7F && c != '"' && c != '%') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        sb.append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return sb.toString();
  }
}
