package dev.herald.codec;

import java.util.Objects;

/**
 * The payload of a {@value #TYPE} event: a storing transport (the durable log, Kafka) feeds one in place
 * of a stored record it could not turn back into an event (damaged or foreign headers, a payload the
 * {@link PayloadCodec} refused), so one bad record neither stops a feed nor blocks its group. Subscribe
 * to the type with a consumer group to see them ({@code bus.subscribe(UndecodableRecord.TYPE,
 * UndecodableRecord.class, h, options.group(g))}; like every {@code herald.*} type, a subscription by
 * payload class alone does not receive it); other durable subscriptions skip them as acknowledged.
 *
 * @param topic the topic holding the record
 * @param partition the record's partition; 0 on the durable log, whose topics have one
 * @param offset the record's offset in its partition, to read it with the log API, the {@code herald}
 *     tool or a Kafka consumer
 * @param error why it could not be decoded
 */
public record UndecodableRecord(String topic, int partition, long offset, String error) {
    /** The event type of undecodable records. */
    public static final String TYPE = "herald.undecodable";

    public UndecodableRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(error, "error");
    }

    /** An undecodable record of a single-partition topic (the durable log's). */
    public UndecodableRecord(String topic, long offset, String error) {
        this(topic, 0, offset, error);
    }
}
