package dev.herald.log;

import java.util.Objects;

/**
 * The payload of a {@value #TYPE} event: {@link LogTransport} feeds one in place of a stored record it
 * could not turn back into an event (damaged or foreign headers, a payload the {@link PayloadCodec}
 * refused), so one bad record neither stops a feed nor blocks its group. Subscribe to the type with a
 * consumer group to see them ({@code bus.subscribe(UndecodableRecord.TYPE, UndecodableRecord.class, h,
 * options.group(g))}; like every {@code herald.*} type, a subscription by payload class alone does not
 * receive it); other durable subscriptions skip them as acknowledged.
 *
 * @param topic the log topic holding the record
 * @param offset the record's offset, to read it with the log API or the {@code herald} tool
 * @param error why it could not be decoded
 */
public record UndecodableRecord(String topic, long offset, String error) {
    /** The event type of undecodable records. */
    public static final String TYPE = "herald.undecodable";

    public UndecodableRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(error, "error");
    }
}
