package dev.herald.log;

import dev.herald.Event;
import dev.herald.codec.CloudEventsBinary;
import dev.herald.codec.PayloadCodec;
import dev.herald.codec.SubscribedClass;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link LogTransport} lays an {@link Event} out as a {@link LogRecord}: one record per event,
 * the record's timestamp, key, headers and payload being those of the event's CloudEvents
 * binary-mode message, whose layout {@link CloudEventsBinary} describes ({@code ce_*} headers,
 * {@code content-type}, {@code herald_class}). This class only moves the fields between the two
 * shapes. Stateless and safe for use from any thread.
 */
final class EventRecordDescriptor {
  private static final CloudEventsBinary.HeaderReader<Header> LOG_HEADERS =
      new CloudEventsBinary.HeaderReader<>() {
        @Override
        public String name(Header header) {
          return header.name();
        }

        @Override
        public byte[] value(Header header) {
          return header.value();
        }
      };

  private final CloudEventsBinary binary;

  EventRecordDescriptor(PayloadCodec codec) {
    this.binary = new CloudEventsBinary(codec);
  }

  /**
   * The record for {@code event}.
   *
   * @throws IllegalArgumentException if the codec cannot encode the payload
   */
  LogRecord toRecord(Event<?> event) {
    List<Header> headers = new ArrayList<>(10);
    byte[] payload = binary.encode(event, (name, value) -> headers.add(Header.of(name, value)));
    return LogRecord.of(event.timeMillis(), CloudEventsBinary.key(event), headers, payload);
  }

  /**
   * The event stored in {@code record}.
   *
   * @throws RuntimeException if the headers do not make a valid event or the codec refuses the
   *     payload
   */
  Event<Object> toEvent(LogRecord record) {
    return toEvent(record, SubscribedClass.NONE);
  }

  /**
   * The event stored in {@code record}, for a subscription that names {@code subscribed}: a payload
   * named as one of its classes becomes an instance of that class.
   *
   * @throws RuntimeException if the headers do not make a valid event, the codec refuses the
   *     payload, or a payload named as a subscribed class cannot become one
   */
  Event<Object> toEvent(LogRecord record, SubscribedClass subscribed) {
    // The record's own headers, read in place: no copy into a BinaryMessage per record.
    return binary.decode(
        record.timestamp(),
        record.key(),
        record.headers(),
        LOG_HEADERS,
        record.payload(),
        subscribed);
  }

  /**
   * The type hint ({@code herald_class}) of {@code record}, read without decoding it; null when it
   * has none.
   */
  String typeHint(LogRecord record) {
    return binary.typeHint(record.headers(), LOG_HEADERS);
  }

  /** The {@code ce_type} of {@code record}, read without decoding it; null when it has none. */
  String type(LogRecord record) {
    return binary.type(record.headers(), LOG_HEADERS);
  }
}
