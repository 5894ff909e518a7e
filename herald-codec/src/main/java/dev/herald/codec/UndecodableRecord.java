package dev.herald.codec;

import dev.herald.Event;
import java.time.Instant;
import java.util.Objects;

/**
 * Describes a stored record that a storing transport (the durable log, Kafka) could not turn back
 * into an event (damaged or foreign headers, a payload the {@link PayloadCodec} refused): the data
 * of the placeholder event it hands to the bus instead ({@link
 * dev.herald.spi.Transport.FeedSink#undecodable}), which the bus dead-letters for every
 * subscription that takes the record's type. One bad record neither stops a feed nor blocks its
 * group, and nobody loses sight of it.
 *
 * @param topic the topic holding the record
 * @param partition the record's partition; 0 on the durable log, whose topics have one
 * @param offset the record's offset in its partition, to read it with the log API, the {@code
 *     herald} tool or a Kafka consumer
 * @param error why it could not be decoded
 */
public record UndecodableRecord(String topic, int partition, long offset, String error)
    implements dev.herald.spi.Transport.UndecodableData {
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

  /** The record at {@code topic}/{@code partition}/{@code offset}, refused with {@code cause}. */
  public static UndecodableRecord of(String topic, int partition, long offset, Throwable cause) {
    return new UndecodableRecord(
        topic, partition, offset, cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  /**
   * The event that stands for this record, to hand to {@link
   * dev.herald.spi.Transport.FeedSink#undecodable}: the record's own {@code id} and {@code type}
   * when its headers gave valid ones (so the bus dead-letters it for the subscriptions that take
   * that type), else the id {@code position} and the type {@value #TYPE}; this record as data.
   *
   * @param id the record's {@code ce_id}, or null if unreadable
   * @param type the record's {@code ce_type}, or null if unreadable
   * @param position an id naming where the record lies, for when its own is unusable
   */
  public Event<UndecodableRecord> placeholder(
      String id, String type, String position, long timestampMillis, String source) {
    Instant time = Instant.ofEpochMilli(Math.max(0, timestampMillis));
    if (id != null && type != null) {
      try {
        return Event.<UndecodableRecord>builder(type)
            .id(id)
            .source(source)
            .time(time)
            .data(this)
            .build();
      } catch (RuntimeException headersUnusable) {
        // Not a valid id or type: name the record by its position instead.
      }
    }
    return Event.<UndecodableRecord>builder(TYPE)
        .id(position)
        .source(source)
        .time(time)
        .data(this)
        .build();
  }
}
