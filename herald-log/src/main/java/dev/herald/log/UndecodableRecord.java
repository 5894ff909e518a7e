package dev.herald.log;

import java.util.Objects;

/**
 * Describes a stored record that {@link LogTransport} could not turn back into an event (damaged or
 * foreign headers, a payload the {@link PayloadCodec} refused): the data of the event that stands for
 * it in a {@link dev.herald.DeadLetter}, so one bad record neither stops a feed nor blocks its group,
 * and nobody loses sight of it.
 *
 * @param topic the log topic holding the record
 * @param offset the record's offset, to read it with the log API or the {@code herald} tool
 * @param error why it could not be decoded
 */
public record UndecodableRecord(String topic, long offset, String error) {
    /** The event type of a record whose own type could not be read. */
    public static final String TYPE = dev.herald.spi.Transport.UNDECODABLE_TYPE;

    public UndecodableRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(error, "error");
    }
}
