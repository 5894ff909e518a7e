package dev.herald.bench.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * What an application using kafka-clients directly would write to send an {@link Order} as a
 * CloudEvents Kafka binary-mode record, and to read it back: the baseline Herald's own mapping is
 * measured against. The same attributes as Herald writes ({@code ce_id} a random UUID string,
 * {@code ce_source}, {@code ce_specversion}, {@code ce_type}, {@code ce_time} in RFC 3339, {@code
 * content-type}), no key, the payload as JSON by Jackson; Herald adds its {@code herald_class} type
 * hint. Reading parses every attribute (the time too) and the JSON back into an {@link Order}.
 * Stateless apart from the thread-safe mapper: safe for use from any thread.
 */
final class PlainCloudEvents {
  static final String SOURCE = "/bench/plain";
  private static final byte[] SOURCE_BYTES = SOURCE.getBytes(StandardCharsets.UTF_8);
  private static final byte[] SPEC_VERSION = "1.0".getBytes(StandardCharsets.UTF_8);
  private static final byte[] TYPE = Order.TYPE.getBytes(StandardCharsets.UTF_8);
  private static final byte[] JSON = "application/json".getBytes(StandardCharsets.UTF_8);

  /** An attribute-complete event as read back. */
  record Decoded(String id, String source, String type, Instant time, Order order) {}

  private final ObjectMapper mapper = new ObjectMapper();

  ProducerRecord<byte[], byte[]> toRecord(String topic, Order order) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String id = new UUID(random.nextLong(), random.nextLong()).toString();
    long now = System.currentTimeMillis();
    List<Header> headers = new ArrayList<>(6);
    headers.add(new RecordHeader("ce_id", id.getBytes(StandardCharsets.UTF_8)));
    headers.add(new RecordHeader("ce_source", SOURCE_BYTES));
    headers.add(new RecordHeader("ce_specversion", SPEC_VERSION));
    headers.add(new RecordHeader("ce_type", TYPE));
    headers.add(
        new RecordHeader(
            "ce_time", Instant.ofEpochMilli(now).toString().getBytes(StandardCharsets.UTF_8)));
    headers.add(new RecordHeader("content-type", JSON));
    try {
      return new ProducerRecord<>(topic, null, now, null, mapper.writeValueAsBytes(order), headers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Decoded decode(ConsumerRecord<byte[], byte[]> record) {
    String id = null;
    String source = null;
    String type = null;
    Instant time = null;
    for (Header h : record.headers()) {
      String value = new String(h.value(), StandardCharsets.UTF_8);
      switch (h.key()) {
        case "ce_id" -> id = value;
        case "ce_source" -> source = value;
        case "ce_type" -> type = value;
        case "ce_time" -> time = Instant.parse(value);
        case "ce_specversion" -> {
          if (!value.equals("1.0")) {
            throw new IllegalArgumentException("specversion " + value);
          }
        }
        default -> {}
      }
    }
    if (id == null || source == null || type == null || time == null) {
      throw new IllegalArgumentException("not a CloudEvent: " + record);
    }
    try {
      return new Decoded(id, source, type, time, mapper.readValue(record.value(), Order.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
