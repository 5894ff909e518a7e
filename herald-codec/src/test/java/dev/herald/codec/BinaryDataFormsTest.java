package dev.herald.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The datacontenttype decides how binary mode lays the data out, and data and time are optional.
 */
class BinaryDataFormsTest {
  static final CloudEventsBinary BINARY = new CloudEventsBinary(JsonPayloadCodec.defaults());
  static final Instant TIME = Instant.parse("2026-01-02T03:04:05.678Z");

  @Test
  void textDataIsWrittenAsItsCharactersAndReadBackAsAString() {
    Event<String> e =
        Event.<String>builder("note.x")
            .source("/s")
            .time(TIME)
            .dataContentType("text/plain")
            .data("hello, world")
            .build();
    BinaryMessage m = BINARY.encode(e);
    assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("hello, world");
    assertThat(headers(m))
        .containsEntry("content-type", "text/plain")
        .doesNotContainKey("herald_class");
    assertThat(BINARY.decode(m)).isEqualTo(e);
  }

  @Test
  void textDataHonoursTheCharsetParameter() {
    Event<String> e =
        Event.<String>builder("note.x")
            .source("/s")
            .time(TIME)
            .dataContentType("text/plain; charset=\"ISO-8859-1\"")
            .data("café")
            .build();
    BinaryMessage m = BINARY.encode(e);
    assertThat(m.payload()).containsExactly('c', 'a', 'f', 0xe9);
    assertThat(BINARY.decode(m).data()).isEqualTo("café");
    BinaryMessage unknown =
        message("text/plain;charset=no-such-charset", "x".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> BINARY.decode(unknown)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void otherDataIsWrittenAsItsBytesAndReadBackAsBytes() {
    Event<byte[]> e =
        Event.<byte[]>builder("blob.x")
            .source("/s")
            .time(TIME)
            .dataContentType("application/octet-stream")
            .data(new byte[] {0, 1, (byte) 0xff})
            .build();
    BinaryMessage m = BINARY.encode(e);
    assertThat(m.payload()).containsExactly(0, 1, 0xff);
    assertThat(headers(m))
        .containsEntry("content-type", "application/octet-stream")
        .doesNotContainKey("herald_class");
    assertThat((byte[]) BINARY.decode(m).data()).containsExactly(0, 1, 0xff);
  }

  @Test
  void jsonTypesGoThroughTheCodec() {
    Event<Map<String, Integer>> e =
        Event.<Map<String, Integer>>builder("order.x")
            .source("/s")
            .time(TIME)
            .dataContentType("application/vnd.shop.order+json")
            .data(Map.of("n", 1))
            .build();
    BinaryMessage m = BINARY.encode(e);
    assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
    assertThat(BINARY.decode(m).data()).isEqualTo(Map.of("n", 1));
    assertThat(
            BINARY
                .decode(
                    message(
                        "Application/JSON ; charset=utf-8", "[1]".getBytes(StandardCharsets.UTF_8)))
                .data())
        .isEqualTo(List.of(1));
    assertThat(DataForm.of("text/json", "application/json")).isEqualTo(DataForm.CODEC);
    assertThat(DataForm.of("TEXT/Plain", "application/json")).isEqualTo(DataForm.TEXT);
    assertThat(DataForm.of("application/xml", "application/json")).isEqualTo(DataForm.BYTES);
  }

  @Test
  void dataThatDoesNotFitItsDeclaredTypeIsRefused() {
    Event<Integer> text =
        Event.<Integer>builder("n.x").dataContentType("text/plain").data(7).build();
    assertThatThrownBy(() -> BINARY.encode(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a String");
    Event<String> bytes =
        Event.<String>builder("n.x").dataContentType("image/png").data("png").build();
    assertThatThrownBy(() -> BINARY.encode(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a byte[]");
  }

  @Test
  void noDataIsAnEmptyPayloadWithoutContentType() {
    Event<Object> e = Event.builder("ping.x").source("/s").time(TIME).build();
    BinaryMessage m = BINARY.encode(e);
    assertThat(m.payload()).isEmpty();
    assertThat(headers(m)).doesNotContainKeys("content-type", "herald_class");
    assertThat(BINARY.decode(m)).isEqualTo(e);
    // A Kafka record without a value, declared type or not.
    assertThat(BINARY.decode(0, null, m.headers(), HEADERS, null).data()).isNull();
    assertThat(BINARY.decode(0, null, message("text/plain", null).headers(), HEADERS, null).data())
        .isNull();
  }

  @Test
  void anEmptyPayloadIsNoDataWhateverTheType() {
    for (String type : List.of("text/plain", "application/octet-stream", "application/json")) {
      Event<Object> e =
          Event.builder("empty.x").source("/s").time(TIME).dataContentType(type).build();
      BinaryMessage m = BINARY.encode(e);
      assertThat(m.payload()).isEmpty();
      assertThat(BINARY.decode(m).data()).as(type).isNull();
      assertThat(BINARY.decode(message(type, new byte[0])).data()).as(type).isNull();
    }
  }

  @Test
  void withoutTimeTheEventTakesTheMessagesTimestamp() {
    List<BinaryMessage.Header> headers = new ArrayList<>(required());
    Event<Object> e =
        BINARY.decode(new BinaryMessage(TIME.toEpochMilli(), null, headers, new byte[0]));
    assertThat(e.time()).isEqualTo(TIME);
  }

  @Test
  void aMessageWithoutSpecVersionIsRefused() {
    List<BinaryMessage.Header> headers = new ArrayList<>(required());
    headers.removeIf(h -> h.name().equals("ce_specversion"));
    assertThatThrownBy(() -> BINARY.decode(new BinaryMessage(0, null, headers, new byte[0])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ce_specversion");
  }

  @Test
  void aRecordWhosePayloadTheCodecWroteReadsThroughItWhateverItsType() {
    // As earlier versions wrote every payload: JSON, with a type hint, under the declared type.
    List<BinaryMessage.Header> headers = new ArrayList<>(required());
    headers.add(BinaryMessage.Header.of("content-type", "text/plain"));
    headers.add(BinaryMessage.Header.of("herald_class", String.class.getName()));
    Event<Object> e =
        BINARY.decode(
            new BinaryMessage(
                0, null, headers, "\"hello, world\"".getBytes(StandardCharsets.UTF_8)));
    assertThat(e.data()).isEqualTo("hello, world");
  }

  private static List<BinaryMessage.Header> required() {
    return List.of(
        BinaryMessage.Header.of("ce_specversion", "1.0"),
        BinaryMessage.Header.of("ce_id", "x-1"),
        BinaryMessage.Header.of("ce_source", "/s"),
        BinaryMessage.Header.of("ce_type", "t.x"));
  }

  private static BinaryMessage message(String contentType, byte[] payload) {
    List<BinaryMessage.Header> headers = new ArrayList<>(required());
    headers.add(BinaryMessage.Header.of("content-type", contentType));
    return new BinaryMessage(0, null, headers, payload == null ? new byte[0] : payload);
  }

  private static Map<String, String> headers(BinaryMessage m) {
    Map<String, String> out = new HashMap<>();
    m.headers().forEach(h -> out.put(h.name(), h.valueAsString()));
    return out;
  }

  private static final CloudEventsBinary.HeaderReader<BinaryMessage.Header> HEADERS =
      new CloudEventsBinary.HeaderReader<>() {
        @Override
        public String name(BinaryMessage.Header header) {
          return header.name();
        }

        @Override
        public byte[] value(BinaryMessage.Header header) {
          return header.value();
        }
      };
}
