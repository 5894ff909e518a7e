package dev.herald.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.DeadLetter;
import dev.herald.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link PayloadCodec}: payloads as JSON with Jackson, typed by an allow-list.
 *
 * <p>Encoding writes any Jackson-serialisable payload. Decoding rebuilds the class named by the
 * type hint only when that class is allowed: the JDK's value types ({@code String}, boxed
 * primitives, {@code BigDecimal}, {@code BigInteger}, primitive arrays), {@link DeadLetter}, {@link
 * UndecodableRecord}, and what the user allowed with {@link Builder#allowPackages} or {@link
 * Builder#allowClasses}. A class not allowed is never loaded; its payload decodes to Jackson's
 * generic tree ({@code Map}, {@code List}, {@code String}, numbers, booleans, null). A subscription
 * that names its payload class gets instances of it all the same ({@link #decodeAs}): the
 * allow-list governs the classes that only a record names. Jackson's polymorphic default typing is
 * never enabled.
 *
 * <p>{@link DeadLetter} payloads are written as a JSON object:
 *
 * <pre>
 *   {"event": {"id", "type", "source", "time", "subject", "datacontenttype", "key",
 *              "extensions": {...}, "dataclass", "data"},
 *    "subscription", "attempts", "causeType", "causeMessage", "time"}
 * </pre>
 *
 * The {@code Throwable} is not written; a decoded dead letter has a null {@link
 * DeadLetter#cause()}. Its event's data is decoded by the same allow-list.
 *
 * <p>Immutable and safe for use from any thread.
 */
public final class JsonPayloadCodec implements PayloadCodec {
  /** The content type this codec writes. */
  public static final String CONTENT_TYPE = "application/json";

  private static final Set<String> ALWAYS_ALLOWED =
      Set.of(
          String.class.getName(),
          Integer.class.getName(),
          Long.class.getName(),
          Short.class.getName(),
          Byte.class.getName(),
          Double.class.getName(),
          Float.class.getName(),
          Boolean.class.getName(),
          Character.class.getName(),
          BigDecimal.class.getName(),
          BigInteger.class.getName(),
          int[].class.getName(),
          long[].class.getName(),
          short[].class.getName(),
          byte[].class.getName(),
          double[].class.getName(),
          float[].class.getName(),
          boolean[].class.getName(),
          char[].class.getName(),
          DeadLetter.class.getName(),
          UndecodableRecord.class.getName());
  private static final int MAX_READERS = 1024;

  private final ObjectMapper mapper;
  private final Set<String> allowedClasses;
  private final List<String> allowedPackagePrefixes;
  private final ClassLoader classLoader;
  // Readers of allowed classes by type hint; bounded, past that built per call.
  private final ConcurrentHashMap<String, ObjectReader> readers = new ConcurrentHashMap<>();
  // Readers of the classes subscriptions named; bounded, past that built per call.
  private final ConcurrentHashMap<Class<?>, ObjectReader> subscribedReaders =
      new ConcurrentHashMap<>();

  private JsonPayloadCodec(Builder b) {
    this.mapper = b.mapper;
    this.allowedClasses = Set.copyOf(b.classes);
    this.allowedPackagePrefixes = List.copyOf(b.packagePrefixes);
    this.classLoader = b.classLoader;
  }

  /** A codec that rebuilds only the always-allowed classes. */
  public static JsonPayloadCodec defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  /**
   * {@inheritDoc} A generic JSON tree (Jackson's {@code JsonNode}, or a {@code Map} or {@code List}
   * of a class this codec does not rebuild) names no class: it decodes as a generic tree either
   * way, and without a name a subscription by type with a payload class decodes it into that class
   * ({@link SubscribedClass}), as it does JSON written outside Java.
   */
  @Override
  public String typeHint(Object data) {
    if (data == null || data instanceof JsonNode) {
      return null;
    }
    String name = data.getClass().getName();
    if ((data instanceof Map || data instanceof List) && !allows(name)) {
      return null;
    }
    return name;
  }

  @Override
  public byte[] encode(Object data) {
    try {
      if (data instanceof DeadLetter d) {
        return mapper.writeValueAsBytes(deadLetterTree(d));
      }
      return mapper.writeValueAsBytes(data);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot encode a payload of "
              + (data == null ? "null" : data.getClass().getName())
              + " as JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  /**
   * {@inheritDoc} The content type is not consulted: it carries the event's declared
   * datacontenttype, while this codec wrote the payload, whatever that declares, as JSON.
   */
  @Override
  public Object decode(byte[] payload, String contentType, String typeHint) {
    try {
      ObjectReader reader = typeHint == null ? null : readerFor(typeHint);
      if (reader != null) {
        // An allowed class: straight from the bytes, without building a tree first.
        try (JsonParser parser = mapper.createParser(payload)) {
          JsonToken first = parser.nextToken();
          if (first == null) {
            throw new IllegalArgumentException("empty JSON payload");
          }
          return first == JsonToken.VALUE_NULL ? null : reader.readValue(parser);
        }
      }
      JsonNode tree = mapper.readTree(payload);
      if (tree == null || tree.isMissingNode()) {
        throw new IllegalArgumentException("empty JSON payload");
      }
      return fromTree(tree, typeHint);
    } catch (IOException e) {
      throw new UncheckedIOException("malformed JSON payload: " + e.getMessage(), e);
    }
  }

  /**
   * {@inheritDoc} The class need not be allowed: a subscription named it. A {@link DeadLetter}
   * decodes as {@link #decode} decodes it.
   */
  @Override
  public <T> T decodeAs(byte[] payload, String contentType, Class<T> payloadClass) {
    if (payloadClass == DeadLetter.class) {
      return PayloadCodec.super.decodeAs(payload, contentType, payloadClass);
    }
    try (JsonParser parser = mapper.createParser(payload)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new IllegalArgumentException("empty JSON payload");
      }
      if (first == JsonToken.VALUE_NULL) {
        return null;
      }
      return payloadClass.cast(subscribedReader(payloadClass).readValue(parser));
    } catch (DatabindException e) {
      // Well-formed JSON of another shape: an older version of the class, another producer.
      throw new IllegalArgumentException(
          "payload is not a " + payloadClass.getName() + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("malformed JSON payload: " + e.getMessage(), e);
    }
  }

  private ObjectReader subscribedReader(Class<?> payloadClass) {
    ObjectReader reader = subscribedReaders.get(payloadClass);
    if (reader == null) {
      reader = mapper.readerFor(payloadClass);
      if (subscribedReaders.size() < MAX_READERS) {
        subscribedReaders.putIfAbsent(payloadClass, reader);
      }
    }
    return reader;
  }

  /**
   * The reader of an allowed payload class named by {@code typeHint}, or null when that class is
   * not allowed or is a dead letter (read from a tree). Loaded and built once per class: a feed
   * decodes every record with the same few.
   */
  private ObjectReader readerFor(String typeHint) {
    ObjectReader reader = readers.get(typeHint);
    if (reader != null) {
      return reader;
    }
    if (DeadLetter.class.getName().equals(typeHint) || !allows(typeHint)) {
      return null;
    }
    reader = mapper.readerFor(load(typeHint));
    if (readers.size() < MAX_READERS) {
      readers.putIfAbsent(typeHint, reader);
    }
    return reader;
  }

  /** True when payloads whose type hint is {@code className} decode into that class. */
  public boolean allows(String className) {
    if (ALWAYS_ALLOWED.contains(className) || allowedClasses.contains(className)) {
      return true;
    }
    for (String prefix : allowedPackagePrefixes) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private Object fromTree(JsonNode tree, String typeHint) throws IOException {
    if (tree.isNull()) {
      return null;
    }
    if (DeadLetter.class.getName().equals(typeHint)) {
      return deadLetter(tree);
    }
    if (typeHint != null && allows(typeHint)) {
      return mapper.treeToValue(tree, load(typeHint));
    }
    return mapper.treeToValue(tree, Object.class);
  }

  private Class<?> load(String className) {
    try {
      // Only allowed names reach this point: nothing else is ever loaded or initialised.
      return Class.forName(className, false, classLoader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("allowed payload class not found: " + className, e);
    }
  }

  private ObjectNode deadLetterTree(DeadLetter d) {
    Event<?> e = d.event();
    ObjectNode event = mapper.createObjectNode();
    event.put("id", e.id());
    event.put("type", e.type());
    event.put("source", e.source());
    event.put("time", e.time().toString());
    event.put("subject", e.subject());
    event.put("datacontenttype", e.dataContentType());
    event.put("key", e.key());
    ObjectNode extensions = event.putObject("extensions");
    for (Map.Entry<String, String> x : e.extensions().entrySet()) {
      extensions.put(x.getKey(), x.getValue());
    }
    event.put("dataclass", typeHint(e.data()));
    event.set("data", mapper.valueToTree(e.data()));
    ObjectNode root = mapper.createObjectNode();
    root.set("event", event);
    root.put("subscription", d.subscription());
    root.put("attempts", d.attempts());
    root.put("causeType", d.causeType());
    root.put("causeMessage", d.causeMessage());
    root.put("time", d.time().toString());
    return root;
  }

  private DeadLetter deadLetter(JsonNode root) throws IOException {
    JsonNode e = required(root, "event");
    Event.Builder<Object> b =
        Event.<Object>builder(text(e, "type"))
            .id(text(e, "id"))
            .source(text(e, "source"))
            .time(Instant.parse(text(e, "time")))
            .subject(optionalText(e, "subject"))
            .dataContentType(optionalText(e, "datacontenttype"))
            .key(optionalText(e, "key"));
    JsonNode extensions = e.path("extensions");
    for (Map.Entry<String, JsonNode> x : extensions.properties()) {
      b.extension(x.getKey(), x.getValue().asText());
    }
    JsonNode data = e.path("data");
    Event<Object> event =
        b.data(data.isMissingNode() ? null : fromTree(data, optionalText(e, "dataclass"))).build();
    return new DeadLetter(
        event,
        text(root, "subscription"),
        required(root, "attempts").asInt(),
        text(root, "causeType"),
        optionalText(root, "causeMessage"),
        null,
        Instant.parse(text(root, "time")));
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("dead letter JSON lacks '" + field + "'");
    }
    return v;
  }

  private static String text(JsonNode node, String field) {
    return required(node, field).asText();
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private ObjectMapper mapper =
        new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final Set<String> classes = new HashSet<>();
    private final List<String> packagePrefixes = new ArrayList<>();
    private ClassLoader classLoader = JsonPayloadCodec.class.getClassLoader();

    private Builder() {}

    /**
     * Allows every class in these packages and their subpackages, for example {@code
     * "dev.herald.examples"}.
     */
    public Builder allowPackages(String... packages) {
      for (String p : packages) {
        if (Objects.requireNonNull(p, "package").isBlank()) {
          throw new IllegalArgumentException("package must not be blank");
        }
        packagePrefixes.add(p.endsWith(".") ? p : p + ".");
      }
      return this;
    }

    /** Allows exactly these classes. */
    public Builder allowClasses(Class<?>... allowed) {
      for (Class<?> c : allowed) {
        classes.add(c.getName());
      }
      return this;
    }

    /**
     * The mapper to use, for example with modules registered. The codec never enables default
     * typing on it; do not enable it yourself.
     */
    public Builder objectMapper(ObjectMapper objectMapper) {
      this.mapper = Objects.requireNonNull(objectMapper, "objectMapper");
      return this;
    }

    /** Where allowed classes are loaded from; this codec's loader by default. */
    public Builder classLoader(ClassLoader loader) {
      this.classLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    public JsonPayloadCodec build() {
      return new JsonPayloadCodec(this);
    }
  }
}
