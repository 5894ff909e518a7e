package dev.herald.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads CloudEvents in structured content mode: the whole event as one JSON object, media type
 * {@value #MEDIA_TYPE}, as producers outside Herald may write it. Herald itself writes binary mode
 * ({@link CloudEventsBinary}); this is the reading half only.
 *
 * <pre>
 *   {"specversion": "1.0", "id": ..., "type": ..., "source": ...,     required
 *    "time": RFC 3339, "subject": ..., "datacontenttype": ...,         optional
 *    "dataschema": ...,                                                ignored
 *    "&lt;extension&gt;": string, number or boolean,                        each an extension attribute
 *    "data": any JSON value  |  "data_base64": base64 string}          at most one of the two
 * </pre>
 *
 * Data: {@code data} with a JSON (or absent) datacontenttype goes through the {@link PayloadCodec}
 * when the codec speaks JSON (so its allow-list applies; with no type hint it decodes to a generic
 * tree), otherwise it becomes Jackson's generic tree; a string {@code data} with a non-JSON
 * datacontenttype is that string. {@code data_base64} is decoded by the codec when the
 * datacontenttype is the codec's, otherwise the event's data is the raw {@code byte[]}. The key is
 * the transport's record key, else the {@code partitionkey} extension. A datacontenttype equal to
 * the codec's reads back as null, as in binary mode.
 *
 * <p>Limits: a value longer than {@link #maxBytes()} is refused before parsing; JSON nesting is
 * limited to {@value #MAX_NESTING_DEPTH} levels; attribute sizes and the number of extensions are
 * checked by {@link Event}'s own rules. Immutable and safe for use from any thread.
 */
public final class CloudEventsStructured {
  /** The media type of structured-mode JSON events (a {@code ; charset=...} suffix is allowed). */
  public static final String MEDIA_TYPE = "application/cloudevents+json";

  /** Default cap on a structured event's size: 1 MiB, Kafka's default record size. */
  public static final int DEFAULT_MAX_BYTES = 1 << 20;

  static final int MAX_NESTING_DEPTH = 64;

  // Reads the id and type of an event that failed: limits as a default reader's.
  private static final ObjectMapper IDENTIFY =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(MAX_NESTING_DEPTH)
                      .maxStringLength(DEFAULT_MAX_BYTES)
                      .build())
              .build());

  private final PayloadCodec codec;
  private final int maxBytes;
  private final ObjectMapper mapper;

  /** A reader with the {@linkplain #DEFAULT_MAX_BYTES default size cap}. */
  public CloudEventsStructured(PayloadCodec codec) {
    this(codec, DEFAULT_MAX_BYTES);
  }

  public CloudEventsStructured(PayloadCodec codec, int maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be > 0: " + maxBytes);
    }
    this.codec = Objects.requireNonNull(codec, "codec");
    this.maxBytes = maxBytes;
    this.mapper =
        new ObjectMapper(
            JsonFactory.builder()
                .streamReadConstraints(
                    StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(maxBytes)
                        .build())
                .build());
  }

  /**
   * True when {@code contentType} (a {@code content-type} header, possibly null) says structured
   * mode.
   */
  public static boolean isStructured(String contentType) {
    return contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("application/cloudevents");
  }

  /** The largest value this reader accepts, in bytes. */
  public int maxBytes() {
    return maxBytes;
  }

  /**
   * The event in {@code value}.
   *
   * @param key the transport's record key, or null
   * @throws RuntimeException if the value is too large, not a JSON object, lacks a required
   *     attribute, breaks an attribute rule, or the codec refuses the data
   */
  public Event<Object> decode(byte[] value, byte[] key) {
    return decode(value, key, null, SubscribedClass.NONE);
  }

  /**
   * The event in {@code value}, for a subscription that names {@code subscribed}: as {@link
   * CloudEventsBinary} decodes a binary-mode message for it, the data goes through {@link
   * PayloadCodec#decodeAs} into the subscribed class that {@code typeHint} names, or, without a
   * hint, into the class the subscription takes unnamed payloads as ({@link
   * SubscribedClass#forHint}); otherwise the codec decides, with the hint.
   *
   * @param key the transport's record key, or null
   * @param typeHint the type hint the transport carries beside the value (Kafka's {@code
   *     herald_class} header), or null
   * @throws RuntimeException as {@link #decode(byte[], byte[])}, and if the data cannot become the
   *     subscribed class
   */
  public Event<Object> decode(
      byte[] value, byte[] key, String typeHint, SubscribedClass subscribed) {
    Objects.requireNonNull(subscribed, "subscribed");
    if (value == null) {
      throw new IllegalArgumentException("structured CloudEvent without a value");
    }
    if (value.length > maxBytes) {
      throw new IllegalArgumentException(
          "structured CloudEvent of "
              + value.length
              + " bytes exceeds the limit of "
              + maxBytes
              + " bytes");
    }
    JsonNode root;
    try {
      root = mapper.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException("malformed structured CloudEvent: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("a structured CloudEvent must be a JSON object");
    }
    CloudEventsBinary.requireSpecVersion(text(root, "specversion"));
    String contentType = optionalText(root, "datacontenttype");
    Event.Builder<Object> b =
        Event.<Object>builder(text(root, "type"))
            .id(text(root, "id"))
            .source(text(root, "source"))
            .subject(optionalText(root, "subject"))
            .dataContentType(codec.contentType().equals(contentType) ? null : contentType);
    String time = optionalText(root, "time");
    if (time != null) {
      b.time(OffsetDateTime.parse(time).toInstant());
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      switch (field.getKey()) {
        case "specversion",
            "id",
            "type",
            "source",
            "subject",
            "time",
            "datacontenttype",
            "dataschema",
            "data",
            "data_base64" -> {}
        default -> {
          JsonNode v = field.getValue();
          if (!v.isValueNode() || v.isNull()) {
            throw new IllegalArgumentException(
                "extension '" + field.getKey() + "' must be a string, number or boolean");
          }
          b.extension(field.getKey(), v.asText());
        }
      }
    }
    if (key != null) {
      b.key(new String(key, StandardCharsets.UTF_8));
    }
    return b.data(data(root, contentType, typeHint, subscribed)).build();
  }

  /**
   * The {@code id} and {@code type} of a structured event that does not decode, as far as they can
   * be read (each null when not), so that a transport's placeholder for it keeps them. Never
   * throws.
   */
  public static Identity identify(byte[] value, int maxBytes) {
    if (value == null || value.length > maxBytes) {
      return new Identity(null, null);
    }
    try {
      JsonNode root = IDENTIFY.readTree(value);
      if (root == null || !root.isObject()) {
        return new Identity(null, null);
      }
      return new Identity(textOrNull(root, "id"), textOrNull(root, "type"));
    } catch (IOException | RuntimeException e) {
      return new Identity(null, null); // the placeholder says why the event did not decode
    }
  }

  /** What {@link #identify} could read of an event; either may be null. */
  public record Identity(String id, String type) {}

  private static String textOrNull(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private Object data(JsonNode root, String contentType, String hint, SubscribedClass subscribed) {
    JsonNode data = root.get("data");
    JsonNode base64 = root.get("data_base64");
    if (data != null && base64 != null) {
      throw new IllegalArgumentException(
          "a structured CloudEvent has both 'data' and 'data_base64'");
    }
    try {
      if (base64 != null && !base64.isNull()) {
        byte[] bytes = Base64.getDecoder().decode(base64.asText());
        return codec.contentType().equals(contentType)
            ? viaCodec(bytes, contentType, hint, subscribed)
            : bytes;
      }
      if (data == null || data.isNull()) {
        return null;
      }
      if (contentType == null || DataForm.isJson(contentType)) {
        return DataForm.isJson(codec.contentType()) || subscribed.forHint(hint) != null
            ? viaCodec(mapper.writeValueAsBytes(data), contentType, hint, subscribed)
            : mapper.treeToValue(data, Object.class);
      }
      return data.isTextual() ? data.asText() : mapper.treeToValue(data, Object.class);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable structured CloudEvent data: " + e.getMessage(), e);
    }
  }

  /** The codec's reading of {@code bytes}: into the subscribed class the hint names, if any. */
  private Object viaCodec(
      byte[] bytes, String contentType, String hint, SubscribedClass subscribed) {
    Class<?> named = subscribed.forHint(hint);
    if (named == null) {
      return codec.decode(bytes, contentType, hint);
    }
    Object data = codec.decodeAs(bytes, contentType, named);
    if (data != null && !named.isInstance(data)) {
      throw new IllegalArgumentException(
          "payload named " + named.getName() + " decoded as a " + data.getClass().getName());
    }
    return data;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull() || !v.isTextual()) {
      throw new IllegalArgumentException(
          "structured CloudEvent lacks the string attribute '" + field + "'");
    }
    return v.asText();
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
