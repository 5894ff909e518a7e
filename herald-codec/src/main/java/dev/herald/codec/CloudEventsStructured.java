package dev.herald.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.herald.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
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
 * Data is what binary mode ({@link CloudEventsBinary}) reads for the same datacontenttype, so that
 * an event stored from either mode is delivered the same: {@code data} with a JSON (or absent)
 * datacontenttype goes through the {@link PayloadCodec} when the codec speaks JSON (so its
 * allow-list applies; with no type hint it decodes to a generic tree), otherwise it becomes
 * Jackson's generic tree; with a non-JSON datacontenttype {@code data} must be a JSON string, which
 * is that string for a {@code text/*} type and the string's bytes in the type's charset (UTF-8
 * without one) for any other. {@code data_base64} is decoded from base64, then read as its
 * datacontenttype says: through the codec for the codec's own or a JSON type, as a {@code String}
 * in its charset for {@code text/*}, as the raw {@code byte[]} otherwise or without a type. A
 * number extension must be a CloudEvents Integer (32-bit). The key is the transport's record key,
 * else the {@code partitionkey} extension. A datacontenttype equal to the codec's reads back as
 * null, as in binary mode.
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
  // For decodeToStore: the same limits.
  private final JsonFactory streaming;

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
    // An event is one JSON object: content after it makes the value malformed, not ignored.
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.streaming = mapper.getFactory();
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
          if (v.isNumber() && !(v.isIntegralNumber() && v.canConvertToInt())) {
            // CloudEvents has no other number type than Integer, which is 32-bit: a fraction, an
            // exponent or a larger value would be stored as text no consumer reads as sent.
            throw new IllegalArgumentException(
                "extension '"
                    + field.getKey()
                    + "': a number must be a CloudEvents Integer, a whole number from "
                    + Integer.MIN_VALUE
                    + " to "
                    + Integer.MAX_VALUE);
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

  /**
   * The event in {@code value[from, to)}, as {@link #decode decode(value, null)} reads it (the same
   * attributes, or the same refusal), for a caller that stores it again through a JSON {@link
   * PayloadCodec} (the HTTP gateway): JSON data that is an object or an array is not read into
   * objects but kept as compact JSON text, in a {@link JsonNode} that writes that text as it is.
   * That text is what a default Jackson mapper writes for the maps and lists {@link #decode}
   * returns (whitespace dropped, numbers and strings written again as Jackson writes them), so the
   * stored payload is the same; such data names no class ({@link PayloadCodec#typeHint}), as maps
   * and lists do not.
   *
   * <p>One streaming pass over the bytes. An event it does not read that way (duplicate names,
   * {@code data_base64}, data that is a JSON scalar or not JSON, an attribute that is not a string,
   * anything invalid) is read by {@link #decode}, which gives the answer.
   *
   * @throws RuntimeException as {@link #decode} does
   */
  public Event<Object> decodeToStore(byte[] value, int from, int to) {
    if (to - from <= maxBytes && DataForm.isJson(codec.contentType())) {
      try {
        Event<Object> event = readStreaming(value, from, to);
        if (event != null) {
          return event;
        }
      } catch (IOException | RuntimeException notThisWay) {
        // Not dropped: decode() reads the same bytes and answers with the event or the refusal.
      }
    }
    return decode(
        from == 0 && to == value.length ? value : Arrays.copyOfRange(value, from, to), null);
  }

  /**
   * {@code json}, the whole data of an event whose content type is JSON (the body of a binary-mode
   * HTTP request), kept as {@link #decodeToStore} keeps a structured event's data: compact JSON
   * text in a {@link JsonNode} that writes that text as it is, which is what Jackson writes for the
   * tree it would read from these bytes. One streaming pass, under this reader's limits. Null when
   * this pass does not read it: a JSON scalar, an object with a name twice, more than one value,
   * bytes over the limit or anything invalid; the caller then reads the bytes into a tree, which
   * gives the answer (the value, or the refusal).
   */
  public JsonNode compactJsonData(byte[] json) {
    if (json.length > maxBytes) {
      return null;
    }
    try (JsonParser p = streaming.createParser(json)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
        return null;
      }
      String text = compact(p);
      if (text == null || p.nextToken() != null) {
        return null;
      }
      return new POJONode(new RawValue(text));
    } catch (IOException | RuntimeException notThisWay) {
      return null; // read into a tree by the caller, which refuses it with the parser's reason
    }
  }

  /** The event, or null when it is not one that this pass reads (decode() reads it then). */
  private Event<Object> readStreaming(byte[] value, int from, int to) throws IOException {
    String specVersion = null;
    String id = null;
    String type = null;
    String source = null;
    String subject = null;
    String time = null;
    String contentType = null;
    List<String> extensions = null; // name, value, name, value...
    String data = null; // compact JSON text of an object or array; null for none or JSON null
    // A bit per attribute seen: a name given twice is left to decode(), whose tree keeps the last.
    int seen = 0;
    try (JsonParser p = streaming.createParser(value, from, to - from)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String name;
      while ((name = p.nextFieldName()) != null) {
        JsonToken t = p.nextToken();
        int bit = attributeBit(name);
        // (An extension's value equal to this name also counts: decode() then reads it, the same.)
        if ((seen & bit) != 0 || bit == 0 && extensions != null && extensions.contains(name)) {
          return null;
        }
        seen |= bit;
        switch (name) {
          case "specversion", "id", "type", "source" -> {
            if (t != JsonToken.VALUE_STRING) {
              return null;
            }
            String v = p.getText();
            switch (name) {
              case "specversion" -> specVersion = v;
              case "id" -> id = v;
              case "type" -> type = v;
              default -> source = v;
            }
          }
          case "subject", "time", "datacontenttype" -> {
            if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL) {
              return null;
            }
            String v = t == JsonToken.VALUE_NULL ? null : p.getText();
            switch (name) {
              case "subject" -> subject = v;
              case "time" -> time = v;
              default -> contentType = v;
            }
          }
          case "dataschema" -> p.skipChildren();
          case "data" -> {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
              data = compact(p);
              if (data == null) {
                return null;
              }
            } else if (t != JsonToken.VALUE_NULL) {
              return null;
            }
          }
          default -> {
            if (t != JsonToken.VALUE_STRING
                && t != JsonToken.VALUE_TRUE
                && t != JsonToken.VALUE_FALSE) {
              return null; // data_base64, a number, an object: decode() reads (or refuses) them
            }
            if (extensions == null) {
              extensions = new ArrayList<>(4);
            }
            extensions.add(name);
            extensions.add(p.getText());
          }
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
    }
    if (type == null || id == null || source == null) {
      return null;
    }
    if (data != null && contentType != null && !DataForm.isJson(contentType)) {
      return null;
    }
    CloudEventsBinary.requireSpecVersion(specVersion);
    Event.Builder<Object> b =
        Event.<Object>builder(type)
            .id(id)
            .source(source)
            .subject(subject)
            .dataContentType(codec.contentType().equals(contentType) ? null : contentType);
    if (time != null) {
      b.time(OffsetDateTime.parse(time).toInstant());
    }
    if (extensions != null) {
      for (int i = 0; i < extensions.size(); i += 2) {
        b.extension(extensions.get(i), extensions.get(i + 1));
      }
    }
    Object kept = data == null ? null : new POJONode(new RawValue(data));
    return b.data(kept).build();
  }

  private static int attributeBit(String name) {
    return switch (name) {
      case "specversion" -> 1;
      case "id" -> 1 << 1;
      case "type" -> 1 << 2;
      case "source" -> 1 << 3;
      case "subject" -> 1 << 4;
      case "time" -> 1 << 5;
      case "datacontenttype" -> 1 << 6;
      case "dataschema" -> 1 << 7;
      case "data" -> 1 << 8;
      case "data_base64" -> 1 << 9;
      default -> 0;
    };
  }

  /**
   * The object or array at {@code p}'s current token, written again compactly: what Jackson writes
   * for the tree (or the maps and lists) it would read from it. Null when an object in it has a
   * name twice (the tree keeps the last value at the first one's place; decode() reads it).
   */
  private String compact(JsonParser p) throws IOException {
    ByteArrayBuilder out = new ByteArrayBuilder(128);
    try (JsonGenerator g = streaming.createGenerator(out)) {
      // The names of each open object (null for an array), innermost last.
      List<Collection<String>> open = new ArrayList<>(4);
      JsonToken t = p.currentToken();
      while (true) {
        switch (t) {
          case START_OBJECT -> {
            g.writeStartObject();
            open.add(new ArrayList<>(4));
          }
          case START_ARRAY -> {
            g.writeStartArray();
            open.add(null);
          }
          case END_OBJECT -> {
            g.writeEndObject();
            open.remove(open.size() - 1);
          }
          case END_ARRAY -> {
            g.writeEndArray();
            open.remove(open.size() - 1);
          }
          case FIELD_NAME -> {
            String name = p.currentName();
            int top = open.size() - 1;
            Collection<String> names = open.get(top);
            if (names.contains(name)) {
              return null;
            }
            if (names.size() == 16) {
              names = new HashSet<>(names); // a large object: no linear search per name
              open.set(top, names);
            }
            names.add(name);
            g.writeFieldName(name);
          }
          default -> g.copyCurrentEvent(p); // a scalar, written as the tree's node would be
        }
        if (open.isEmpty()) {
          break;
        }
        t = p.nextToken();
        if (t == null) {
          return null;
        }
      }
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
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
        byte[] bytes = base64(base64);
        if (contentType == null) {
          return bytes;
        }
        // What binary mode would read from these bytes as its body: a JSON type through the
        // codec, text as a String in its charset, any other type as the bytes.
        return switch (DataForm.of(contentType, codec.contentType())) {
          case CODEC -> viaCodec(bytes, contentType, hint, subscribed);
          case TEXT -> new String(bytes, charset(contentType));
          case BYTES -> bytes;
        };
      }
      if (data == null || data.isNull()) {
        return null;
      }
      if (contentType == null || DataForm.isJson(contentType)) {
        return DataForm.isJson(codec.contentType()) || subscribed.forHint(hint) != null
            ? viaCodec(mapper.writeValueAsBytes(data), contentType, hint, subscribed)
            : mapper.treeToValue(data, Object.class);
      }
      // A type that is not JSON: the JSON format carries such data as a string (or in
      // data_base64); a JSON object, array, number or boolean is not data of that type.
      if (!data.isTextual()) {
        throw new IllegalArgumentException(
            "data: with the datacontenttype '"
                + contentType
                + "', which is not JSON, data must be a JSON string (or the bytes in"
                + " data_base64), not "
                + kind(data));
      }
      String text = data.asText();
      // As binary mode reads it: text as a String; any other type as the bytes of the text in the
      // datacontenttype's charset (UTF-8 without one).
      return DataForm.of(contentType, codec.contentType()) == DataForm.BYTES
          ? text.getBytes(charset(contentType))
          : text;
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable structured CloudEvent data: " + e.getMessage(), e);
    }
  }

  private static byte[] base64(JsonNode base64) {
    if (!base64.isTextual()) {
      throw new IllegalArgumentException(
          "data_base64: must be a JSON string of base64 (RFC 4648), not " + kind(base64));
    }
    try {
      return Base64.getDecoder().decode(base64.asText());
    } catch (IllegalArgumentException e) {
      // Java's own message ("Illegal base64 character 21") means nothing to the producer.
      throw new IllegalArgumentException(
          "data_base64: not base64 (RFC 4648: A-Z, a-z, 0-9, '+', '/', '=' padding, no line"
              + " breaks)",
          e);
    }
  }

  private static java.nio.charset.Charset charset(String contentType) {
    try {
      return DataForm.charset(contentType);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "datacontenttype: '" + contentType + "' names a charset this reader does not know", e);
    }
  }

  /** What a JSON value is, in JSON's terms, for a message to the producer. */
  private static String kind(JsonNode v) {
    if (v.isObject()) {
      return "a JSON object";
    }
    if (v.isArray()) {
      return "a JSON array";
    }
    if (v.isNumber()) {
      return "a JSON number";
    }
    if (v.isBoolean()) {
      return "a JSON boolean";
    }
    return v.isTextual() ? "a JSON string" : "JSON null";
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
