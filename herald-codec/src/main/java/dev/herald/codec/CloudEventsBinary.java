package dev.herald.codec;

import dev.herald.Event;
import dev.herald.internal.transport.TextCache;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How an {@link Event} becomes a {@link BinaryMessage} and back: the CloudEvents Kafka protocol
 * binding, binary content mode, shared by every storing transport (the durable log's records,
 * Kafka's records). The one place that knows this layout.
 *
 * <pre>
 *   timestamp      event time, epoch millis
 *   key            event key (CloudEvents partitionkey), UTF-8; absent (null) when the event has none
 *   headers        ce_specversion  "1.0"
 *                  ce_id, ce_source, ce_type
 *                  ce_time         RFC 3339, UTC, millisecond precision
 *                  ce_subject      when set
 *                  ce_&lt;name&gt;       one per extension attribute (correlationid, traceparent, ...)
 *                  content-type    the event's datacontenttype; the codec's when it has none and has data;
 *                                  absent when it has neither
 *                  herald_class    the codec's type hint, for data the codec wrote (absent otherwise)
 *   payload        the data, in the form its datacontenttype decides (below); empty for no data
 * </pre>
 *
 * <p>An empty payload reads as no data whatever the form, as an empty HTTP body does: so text data
 * {@code ""} and data of no bytes read back as no data (null).
 *
 * <p>The datacontenttype (its media type, parameters aside, ignoring case) decides the payload's
 * form:
 *
 * <pre>
 *   none, the codec's own, or JSON       the {@link PayloadCodec}'s bytes (JSON for {@link JsonPayloadCodec});
 *     (application/json, text/json,      an empty payload reads as no data
 *      any type/subtype+json)
 *   text/*                               a String in the charset parameter's encoding (UTF-8 without one)
 *   any other                            a byte[], as it is
 * </pre>
 *
 * Writing data of another class under a text or other type fails ({@link
 * IllegalArgumentException}): text data is a {@code String}, other data a {@code byte[]}, so that
 * any CloudEvents reader gets the bytes the type declares, and this reader gives back what was
 * written.
 *
 * <p>Reading: {@code ce_specversion}, {@code ce_id}, {@code ce_source} and {@code ce_type} are
 * required; without {@code ce_time} the event's time is the message's timestamp (the current time
 * if that is negative too); a null payload (a Kafka record without a value) is no data; a message
 * with a {@code herald_class} header had its payload written by the codec, whatever its content
 * type (so records that earlier versions wrote, all through the codec, read as before). A {@code
 * content-type} equal to the codec's reads back as a null datacontenttype ("decided by the codec");
 * headers not starting with {@code ce_} other than the two above are ignored, as is {@code
 * ce_dataschema} (Herald events do not carry a schema URI); a {@code ce_partitionkey} header
 * supplies the key when the message has none; a header without a value counts as absent.
 *
 * <p>Safe for use from any thread; its only state is two bounded caches of the header values that
 * repeat from event to event (type, source, content type, type hint), encoded and decoded once.
 */
public final class CloudEventsBinary {
  /** Prefix of every CloudEvents attribute header. */
  public static final String PREFIX = "ce_";

  public static final String ID = "ce_id";
  public static final String SOURCE = "ce_source";
  public static final String SPEC_VERSION = "ce_specversion";
  public static final String TYPE = "ce_type";
  public static final String TIME = "ce_time";
  public static final String SUBJECT = "ce_subject";

  /** Not carried by Herald events; ignored when read. */
  public static final String DATA_SCHEMA = "ce_dataschema";

  /** The datacontenttype attribute (the binding maps it to the transport's content type header). */
  public static final String CONTENT_TYPE = "content-type";

  /** Herald's own: the codec's type hint, so the reader rebuilds the payload's class. */
  public static final String CLASS = "herald_class";

  private static final byte[] SPEC_VERSION_VALUE = utf8(Event.SPEC_VERSION);
  private static final byte[] NO_DATA = new byte[0];
  private static final int MAX_REPEATED = 4096;

  private final PayloadCodec codec;
  private final String codecContentTypeText;
  private final byte[] codecContentType;
  private final ConcurrentHashMap<String, byte[]> repeatedValues = new ConcurrentHashMap<>();
  private final TextCache repeatedTexts = new TextCache(256);

  public CloudEventsBinary(PayloadCodec codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.codecContentTypeText = Objects.requireNonNull(codec.contentType(), "codec content type");
    this.codecContentType = utf8(codecContentTypeText);
  }

  /** The payload codec. */
  public PayloadCodec codec() {
    return codec;
  }

  /**
   * The message for {@code event}.
   *
   * @throws IllegalArgumentException if the codec cannot encode the payload
   */
  public BinaryMessage encode(Event<?> event) {
    List<BinaryMessage.Header> headers = new ArrayList<>(8 + event.extensions().size());
    byte[] payload =
        encode(event, (name, value) -> headers.add(new BinaryMessage.Header(name, value)));
    return new BinaryMessage(event.timeMillis(), key(event), headers, payload);
  }

  /**
   * Receives the headers of an event's message, in the order of the layout above, so that a
   * transport builds its own header objects directly (Kafka's {@code RecordHeaders}, the log's
   * headers) instead of copying them from a {@link BinaryMessage}.
   */
  @FunctionalInterface
  public interface HeaderSink {
    /**
     * One header. {@code value} may be shared with other messages (values that repeat, such as the
     * spec version, the type, the content type, are encoded once): never modify it.
     */
    void header(String name, byte[] value);
  }

  /**
   * Hands {@code event}'s headers to {@code headers} and returns its payload, encoded by the codec.
   * The message's timestamp is {@link Event#timeMillis()} and its key {@link #key(Event)}.
   *
   * @throws IllegalArgumentException if the codec cannot encode the payload
   */
  public byte[] encode(Event<?> event, HeaderSink headers) {
    headers.header(ID, utf8(event.id()));
    headers.header(SOURCE, repeated(event.source()));
    headers.header(SPEC_VERSION, SPEC_VERSION_VALUE);
    headers.header(TYPE, repeated(event.type()));
    headers.header(TIME, Rfc3339.utf8(event.timeMillis()));
    if (event.subject() != null) {
      headers.header(SUBJECT, utf8(event.subject()));
    }
    for (Map.Entry<String, String> x : event.extensions().entrySet()) {
      headers.header(PREFIX + x.getKey(), utf8(x.getValue()));
    }
    Object data = event.data();
    String declared = event.dataContentType();
    if (data == null) {
      if (declared != null) {
        headers.header(CONTENT_TYPE, repeated(declared));
      }
      return NO_DATA;
    }
    switch (DataForm.of(declared, codecContentTypeText)) {
      case TEXT -> {
        if (!(data instanceof String text)) {
          throw wrongData(declared, "a String", data);
        }
        headers.header(CONTENT_TYPE, repeated(declared));
        return text.getBytes(DataForm.charset(declared));
      }
      case BYTES -> {
        if (!(data instanceof byte[] bytes)) {
          throw wrongData(declared, "a byte[]", data);
        }
        headers.header(CONTENT_TYPE, repeated(declared));
        return bytes;
      }
      default -> {
        headers.header(CONTENT_TYPE, declared != null ? repeated(declared) : codecContentType);
        String hint = codec.typeHint(data);
        if (hint != null) {
          headers.header(CLASS, repeated(hint));
        }
        return codec.encode(data);
      }
    }
  }

  private static IllegalArgumentException wrongData(
      String contentType, String expected, Object data) {
    return new IllegalArgumentException(
        "data of datacontenttype '"
            + contentType
            + "' must be "
            + expected
            + ", not a "
            + data.getClass().getName());
  }

  /** The message key of {@code event}: its key in UTF-8, or null when it has none. */
  public static byte[] key(Event<?> event) {
    return event.key() == null ? null : utf8(event.key());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The UTF-8 bytes of a value that repeats from event to event (a type, a source, a class name),
   * encoded once. Bounded: past {@link #MAX_REPEATED} distinct values, new ones are encoded each
   * time.
   */
  private byte[] repeated(String value) {
    byte[] b = repeatedValues.get(value);
    if (b == null) {
      b = utf8(value);
      if (repeatedValues.size() < MAX_REPEATED) {
        repeatedValues.putIfAbsent(value, b);
      }
    }
    return b;
  }

  /**
   * The event carried by {@code message}.
   *
   * @throws RuntimeException if the headers do not make a valid event or the codec refuses the
   *     payload
   */
  public Event<Object> decode(BinaryMessage message) {
    return decode(
        message.timestamp(), message.key(), message.headers(), MESSAGE_HEADERS, message.payload());
  }

  /**
   * Reads the name and value of a transport's own header objects, so that {@link #decode(long,
   * byte[], Iterable, HeaderReader, byte[])} takes them as they are, without a copy into a {@link
   * BinaryMessage} per record. Implementations must be stateless.
   *
   * @param <H> the transport's header type
   */
  public interface HeaderReader<H> {
    String name(H header);

    /** The value, or null for a header present without one (read as absent). */
    byte[] value(H header);
  }

  private static final HeaderReader<BinaryMessage.Header> MESSAGE_HEADERS =
      new HeaderReader<>() {
        @Override
        public String name(BinaryMessage.Header header) {
          return header.name();
        }

        @Override
        public byte[] value(BinaryMessage.Header header) {
          return header.value();
        }
      };

  /**
   * The event carried by a message given in parts: what {@link #decode(BinaryMessage)} reads, with
   * the headers as the transport holds them.
   *
   * @param payload the encoded data; null for none (a Kafka record without a value)
   * @throws RuntimeException if the headers do not make a valid event or the codec refuses the
   *     payload
   */
  public <H> Event<Object> decode(
      long timestamp,
      byte[] key,
      Iterable<H> headers,
      HeaderReader<? super H> reader,
      byte[] payload) {
    return decode(timestamp, key, headers, reader, payload, SubscribedClass.NONE);
  }

  /**
   * The event carried by a message given in parts, for a subscription that names {@code
   * subscribed}: what {@link #decode(long, byte[], Iterable, HeaderReader, byte[])} reads, except
   * that a payload whose type hint names one of {@code subscribed}'s classes decodes into that
   * class ({@link PayloadCodec#decodeAs}), allowed by the codec or not.
   *
   * @throws RuntimeException if the headers do not make a valid event, the codec refuses the
   *     payload, or a payload named as a subscribed class cannot become one
   */
  public <H> Event<Object> decode(
      long timestamp,
      byte[] key,
      Iterable<H> headers,
      HeaderReader<? super H> reader,
      byte[] payload,
      SubscribedClass subscribed) {
    Objects.requireNonNull(subscribed, "subscribed");
    boolean specVersion = false;
    String id = null;
    String source = null;
    String type = null;
    String time = null;
    String subject = null;
    String contentType = null;
    String hint = null;
    List<String> extensions = null; // name, value, name, value...: most events have none
    for (H h : headers) {
      byte[] bytes = reader.value(h);
      if (bytes == null) {
        continue;
      }
      String name = reader.name(h);
      switch (name) {
        case ID -> id = text(bytes);
        case SOURCE -> source = repeatedTexts.text(bytes);
        case TYPE -> type = repeatedTexts.text(bytes);
        case TIME -> time = text(bytes);
        case SUBJECT -> subject = text(bytes);
        case CONTENT_TYPE -> contentType = repeatedTexts.text(bytes);
        case CLASS -> hint = repeatedTexts.text(bytes);
        case SPEC_VERSION -> {
          if (!Arrays.equals(bytes, SPEC_VERSION_VALUE)) {
            requireSpecVersion(text(bytes));
          }
          specVersion = true;
        }
        case DATA_SCHEMA -> {}
        default -> {
          if (name.startsWith(PREFIX)) {
            if (extensions == null) {
              extensions = new ArrayList<>(4);
            }
            extensions.add(name);
            extensions.add(text(bytes));
          }
        }
      }
    }
    if (!specVersion || id == null || type == null || source == null) {
      throw new IllegalArgumentException(
          "message lacks required CloudEvents headers:"
              + missing(specVersion, SPEC_VERSION)
              + missing(id != null, ID)
              + missing(source != null, SOURCE)
              + missing(type != null, TYPE));
    }
    Event.Builder<Object> b =
        Event.<Object>builder(type)
            .id(id)
            .source(source)
            .subject(subject)
            .dataContentType(codecContentTypeText.equals(contentType) ? null : contentType);
    if (time != null) {
      b.time(Rfc3339.parse(time));
    } else if (timestamp >= 0) {
      b.time(Instant.ofEpochMilli(timestamp));
    }
    if (extensions != null) {
      for (int i = 0; i < extensions.size(); i += 2) {
        b.extension(extensions.get(i).substring(PREFIX.length()), extensions.get(i + 1));
      }
    }
    if (key != null) {
      b.key(new String(key, StandardCharsets.UTF_8));
    }
    return b.data(data(payload, contentType, hint, subscribed)).build();
  }

  private Object data(byte[] payload, String contentType, String hint, SubscribedClass subscribed) {
    if (payload == null) {
      return null;
    }
    if (hint != null) {
      Class<?> named = subscribed.forHint(hint);
      return named == null
          ? codec.decode(payload, contentType, hint)
          : decodeAs(payload, contentType, named);
    }
    if (payload.length == 0) {
      // No data in every form, as the HTTP binding reads an empty body: an event without data but
      // with a datacontenttype is written so, and reads back so rather than as "" or no bytes.
      return null;
    }
    return switch (DataForm.of(contentType, codecContentTypeText)) {
      case TEXT -> new String(payload, DataForm.charset(contentType));
      case BYTES -> payload;
      case CODEC -> {
        // No type hint: a producer outside Java; a subscription by type may name the class.
        Class<?> named = subscribed.forHint(null);
        yield named == null
            ? codec.decode(payload, contentType, null)
            : decodeAs(payload, contentType, named);
      }
    };
  }

  private static String missing(boolean present, String header) {
    return present ? "" : " " + header;
  }

  /** {@link PayloadCodec#decodeAs}, holding a codec that overrides it to its contract. */
  private Object decodeAs(byte[] payload, String contentType, Class<?> payloadClass) {
    Object data = codec.decodeAs(payload, contentType, payloadClass);
    if (data != null && !payloadClass.isInstance(data)) {
      throw new IllegalArgumentException(
          "payload named " + payloadClass.getName() + " decoded as a " + data.getClass().getName());
    }
    return data;
  }

  /**
   * The {@code ce_type} of a message without decoding it (to skip a type no subscriber takes), or
   * null when it has none. Types repeat: the same string comes back for the same bytes, mostly
   * without allocating.
   */
  public <H> String type(Iterable<H> headers, HeaderReader<? super H> reader) {
    return repeatedHeader(TYPE, headers, reader);
  }

  /**
   * The type hint ({@code herald_class}) of a message without decoding it, to tell which {@link
   * SubscribedClass} it names, or null when it has none. Cached as {@link #type} is.
   */
  public <H> String typeHint(Iterable<H> headers, HeaderReader<? super H> reader) {
    return repeatedHeader(CLASS, headers, reader);
  }

  private <H> String repeatedHeader(
      String name, Iterable<H> headers, HeaderReader<? super H> reader) {
    String value = null;
    for (H h : headers) {
      byte[] bytes;
      if (name.equals(reader.name(h)) && (bytes = reader.value(h)) != null) {
        value = repeatedTexts.text(bytes); // the last one with a value wins, as in decode
      }
    }
    return value;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static void requireSpecVersion(String version) {
    if (!Event.SPEC_VERSION.equals(version)) {
      throw new IllegalArgumentException("unsupported CloudEvents specversion " + version);
    }
  }
}
