package dev.herald;

import dev.herald.internal.EventClock;
import dev.herald.internal.EventIds;
import dev.herald.internal.Names;
import dev.herald.internal.RoutingMarks;
import java.lang.invoke.MethodHandles;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable event envelope: what happened ({@link #type()}), where ({@link #source()}), when
 * ({@link #time()}), under which unique {@link #id()}, with which payload ({@link #data()}).
 *
 * <p>Attribute names and rules follow CloudEvents 1.0 so that every transport maps an event one to
 * one onto a CloudEvents binding:
 *
 * <ul>
 *   <li>{@code id}: non-blank, at most {@value #MAX_ID_LENGTH} printable ASCII characters without
 *       spaces. Generated when not given: a UUID version 7 string, so ids sort by creation time.
 *   <li>{@code type}: dot-separated segments of {@code [A-Za-z0-9_-]}, for example {@code
 *       order.placed}; at most {@value #MAX_TYPE_LENGTH} characters. The wildcards {@code *} and
 *       {@code #} belong to subscription patterns and are not allowed in a type.
 *   <li>{@code source}: a non-blank URI-reference (as {@link java.net.URI} parses one: an absolute
 *       URI such as {@code https://example.com/shop} or a relative reference such as {@code
 *       /shop/orders}), at most {@value #MAX_SOURCE_LENGTH} characters, {@value #DEFAULT_SOURCE} by
 *       default.
 *   <li>{@code time}: when the event was created, millisecond precision, within the years 0000 to
 *       9999 (what RFC 3339, the CloudEvents time format, can write). Generated when not given,
 *       from the system's wall clock; while events are created at high rates (above about a
 *       thousand a second) Herald reads that clock once a millisecond on a thread of its own rather
 *       than on every creation, where the read costs about as much as the rest of an emit, so a
 *       generated time is never ahead of the wall clock and may lag it by about a millisecond (more
 *       if the machine keeps that thread from running). For a time read at the very moment, give
 *       {@link Builder#time}{@code (Instant.now())}.
 *   <li>{@code datacontenttype}: optional; a media type as RFC 2045 and RFC 2046 write one ({@code
 *       type/subtype}, then any {@code ;name=value} parameters, a value being a token or a quoted
 *       string), at most 255 characters, whose {@code charset} parameter, if any, names a charset
 *       this JVM supports. Null (the default) leaves the data's form to the codec.
 *   <li>{@code key}: optional ordering key; the CloudEvents partitioning extension {@code
 *       partitionkey}. Events with the same key keep their order wherever order is promised.
 *   <li>extensions: further attributes, names of 1 to 20 lowercase letters or digits (the
 *       CloudEvents rule), values non-null strings of at most {@value #MAX_EXTENSION_VALUE_LENGTH}
 *       characters. Well-known ones: {@link #CORRELATION_ID}, {@link #CAUSATION_ID}, {@link
 *       #TRACEPARENT}, {@link #TRACESTATE}.
 * </ul>
 *
 * <p>Invalid attributes fail at construction with an {@link IllegalArgumentException} that names
 * the attribute. Instances are safe to share between threads. The payload is shared, not copied:
 * make it immutable.
 *
 * @param <T> the payload type
 */
public final class Event<T> {
  /** CloudEvents spec version this envelope follows. */
  public static final String SPEC_VERSION = "1.0";

  /** Source used when none is given. */
  public static final String DEFAULT_SOURCE = "/herald";

  /** Extension carrying the id shared by every event of one business flow. */
  public static final String CORRELATION_ID = "correlationid";

  /** Extension carrying the id of the event that caused this one. */
  public static final String CAUSATION_ID = "causationid";

  /** W3C trace context extension (CloudEvents distributed tracing extension). */
  public static final String TRACEPARENT = "traceparent";

  /** W3C trace state extension. */
  public static final String TRACESTATE = "tracestate";

  /** CloudEvents partitioning extension that carries {@link #key()} on the wire. */
  public static final String PARTITION_KEY = "partitionkey";

  public static final int MAX_ID_LENGTH = 128;
  public static final int MAX_TYPE_LENGTH = 255;
  public static final int MAX_SOURCE_LENGTH = 2048;
  public static final int MAX_KEY_LENGTH = 1024;
  public static final int MAX_EXTENSIONS = 64;
  public static final int MAX_EXTENSION_VALUE_LENGTH = 4096;

  // The generated id is kept as two longs and rendered on first use: publishing an event
  // allocates nothing but the event itself.
  private final long idHigh;
  private final long idLow;
  private String id;
  private final String type;
  private final String source;
  private final long timeMillis;
  private final String subject;
  private final String dataContentType;
  private final String key;
  private final Map<String, String> extensions;
  private final T data;

  // How many publishers are offering this event to mailboxes right now (one event may be published
  // by several threads at once): a lane does not run a handler on an event still being routed, so
  // that an effect of it cannot overtake it at another subscription. Engine state, not an
  // attribute: reached by dev.herald.internal through the handle installed below.
  @SuppressWarnings("unused")
  private volatile int routing;

  static {
    try {
      RoutingMarks.install(MethodHandles.lookup().findVarHandle(Event.class, "routing", int.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Event(Builder<T> b, long nowMillis) {
    this.type = Names.requireType(b.type);
    this.source = b.source == null ? DEFAULT_SOURCE : Names.requireSource(b.source);
    this.timeMillis = b.time == null ? nowMillis : Names.requireTime(b.time);
    if (b.id == null) {
      this.idHigh = EventIds.high(this.timeMillis);
      this.idLow = EventIds.low();
    } else {
      this.idHigh = 0;
      this.idLow = 0;
      this.id = Names.requireId(b.id);
    }
    this.subject =
        b.subject == null ? null : Names.requireText("subject", b.subject, MAX_SOURCE_LENGTH);
    this.dataContentType =
        b.dataContentType == null
            ? null
            : Names.requireMediaType("datacontenttype", b.dataContentType, 255);
    this.key = b.key == null ? null : Names.requireText("key", b.key, MAX_KEY_LENGTH);
    this.extensions =
        b.extensions == null || b.extensions.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(b.extensions));
    this.data = b.data;
  }

  private Event(String type, T data, long nowMillis) {
    this.type = Names.requireType(type);
    this.source = DEFAULT_SOURCE;
    this.timeMillis = nowMillis;
    this.idHigh = EventIds.high(nowMillis);
    this.idLow = EventIds.low();
    this.subject = null;
    this.dataContentType = null;
    this.key = null;
    this.extensions = Map.of();
    this.data = data;
  }

  /** An event of the given type and payload, with a generated id and the current time. */
  public static <T> Event<T> of(String type, T data) {
    return new Event<>(type, data, EventClock.SYSTEM.millis());
  }

  /** An event of the given type, payload and ordering key. */
  public static <T> Event<T> of(String type, String key, T data) {
    return Event.<T>builder(type).key(key).data(data).build();
  }

  /** A builder for an event of the given type. */
  public static <T> Builder<T> builder(String type) {
    return new Builder<T>().type(type);
  }

  /**
   * A builder for an event caused by {@code cause}: it carries the cause's correlation id (or the
   * cause's id when it had none), the cause's id as causation id, its key and trace context ({@code
   * traceparent}, with its {@code tracestate}).
   */
  public static <T> Builder<T> causedBy(Event<?> cause, String type) {
    Builder<T> b = new Builder<T>().type(type).key(cause.key);
    b.extension(CORRELATION_ID, cause.correlationId() != null ? cause.correlationId() : cause.id());
    b.extension(CAUSATION_ID, cause.id());
    String trace = cause.extensions.get(TRACEPARENT);
    if (trace != null) {
      b.extension(TRACEPARENT, trace);
      // The state belongs to that trace context: copied with it, never without it.
      String state = cause.extensions.get(TRACESTATE);
      if (state != null) {
        b.extension(TRACESTATE, state);
      }
    }
    return b;
  }

  /** A builder holding every attribute of this event, to derive a modified copy. */
  public Builder<T> toBuilder() {
    Builder<T> b = new Builder<T>().type(type).id(id()).source(source).time(time());
    b.subject = subject;
    b.dataContentType = dataContentType;
    b.key = key;
    b.extensions = extensions.isEmpty() ? null : new LinkedHashMap<>(extensions);
    b.data = data;
    return b;
  }

  public String id() {
    String s = id;
    if (s == null) {
      // Benign race: every thread renders the same string from the same two final longs.
      s = EventIds.render(idHigh, idLow);
      id = s;
    }
    return s;
  }

  public String type() {
    return type;
  }

  public String source() {
    return source;
  }

  public Instant time() {
    return Instant.ofEpochMilli(timeMillis);
  }

  /** The creation time in milliseconds since the epoch. */
  public long timeMillis() {
    return timeMillis;
  }

  /** The CloudEvents {@code subject}, or null. */
  public String subject() {
    return subject;
  }

  /** The CloudEvents {@code datacontenttype}, or null (meaning: decided by the codec). */
  public String dataContentType() {
    return dataContentType;
  }

  /** The ordering key, or null. */
  public String key() {
    return key;
  }

  /** The extension attributes (never the key), unmodifiable, in insertion order. */
  public Map<String, String> extensions() {
    return extensions;
  }

  /** The value of one extension attribute, or null. */
  public String extension(String name) {
    return extensions.get(name);
  }

  public String correlationId() {
    return extensions.get(CORRELATION_ID);
  }

  public String causationId() {
    return extensions.get(CAUSATION_ID);
  }

  public T data() {
    return data;
  }

  /** This event with another payload; every attribute, the id included, is kept. */
  public <R> Event<R> withData(R newData) {
    Builder<R> b = new Builder<R>().type(type).id(id()).source(source).time(time());
    b.subject = subject;
    b.dataContentType = dataContentType;
    b.key = key;
    b.extensions = extensions.isEmpty() ? null : new LinkedHashMap<>(extensions);
    b.data = newData;
    return b.build();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Event)) {
      return false;
    }
    Event<?> e = (Event<?>) o;
    return id().equals(e.id())
        && type.equals(e.type)
        && source.equals(e.source)
        && timeMillis == e.timeMillis
        && Objects.equals(subject, e.subject)
        && Objects.equals(dataContentType, e.dataContentType)
        && Objects.equals(key, e.key)
        && extensions.equals(e.extensions)
        && Objects.equals(data, e.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id(), type, source);
  }

  @Override
  public String toString() {
    return "Event{id="
        + id()
        + ", type="
        + type
        + ", source="
        + source
        + ", time="
        + time()
        + (key == null ? "" : ", key=" + key)
        + (extensions.isEmpty() ? "" : ", extensions=" + extensions)
        + ", data="
        + data
        + '}';
  }

  /**
   * Builds an {@link Event}. Not safe for use from multiple threads. Validation happens in {@link
   * #build()}, which names the offending attribute.
   */
  public static final class Builder<T> {
    private String type;
    private String id;
    private String source;
    private Instant time;
    private String subject;
    private String dataContentType;
    private String key;
    private Map<String, String> extensions;
    private T data;

    private Builder() {}

    public Builder<T> type(String type) {
      this.type = type;
      return this;
    }

    /** Sets the id; when never called, a time-ordered id is generated. */
    public Builder<T> id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    public Builder<T> source(String source) {
      this.source = source;
      return this;
    }

    public Builder<T> time(Instant time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    public Builder<T> subject(String subject) {
      this.subject = subject;
      return this;
    }

    public Builder<T> dataContentType(String dataContentType) {
      this.dataContentType = dataContentType;
      return this;
    }

    /** The ordering key (CloudEvents {@code partitionkey}), or null for none. */
    public Builder<T> key(String key) {
      this.key = key;
      return this;
    }

    /**
     * Sets an extension attribute. Setting {@link #PARTITION_KEY} sets the key; the CloudEvents
     * core attribute names are refused.
     *
     * @throws IllegalArgumentException if the name or the value breaks the rules in {@link Event}
     */
    public Builder<T> extension(String name, String value) {
      Names.requireExtension(name, value);
      if (PARTITION_KEY.equals(name)) {
        return key(value);
      }
      if (extensions == null) {
        extensions = new LinkedHashMap<>();
      }
      if (extensions.size() >= MAX_EXTENSIONS && !extensions.containsKey(name)) {
        throw new IllegalArgumentException(
            "extensions: at most " + MAX_EXTENSIONS + " extension attributes per event");
      }
      extensions.put(name, value);
      return this;
    }

    public Builder<T> correlationId(String correlationId) {
      return extension(CORRELATION_ID, correlationId);
    }

    public Builder<T> causationId(String causationId) {
      return extension(CAUSATION_ID, causationId);
    }

    public Builder<T> traceparent(String traceparent) {
      return extension(TRACEPARENT, traceparent);
    }

    @SuppressWarnings("unchecked")
    public <R> Builder<R> data(R data) {
      Builder<R> self = (Builder<R>) this;
      self.data = data;
      return self;
    }

    /**
     * Builds the event.
     *
     * @throws IllegalArgumentException naming the attribute that is invalid
     */
    public Event<T> build() {
      return new Event<>(this, EventClock.SYSTEM.millis());
    }
  }
}
