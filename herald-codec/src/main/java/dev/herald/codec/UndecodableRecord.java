package dev.herald.codec;

import java.util.Objects;

/**
 * Describes a stored record that a storing transport (the durable log, Kafka) could not turn back into
 * an event (damaged or foreign headers, a payload the {@link PayloadCodec} refused): the data of the
 * placeholder event it hands to the bus instead ({@link dev.herald.spi.Transport.FeedSink#undecodable}),
 * which the bus dead-letters for every subscription that takes the record's type. One bad record
 * neither stops a feed nor blocks its group, and nobody loses sight of it.
 *
 * @param topic the topic holding the record
 * @param partition the record's partition; 0 on the durable log, whose topics have one
 * @param offset the record's offset in its partition, to read it with the log API, the {@code herald}
 *     tool or a Kafka consumer
 * @param error why it could not be decoded
 */
public record UndecodableRecord(String topic, int partition, long offset, String error) {
    /** The event type of a placeholder whose record's own type could not be read. */
    public static final String TYPE = dev.herald.spi.Transport.UNDECODABLE_TYPE;

    public UndecodableRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(error, "error");
    }

    /** An undecodable record of a single-partition topic (the durable log's). */
    public UndecodableRecord(String topic, long offset, String error) {
        this(topic, 0, offset, error);
    }
}
