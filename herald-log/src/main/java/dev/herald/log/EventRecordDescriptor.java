package dev.herald.log;

import dev.herald.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How {@link LogTransport} lays an {@link Event} out as a {@link LogRecord}: the CloudEvents Kafka
 * binary binding, with record headers in place of Kafka headers. The one place that knows this format.
 *
 * <pre>
 *   timestamp      event time, epoch millis
 *   key            event key (CloudEvents partitionkey), UTF-8; absent when the event has none
 *   headers        ce_id, ce_source, ce_specversion, ce_type, ce_time (RFC 3339, UTC, millis),
 *                  ce_subject (when set), ce_&lt;name&gt; for each extension,
 *                  content-type   the event's datacontenttype, or the codec's when it has none,
 *                  herald_class   the codec's type hint for the payload (absent for a null payload)
 *   payload        the data, encoded by the {@link PayloadCodec}
 * </pre>
 *
 * A {@code content-type} equal to the codec's reads back as a null datacontenttype ("decided by the
 * codec"). Stateless and safe for use from any thread.
 */
final class EventRecordDescriptor {
    static final String PREFIX = "ce_";
    static final String ID = "ce_id";
    static final String SOURCE = "ce_source";
    static final String SPEC_VERSION = "ce_specversion";
    static final String TYPE = "ce_type";
    static final String TIME = "ce_time";
    static final String SUBJECT = "ce_subject";
    static final String CONTENT_TYPE = "content-type";
    static final String CLASS = "herald_class";

    private final PayloadCodec codec;

    EventRecordDescriptor(PayloadCodec codec) {
        this.codec = codec;
    }

    /**
     * The record for {@code event}.
     *
     * @throws IllegalArgumentException if the codec cannot encode the payload
     */
    LogRecord toRecord(Event<?> event) {
        List<Header> headers = new ArrayList<>(8 + event.extensions().size());
        headers.add(Header.of(ID, event.id()));
        headers.add(Header.of(SOURCE, event.source()));
        headers.add(Header.of(SPEC_VERSION, Event.SPEC_VERSION));
        headers.add(Header.of(TYPE, event.type()));
        headers.add(Header.of(TIME, event.time().toString()));
        if (event.subject() != null) {
            headers.add(Header.of(SUBJECT, event.subject()));
        }
        for (Map.Entry<String, String> x : event.extensions().entrySet()) {
            headers.add(Header.of(PREFIX + x.getKey(), x.getValue()));
        }
        headers.add(Header.of(CONTENT_TYPE,
                event.dataContentType() != null ? event.dataContentType() : codec.contentType()));
        String hint = codec.typeHint(event.data());
        if (hint != null) {
            headers.add(Header.of(CLASS, hint));
        }
        byte[] key = event.key() == null ? null : event.key().getBytes(StandardCharsets.UTF_8);
        return LogRecord.of(event.timeMillis(), key, headers, codec.encode(event.data()));
    }

    /**
     * The event stored in {@code record}.
     *
     * @throws RuntimeException if the headers do not make a valid event or the codec refuses the payload
     */
    Event<Object> toEvent(LogRecord record) {
        String id = null;
        String source = null;
        String type = null;
        String time = null;
        String subject = null;
        String contentType = null;
        String hint = null;
        List<Header> extensions = new ArrayList<>();
        for (Header h : record.headers()) {
            switch (h.name()) {
                case ID -> id = h.valueAsString();
                case SOURCE -> source = h.valueAsString();
                case TYPE -> type = h.valueAsString();
                case TIME -> time = h.valueAsString();
                case SUBJECT -> subject = h.valueAsString();
                case CONTENT_TYPE -> contentType = h.valueAsString();
                case CLASS -> hint = h.valueAsString();
                case SPEC_VERSION -> requireSpecVersion(h.valueAsString());
                default -> {
                    if (h.name().startsWith(PREFIX)) {
                        extensions.add(h);
                    }
                }
            }
        }
        if (id == null || type == null || source == null || time == null) {
            throw new IllegalArgumentException("record lacks a required CloudEvents header (ce_id, ce_type, "
                    + "ce_source, ce_time)");
        }
        Event.Builder<Object> b = Event.<Object>builder(type)
                .id(id)
                .source(source)
                .time(Instant.parse(time))
                .subject(subject)
                .dataContentType(codec.contentType().equals(contentType) ? null : contentType)
                .key(record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        for (Header h : extensions) {
            b.extension(h.name().substring(PREFIX.length()), h.valueAsString());
        }
        return b.data(codec.decode(record.payload(), contentType, hint)).build();
    }

    private static void requireSpecVersion(String version) {
        if (!Event.SPEC_VERSION.equals(version)) {
            throw new IllegalArgumentException("unsupported CloudEvents specversion " + version);
        }
    }
}
