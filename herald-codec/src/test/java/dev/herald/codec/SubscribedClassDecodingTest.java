package dev.herald.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.Event;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoding into the class a subscription names, which the default allow-list does not. */
class SubscribedClassDecodingTest {
  record Placed(String id, long cents) {}

  sealed interface Parcel permits Parcel.Sent, Parcel.Lost {
    record Sent(String id) implements Parcel {}

    record Lost(String id) implements Parcel {}
  }

  private static final JsonPayloadCodec DEFAULTS = JsonPayloadCodec.defaults();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theSubscribedClassDecodesWhileTheAllowListStillGovernsHintsAlone() {
    byte[] json = utf8("{\"id\":\"o-1\",\"cents\":1250}");
    assertThat(DEFAULTS.allows(Placed.class.getName())).isFalse();
    assertThat(DEFAULTS.decodeAs(json, null, Placed.class)).isEqualTo(new Placed("o-1", 1250));
    assertThat(DEFAULTS.decode(json, null, Placed.class.getName()))
        .isEqualTo(Map.of("id", "o-1", "cents", 1250));
    assertThat(DEFAULTS.decodeAs(utf8("null"), null, Placed.class)).isNull();
  }

  @Test
  void aPayloadThatCannotBecomeTheClassFailsNamingIt() {
    assertThatThrownBy(
            () ->
                DEFAULTS.decodeAs(utf8("{\"id\":\"o-1\",\"cents\":\"lots\"}"), null, Placed.class))
        .hasMessageContaining("payload is not a " + Placed.class.getName());
    assertThatThrownBy(() -> DEFAULTS.decodeAs(utf8("\"o-1\""), null, Placed.class))
        .hasMessageContaining(Placed.class.getName());
    assertThatThrownBy(() -> DEFAULTS.decodeAs(utf8("{\"id\": \"1\", cents"), null, Placed.class))
        .hasMessageContaining("malformed JSON");
  }

  @Test
  void aForwardingCodecForwardsTheSubscribedClass() {
    PayloadCodec forwarding = new ForwardingPayloadCodec(DEFAULTS) {};
    assertThat(forwarding.decodeAs(utf8("{\"id\":\"o-1\",\"cents\":5}"), null, Placed.class))
        .isEqualTo(new Placed("o-1", 5));
  }

  @Test
  void aCodecWithoutItsOwnDecodeAsFailsRatherThanHandOverAnotherClass() {
    PayloadCodec mapsOnly =
        new PayloadCodec() {
          @Override
          public String contentType() {
            return "application/json";
          }

          @Override
          public byte[] encode(Object data) {
            return DEFAULTS.encode(data);
          }

          @Override
          public Object decode(byte[] payload, String contentType, String typeHint) {
            return DEFAULTS.decode(payload, contentType, null);
          }
        };
    assertThatThrownBy(
            () -> mapsOnly.decodeAs(utf8("{\"id\":\"o-1\",\"cents\":5}"), null, Placed.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Placed.class.getName());
  }

  @Test
  void aSealedInterfaceNamesItsPermittedClassesOnly() {
    SubscribedClass parcels = SubscribedClass.of(Parcel.class);
    assertThat(parcels.forHint(Parcel.Sent.class.getName())).isEqualTo(Parcel.Sent.class);
    assertThat(parcels.forHint(Parcel.Lost.class.getName())).isEqualTo(Parcel.Lost.class);
    assertThat(parcels.forHint(Placed.class.getName())).isNull();
    assertThat(parcels.forHint(null)).isNull();
    assertThat(SubscribedClass.of(null)).isSameAs(SubscribedClass.NONE);
    assertThat(SubscribedClass.NONE.isNone()).isTrue();
  }

  @Test
  void binaryModeDecodesARecordNamingTheSubscribedClassIntoIt() {
    CloudEventsBinary binary = new CloudEventsBinary(DEFAULTS);
    Event<Parcel> sent = Event.of("parcel.sent", new Parcel.Sent("p-1"));
    BinaryMessage m = binary.encode(sent);
    Event<Object> typed =
        binary.decode(
            m.timestamp(),
            m.key(),
            m.headers(),
            HEADERS,
            m.payload(),
            SubscribedClass.of(Parcel.class));
    assertThat(typed).isEqualTo(sent);
    assertThat(binary.decode(m).data()).isEqualTo(Map.of("id", "p-1"));
    assertThat(binary.typeHint(m.headers(), HEADERS)).isEqualTo(Parcel.Sent.class.getName());
    Event<Object> other =
        binary.decode(
            m.timestamp(),
            m.key(),
            m.headers(),
            HEADERS,
            m.payload(),
            SubscribedClass.of(Placed.class));
    assertThat(other.data()).isEqualTo(Map.of("id", "p-1"));
  }

  @Test
  void aRecordThatNamesNoClassDecodesIntoTheClassOfASubscriptionByTypeOnly() throws Exception {
    CloudEventsBinary binary = new CloudEventsBinary(DEFAULTS);
    // JSON as a producer outside Java sends it: a generic tree, which names no class.
    Object tree =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree("{\"id\":\"o-1\",\"cents\":1250}");
    for (Object data : List.of(tree, Map.of("id", "o-1", "cents", 1250))) {
      BinaryMessage m =
          binary.encode(Event.builder("order.placed").source("/http").data(data).build());
      assertThat(binary.typeHint(m.headers(), HEADERS)).isNull();
      Event<Object> byType =
          binary.decode(
              m.timestamp(),
              m.key(),
              m.headers(),
              HEADERS,
              m.payload(),
              SubscribedClass.of(Placed.class, true));
      assertThat(byType.data()).isEqualTo(new Placed("o-1", 1250));
      Event<Object> byClass =
          binary.decode(
              m.timestamp(),
              m.key(),
              m.headers(),
              HEADERS,
              m.payload(),
              SubscribedClass.of(Placed.class));
      assertThat(byClass.data()).isEqualTo(Map.of("id", "o-1", "cents", 1250));
    }
    // Text stays text: only JSON data becomes the class.
    BinaryMessage text =
        binary.encode(
            Event.builder("order.placed").dataContentType("text/plain").data("o-1").build());
    assertThat(
            binary
                .decode(
                    text.timestamp(),
                    text.key(),
                    text.headers(),
                    HEADERS,
                    text.payload(),
                    SubscribedClass.of(Placed.class, true))
                .data())
        .isEqualTo("o-1");
    // A record that names another class still decodes as the codec decides.
    BinaryMessage named = binary.encode(Event.of("order.placed", 7L));
    assertThat(
            binary
                .decode(
                    named.timestamp(),
                    named.key(),
                    named.headers(),
                    HEADERS,
                    named.payload(),
                    SubscribedClass.of(Placed.class, true))
                .data())
        .isEqualTo(7L);
    assertThat(SubscribedClass.of(Placed.class, true).forHint(null)).isEqualTo(Placed.class);
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
