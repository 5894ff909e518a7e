package dev.herald.codec;

/**
 * Turns event payloads into record bytes and back for Herald's storing transports (the durable log,
 * Kafka), through {@link CloudEventsBinary}. Implementations must be safe for use from any thread:
 * {@link #encode} runs on publishers' threads, {@link #decode} on feed threads.
 *
 * <p>A codec must never use Java native serialization: stored events may be read by another process,
 * another version of the application or a tool, and decoding must not instantiate classes the reader
 * did not choose.
 */
public interface PayloadCodec {

    /** The media type of {@link #encode}'s output, written as the record's {@code content-type} header. */
    String contentType();

    /**
     * A hint stored beside the payload (header {@code herald_class}) that lets {@link #decode} rebuild the
     * payload's type, or null for none. The default is the payload's class name.
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
     * Decodes a payload written by {@link #encode}.
     *
     * @param contentType the record's {@code content-type} header, or null
     * @param typeHint the stored {@link #typeHint}, or null
     * @throws RuntimeException if the bytes cannot be decoded; the feed then delivers an
     *         {@link UndecodableRecord} instead
     */
    Object decode(byte[] payload, String contentType, String typeHint);
}
