package dev.herald.kafka;

import dev.herald.DeadLetter;
import dev.herald.Event;
import dev.herald.codec.CloudEventsBinary;
import dev.herald.codec.CloudEventsStructured;
import dev.herald.codec.PayloadCodec;
import dev.herald.codec.SubscribedClass;
import dev.herald.codec.UndecodableRecord;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How {@link KafkaTransport} lays an {@link Event} out as a Kafka record, and reads one back. The
 * one place that knows this format.
 *
 * <pre>
 *   timestamp   event time (CreateTime)
 *   key         event key, UTF-8 (null for a keyless event: the producer spreads those)
 *   headers     the CloudEvents binary-mode headers of {@link CloudEventsBinary}
 *               (ce_id, ce_source, ce_specversion, ce_type, ce_time, ce_subject, ce_&lt;extension&gt;,
 *                content-type, herald_class),
 *               and, for a {@value DeadLetter#TYPE} event, the dead letter's facts so that tools see
 *               them without decoding the payload:
 *                 herald_dl_subscription   the subscription that gave up
 *                 herald_dl_attempts       how many times its handler ran, decimal
 *                 herald_dl_cause_type     the last failure's class name
 *                 herald_dl_cause_message  its message, at most 1000 characters (absent when null)
 *                 herald_dl_event_id       the failed event's id
 *                 herald_dl_event_type     the failed event's type
 *   value       the data, in the form its datacontenttype decides ({@link CloudEventsBinary}: the
 *               {@link PayloadCodec}'s bytes, text, or bytes as they are); empty for an event without
 *               data, which CloudEvents readers take as no data (not null: that would be a tombstone on
 *               a compacted topic, and Kafka's consumer hands no null value to a deserializer)
 * </pre>
 *
 * Reading accepts binary mode as above, and structured mode ({@code content-type:
 * application/cloudevents+json}, read by {@link CloudEventsStructured}). {@link #typeOf} reads a
 * binary-mode record's type without decoding it, so that a feed can skip the types its subscription
 * never takes. A record that makes no valid event fails {@link #toEvent}; {@link #placeholder} then
 * makes the event that stands for it: the record's {@code ce_id} and {@code ce_type} when they are
 * readable (for a structured-mode record, its {@code id} and {@code type} as far as the value can
 * be read), else the type {@value UndecodableRecord#TYPE} and an id naming topic, partition and
 * offset; an {@link UndecodableRecord} as data. Stateless and safe for use from any thread.
 */
final class KafkaRecordDescriptor {
  static final String DL_SUBSCRIPTION = "herald_dl_subscription";
  static final String DL_ATTEMPTS = "herald_dl_attempts";
  static final String DL_CAUSE_TYPE = "herald_dl_cause_type";
  static final String DL_CAUSE_MESSAGE = "herald_dl_cause_message";
  static final String DL_EVENT_ID = "herald_dl_event_id";
  static final String DL_EVENT_TYPE = "herald_dl_event_type";
  static final int MAX_CAUSE_MESSAGE_CHARS = 1000;
  static final String UNDECODABLE_SOURCE = "/herald/kafka";
  private static final byte[] STRUCTURED_PREFIX =
      "application/cloudevents".getBytes(StandardCharsets.US_ASCII);
  private static final CloudEventsBinary.HeaderReader<Header> KAFKA_HEADERS =
      new CloudEventsBinary.HeaderReader<>() {
        @Override
        public String name(Header header) {
          return header.key();
        }

        @Override
        public byte[] value(Header header) {
          return header.value();
        }
      };

  private final CloudEventsBinary binary;
  private final CloudEventsStructured structured;

  KafkaRecordDescriptor(PayloadCodec codec, int maxStructuredBytes) {
    this.binary = new CloudEventsBinary(codec);
    this.structured = new CloudEventsStructured(codec, maxStructuredBytes);
  }

  /**
   * The record for {@code event} on {@code topic}.
   *
   * @throws RuntimeException if the codec cannot encode the payload (its exception, unchanged)
   */
  ProducerRecord<byte[], byte[]> toRecord(String topic, Event<?> event) {
    RecordHeaders headers = new RecordHeaders();
    byte[] payload = binary.encode(event, headers::add);
    if (event.data() instanceof DeadLetter d) {
      headers.add(header(DL_SUBSCRIPTION, d.subscription()));
      headers.add(header(DL_ATTEMPTS, Integer.toString(d.attempts())));
      headers.add(header(DL_CAUSE_TYPE, d.causeType()));
      if (d.causeMessage() != null) {
        String msg = d.causeMessage();
        headers.add(
            header(
                DL_CAUSE_MESSAGE,
                msg.length() > MAX_CAUSE_MESSAGE_CHARS
                    ? msg.substring(0, MAX_CAUSE_MESSAGE_CHARS)
                    : msg));
      }
      headers.add(header(DL_EVENT_ID, d.event().id()));
      headers.add(header(DL_EVENT_TYPE, d.event().type()));
    }
    return new ProducerRecord<>(
        topic, null, event.timeMillis(), CloudEventsBinary.key(event), payload, headers);
  }

  /**
   * The event in {@code record}.
   *
   * @throws RuntimeException if the record makes no valid event (damaged or foreign headers, a
   *     structured-mode record without a value, a payload the codec refuses)
   */
  Event<?> toEvent(ConsumerRecord<byte[], byte[]> record) {
    return toEvent(record, isStructured(record));
  }

  /** {@link #toEvent(ConsumerRecord)} for a caller that has read {@link #isStructured} already. */
  Event<?> toEvent(ConsumerRecord<byte[], byte[]> record, boolean structured) {
    return toEvent(record, structured, SubscribedClass.NONE);
  }

  /**
   * {@link #toEvent(ConsumerRecord, boolean)} for a subscription that names {@code subscribed}: a
   * record whose type hint names one of its classes decodes into that class, and one without a hint
   * whose data is JSON into the class the subscription takes unnamed payloads as; either fails if
   * the data cannot become the class. Both modes alike: a structured-mode record's hint is its
   * {@code herald_class} header, which the CloudEvents SDK's serializer leaves beside the value.
   */
  Event<?> toEvent(
      ConsumerRecord<byte[], byte[]> record, boolean structured, SubscribedClass subscribed) {
    if (structured) {
      String hint = subscribed.isNone() ? null : lastString(record, CloudEventsBinary.CLASS);
      return this.structured.decode(record.value(), record.key(), hint, subscribed);
    }
    // A binary-mode record without a value (as the CloudEvents SDK writes no data) is an event
    // without
    // data. Kafka's own headers, read in place: no copy into a BinaryMessage per record.
    return binary.decode(
        record.timestamp(),
        record.key(),
        record.headers(),
        KAFKA_HEADERS,
        record.value(),
        subscribed);
  }

  /** Whether {@code record} names the class of its payload (a type hint), in either mode. */
  static boolean namesClass(ConsumerRecord<?, ?> record) {
    return lastString(record, CloudEventsBinary.CLASS) != null;
  }

  /**
   * The {@code ce_type} of a binary-mode record, read without decoding it; null for a
   * structured-mode record (its type is inside the value) and for one without that header.
   */
  static String typeOf(ConsumerRecord<?, ?> record) {
    return isStructured(record) ? null : lastString(record, CloudEventsBinary.TYPE);
  }

  /**
   * Whether {@code record} is in structured mode: its {@code content-type} starts, ignoring case,
   * with {@code application/cloudevents}, as {@link CloudEventsStructured#isStructured} says, read
   * on the header's bytes without making a string of them.
   */
  static boolean isStructured(ConsumerRecord<?, ?> record) {
    Header h = record.headers().lastHeader(CloudEventsBinary.CONTENT_TYPE);
    byte[] v = h == null ? null : h.value();
    if (v == null || v.length < STRUCTURED_PREFIX.length) {
      return false;
    }
    for (int i = 0; i < STRUCTURED_PREFIX.length; i++) {
      int b = v[i];
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != STRUCTURED_PREFIX[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The {@code ce_type} header of a record known to be in binary mode, null without one: the
   * codec's cached string for these bytes, so a feed that reads it for every record allocates none.
   */
  String binaryType(ConsumerRecord<byte[], byte[]> record) {
    return binary.type(record.headers(), KAFKA_HEADERS);
  }

  /**
   * An event standing for {@code record}, which {@link #toEvent} refused with {@code cause}: the
   * record's {@code ce_id} and {@code ce_type} when its headers give valid ones (so the bus
   * dead-letters it for the subscriptions that take that type), else an id naming its topic,
   * partition and offset and the type {@value UndecodableRecord#TYPE}; an {@link UndecodableRecord}
   * as data either way.
   */
  static Event<UndecodableRecord> placeholder(ConsumerRecord<?, ?> record, Throwable cause) {
    String where =
        record.topic().length() <= 80
            ? record.topic()
            : Integer.toHexString(record.topic().hashCode());
    String id;
    String type;
    if (isStructured(record)) {
      // The id and type are inside the value: read them, so the subscriptions that take the type
      // dead-letter the record, as they do a binary-mode one.
      CloudEventsStructured.Identity known =
          record.value() instanceof byte[] v
              ? CloudEventsStructured.identify(v, CloudEventsStructured.DEFAULT_MAX_BYTES)
              : new CloudEventsStructured.Identity(null, null);
      id = known.id();
      type = known.type();
    } else {
      id = lastString(record, CloudEventsBinary.ID);
      type = typeOf(record);
    }
    return UndecodableRecord.of(record.topic(), record.partition(), record.offset(), cause)
        .placeholder(
            id,
            type,
            "undecodable-" + where + "-" + record.partition() + "-" + record.offset(),
            record.timestamp(),
            UNDECODABLE_SOURCE);
  }

  private static String lastString(ConsumerRecord<?, ?> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
