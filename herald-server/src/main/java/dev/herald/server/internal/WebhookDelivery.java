package dev.herald.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.herald.Event;
import dev.herald.EventHandler;
import dev.herald.TimeSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

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
 * <p>Threads: {@link #handle} runs on the subscription's own single thread; the counters and {@link
 * #stop} are for any thread.
 */
final class WebhookDelivery implements EventHandler<Object> {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

  private final WebhookDefinition def;
  private final HttpClient client;
  private final WebhookTargets targets;
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

  WebhookDelivery(
      WebhookDefinition def,
      HttpClient client,
      WebhookTargets targets,
      TimeSource time,
      boolean gone,
      Runnable onGone) {
    this.def = def;
    this.client = client;
    this.targets = targets;
    this.time = time;
    this.gone = new AtomicBoolean(gone);
    this.onGone = onGone;
  }

  @Override
  public void handle(Event<Object> event) throws Exception {
    if (gone.get()) {
      throw new WebhookGoneException(
          "the target answered 410 Gone before: subscription " + def.id() + " is stopped");
    }
    awaitRetryAfter();
    Optional<String> refused = targets.refusal(def.url());
    if (refused.isPresent()) {
      // Checked again before each delivery: the name may resolve elsewhere than when it was made.
      failed.increment();
      lastStatus = -1;
      lastError = "refused: " + refused.get();
      throw new WebhookDeliveryException(-1, "POST " + def.url() + " not sent: " + refused.get());
    }
    HttpRequest request = binaryRequest(def.url(), event);
    HttpResponse<InputStream> r;
    try {
      r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      failed.increment();
      lastStatus = -1;
      lastError = WebhookHandshake.describe(e);
      throw new WebhookDeliveryException(-1, "POST " + def.url() + " failed: " + lastError);
    }
    // The body is not read: closing it bounds what a target can make the gateway read or wait for.
    r.body().close();
    int status = r.statusCode();
    lastStatus = status;
    if (status / 100 == 2) {
      delivered.increment();
      lastError = null;
      return;
    }
    failed.increment();
    lastError = "answered " + status;
    if (status == 410) {
      if (gone.compareAndSet(false, true)) {
        onGone.run();
      }
      throw new WebhookGoneException(
          "POST " + def.url() + " answered 410 Gone: subscription " + def.id() + " is stopped");
    }
    if (status == 429 || status == 503) {
      r.headers()
          .firstValue("Retry-After")
          .ifPresent(v -> retryAfterMillis(v, time.epochMillis()).ifPresent(this::holdNextAttempt));
    }
    throw new WebhookDeliveryException(status, "POST " + def.url() + " answered " + status);
  }

  private void holdNextAttempt(long millis) {
    synchronized (pause) {
      paused = true;
      resumeAtNanos = time.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
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
        throw new InterruptedException("subscription " + def.id() + " stopped");
      }
    }
  }

  /** Ends a pending Retry-After wait: the subscription is being stopped. Any thread. */
  void stop() {
    synchronized (pause) {
      stopped = true;
      pause.notifyAll();
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

  /** The event as a CloudEvents HTTP binary-mode POST to {@code url}. */
  static HttpRequest binaryRequest(URI url, Event<?> e) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(TIMEOUT);
    b.header("ce-specversion", Event.SPEC_VERSION);
    b.header("ce-id", headerValue(e.id()));
    b.header("ce-source", headerValue(e.source()));
    b.header("ce-type", e.type());
    b.header("ce-time", DateTimeFormatter.ISO_INSTANT.format(e.time()));
    if (e.subject() != null) {
      b.header("ce-subject", headerValue(e.subject()));
    }
    if (e.key() != null) {
      b.header("ce-" + Event.PARTITION_KEY, headerValue(e.key()));
    }
    for (Map.Entry<String, String> x : e.extensions().entrySet()) {
      b.header("ce-" + x.getKey(), headerValue(x.getValue()));
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
    if (body == null) {
      b.POST(HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", type);
      b.POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }
    return b.build();
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
