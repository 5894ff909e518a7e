package dev.herald.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.log.Header;
import dev.herald.log.LogRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * How a {@link LogRecord} is shown as one JSON object: {@code offset}, {@code timestamp}
 * (ISO-8601), {@code key} (UTF-8 text, or {@code keyBase64}), {@code headers} (name to UTF-8 value;
 * a value that is not UTF-8 goes to {@code headersBase64}; a repeated name keeps its last value)
 * and {@code payload} (the JSON value when the payload is JSON, else UTF-8 text, else {@code
 * payloadBase64}). Stateless; any thread.
 */
final class Json {
  static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  static ObjectNode record(LogRecord r) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("offset", r.offset());
    node.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
    if (r.key() == null) {
      node.putNull("key");
    } else {
      Optional<String> key = utf8(r.key());
      if (key.isPresent()) {
        node.put("key", key.get());
      } else {
        node.put("keyBase64", Base64.getEncoder().encodeToString(r.key()));
      }
    }
    ObjectNode headers = node.putObject("headers");
    ObjectNode binaryHeaders = null;
    for (Header h : r.headers()) {
      Optional<String> value = utf8(h.value());
      if (value.isPresent()) {
        headers.put(h.name(), value.get());
      } else {
        if (binaryHeaders == null) {
          binaryHeaders = MAPPER.createObjectNode();
        }
        binaryHeaders.put(h.name(), Base64.getEncoder().encodeToString(h.value()));
      }
    }
    if (binaryHeaders != null) {
      node.set("headersBase64", binaryHeaders);
    }
    Optional<String> text = utf8(r.payload());
    if (text.isEmpty()) {
      node.put("payloadBase64", Base64.getEncoder().encodeToString(r.payload()));
    } else {
      node.set("payload", parse(text.get()).orElseGet(() -> node.textNode(text.get())));
    }
    return node;
  }

  private static Optional<JsonNode> parse(String text) {
    if (text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(MAPPER.readTree(text));
    } catch (JsonProcessingException e) {
      return Optional.empty(); // not JSON: shown as text
    }
  }

  /** The bytes decoded as strict UTF-8, or empty when they are not valid UTF-8. */
  static Optional<String> utf8(byte[] bytes) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
