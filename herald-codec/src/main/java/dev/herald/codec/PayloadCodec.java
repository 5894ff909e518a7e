package dev.herald.codec;

/**
 * Turns event payloads into record bytes and back for Herald's storing transports (the durable log,
 * Kafka), through {@link CloudEventsBinary}. Implementations must be safe for use from any thread:
 * {@link #encode} runs on publishers' threads, {@link #decode} on feed threads.
 *
 * <p>A codec must never use Java native serialization: stored events may be read by another
 * process, another version of the application or a tool, and decoding must not instantiate classes
 * the reader did not choose.
 */
public interface PayloadCodec {

  /**
   * The media type of {@link #encode}'s output, written as the record's {@code content-type} header
   * for an event with data and no datacontenttype of its own. Data declared as this type, or as
   * JSON, or not declared, goes through this codec; {@code text/*} and other types do not ({@link
   * CloudEventsBinary} describes the rule).
   */
  String contentType();

  /**
   * A hint stored beside the payload (header {@code herald_class}) that lets {@link #decode}
   * rebuild the payload's type, or null for none. The default is the payload's class name.
   */
  default String typeHint(Object data) {
    return data == null ? null : data.getClass().getName();
  }

  /**
   * Encodes {@code data}, which may be null.
   *
   * @throws IllegalArgumentException if the payload cannot be encoded; the store fails with it
   */
  byte[] encode(Object data);

  /**
   * Decodes a payload written by {@link #encode}: that of a record with a type hint, or whose
   * datacontenttype is absent, this codec's or JSON. Never called for a record without data (and
   * without a type hint, for an empty payload).
   *
   * @param contentType the record's {@code content-type} header, or null
   * @param typeHint the stored {@link #typeHint}, or null
   * @throws RuntimeException if the bytes cannot be decoded; the feed then delivers an {@link
   *     UndecodableRecord} instead
   */
  Object decode(byte[] payload, String contentType, String typeHint);

  /**
   * Decodes a payload written by {@link #encode} whose type hint names {@code payloadClass}, a
   * class that a subscription names by itself (see {@link SubscribedClass}): since the subscriber's
   * own code chose it, a codec that otherwise rebuilds only the classes it allows decodes into this
   * one as well. The default decodes by the class's name, as {@link #decode} does.
   *
   * @param contentType the record's {@code content-type} header, or null
   * @return an instance of {@code payloadClass}, or null for a null payload
   * @throws RuntimeException if the bytes cannot become a {@code payloadClass} (the feed then
   *     dead-letters the record for the subscription, with this cause)
   */
  default <T> T decodeAs(byte[] payload, String contentType, Class<T> payloadClass) {
    Object data = decode(payload, contentType, payloadClass.getName());
    if (data != null && !payloadClass.isInstance(data)) {
      throw new IllegalArgumentException(
          "payload named " + payloadClass.getName() + " decoded as a " + data.getClass().getName());
    }
    return payloadClass.cast(data);
  }
}
