package dev.herald.codec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * An event as a CloudEvents binary-mode message, before a transport frames it: a timestamp, an
 * optional key, ordered headers and the payload, all bytes. What {@link CloudEventsBinary} writes
 * and reads; the durable log stores it as a log record, Kafka as a producer record. Immutable
 * value; byte arrays are not copied, so a caller must not modify them after handing them over.
 *
 * @param timestamp the event time, epoch milliseconds
 * @param key the event key as UTF-8, or null when the event has none
 * @param headers the headers, in order
 * @param payload the encoded data; never null (a null payload is what the codec writes for null)
 */
public record BinaryMessage(long timestamp, byte[] key, List<Header> headers, byte[] payload) {
  public BinaryMessage {
    headers = List.copyOf(headers);
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * One name/value pair of a {@link BinaryMessage}. A null value stands for a header that is
   * present without a value (Kafka allows that); readers treat it as absent.
   */
  public record Header(String name, byte[] value) {
    public Header {
      Objects.requireNonNull(name, "name");
    }

    /** A header whose value is the UTF-8 encoding of {@code value}. */
    public static Header of(String name, String value) {
      return new Header(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The value decoded as UTF-8, or null when there is none. */
    public String valueAsString() {
      return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
  }
}
