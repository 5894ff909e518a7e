package dev.herald.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudEventsTest {
  record Order(String id, int amount) {}

  static final JsonPayloadCodec CODEC =
      JsonPayloadCodec.builder().allowClasses(Order.class).build();

  @Test
  void binaryModeRoundTripsEveryAttribute() {
    Event<Order> full =
        Event.<Order>builder("order.placed")
            .id("o-1")
            .source("/shop")
            .time(Instant.parse("2026-01-02T03:04:05.678Z"))
            .subject("orders/1")
            .key("customer-7")
            .correlationId("flow-1")
            .extension("tenant", "eu1")
            .data(new Order("1", 5))
            .build();
    CloudEventsBinary binary = new CloudEventsBinary(CODEC);
    BinaryMessage m = binary.encode(full);
    assertThat(new String(m.key(), StandardCharsets.UTF_8)).isEqualTo("customer-7");
    assertThat(m.headers())
        .extracting(BinaryMessage.Header::name)
        .containsExactly(
            "ce_id",
            "ce_source",
            "ce_specversion",
            "ce_type",
            "ce_time",
            "ce_subject",
            "ce_correlationid",
            "ce_tenant",
            "content-type",
            "herald_class");
    assertThat(binary.decode(m)).isEqualTo(full);
  }

  @Test
  void binaryModeIgnoresHeadersWithoutValueAndTakesThePartitionKeyHeader() {
    List<BinaryMessage.Header> headers =
        List.of(
            BinaryMessage.Header.of("ce_id", "x"),
            BinaryMessage.Header.of("ce_source", "/s"),
            BinaryMessage.Header.of("ce_specversion", "1.0"),
            BinaryMessage.Header.of("ce_type", "t.x"),
            BinaryMessage.Header.of("ce_time", "2026-01-02T03:04:05Z"),
            new BinaryMessage.Header("ce_subject", null),
            BinaryMessage.Header.of("ce_partitionkey", "k1"),
            BinaryMessage.Header.of("ce_dataschema", "urn:x"),
            BinaryMessage.Header.of("content-type", "application/json"));
    Event<Object> e =
        new CloudEventsBinary(CODEC)
            .decode(new BinaryMessage(0, null, headers, "42".getBytes(StandardCharsets.UTF_8)));
    assertThat(e.key()).isEqualTo("k1");
    assertThat(e.subject()).isNull();
    assertThat(e.data()).isEqualTo(42);
  }

  @Test
  void structuredModeReadsAttributesExtensionsAndData() {
    String json =
        """
                {"specversion":"1.0","id":"s-1","type":"order.placed","source":"/other","time":"2026-01-02T04:04:05+01:00",
                 "subject":"orders/9","datacontenttype":"application/json","tenant":"eu1","count":3,
                 "data":{"id":"9","amount":90}}""";
    Event<Object> e =
        new CloudEventsStructured(CODEC)
            .decode(json.getBytes(StandardCharsets.UTF_8), "k".getBytes(StandardCharsets.UTF_8));
    assertThat(e.id()).isEqualTo("s-1");
    assertThat(e.time()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    assertThat(e.subject()).isEqualTo("orders/9");
    assertThat(e.dataContentType()).isNull();
    assertThat(e.key()).isEqualTo("k");
    assertThat(e.extensions()).containsEntry("tenant", "eu1").containsEntry("count", "3");
    assertThat(e.data()).isEqualTo(Map.of("id", "9", "amount", 90));
  }

  @Test
  void structuredModeReadsBase64AndTextData() {
    String b64 =
        """
                {"specversion":"1.0","id":"b","type":"blob.x","source":"/s","datacontenttype":"application/octet-stream",
                 "data_base64":"AQID"}""";
    assertThat(
            (byte[])
                new CloudEventsStructured(CODEC)
                    .decode(b64.getBytes(StandardCharsets.UTF_8), null)
                    .data())
        .containsExactly(1, 2, 3);
    String text =
        """
                {"specversion":"1.0","id":"t","type":"text.x","source":"/s","datacontenttype":"text/plain","data":"hi"}""";
    assertThat(
            new CloudEventsStructured(CODEC)
                .decode(text.getBytes(StandardCharsets.UTF_8), null)
                .data())
        .isEqualTo("hi");
  }

  @Test
  void structuredModeRefusesWhatBreaksTheRulesOrTheLimits() {
    CloudEventsStructured reader = new CloudEventsStructured(CODEC, 200);
    assertThatThrownBy(() -> reader.decode(new byte[201], null))
        .hasMessageContaining("limit of 200 bytes");
    assertThatThrownBy(
            () ->
                reader.decode(
                    "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/s\"}"
                        .getBytes(StandardCharsets.UTF_8),
                    null))
        .hasMessageContaining("'type'");
    assertThatThrownBy(
            () ->
                reader.decode(
                    "{\"specversion\":\"0.3\",\"id\":\"x\",\"type\":\"t\",\"source\":\"/s\"}"
                        .getBytes(StandardCharsets.UTF_8),
                    null))
        .hasMessageContaining("specversion");
    assertThatThrownBy(() -> reader.decode("[1]".getBytes(StandardCharsets.UTF_8), null))
        .hasMessageContaining("JSON object");
    assertThat(CloudEventsStructured.isStructured("application/cloudevents+json; charset=UTF-8"))
        .isTrue();
    assertThat(CloudEventsStructured.isStructured("application/json")).isFalse();
  }

  private static Event<Object> structured(String attributes) {
    return new CloudEventsStructured(CODEC)
        .decode(
            ("{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"t.x\",\"source\":\"/s\","
                    + attributes
                    + "}")
                .getBytes(StandardCharsets.UTF_8),
            null);
  }

  /**
   * Non-JSON data reads as binary mode reads the same body: text as a String in its charset, any
   * other type as bytes, whether it came as a JSON string in data or in data_base64; so the binary
   * encoder takes it and the stored event is delivered as if it had been published in binary mode.
   */
  @Test
  void structuredNonJsonDataReadsAsBinaryModeReadsItsBody() {
    CloudEventsBinary binary = new CloudEventsBinary(CODEC);
    Event<Object> xml = structured("\"datacontenttype\":\"application/xml\",\"data\":\"<a>é</a>\"");
    assertThat((byte[]) xml.data()).isEqualTo("<a>é</a>".getBytes(StandardCharsets.UTF_8));
    assertThat(binary.decode(binary.encode(xml)).data()).isEqualTo(xml.data());
    Event<Object> latin =
        structured(
            "\"datacontenttype\":\"application/xml; charset=ISO-8859-1\",\"data\":\"<a>é</a>\"");
    assertThat((byte[]) latin.data()).isEqualTo("<a>é</a>".getBytes(StandardCharsets.ISO_8859_1));
    Event<Object> text =
        structured("\"datacontenttype\":\"text/plain\",\"data_base64\":\"aGVsbG8=\"");
    assertThat(text.data()).isEqualTo("hello");
    assertThat(binary.decode(binary.encode(text)).data()).isEqualTo("hello");
    Event<Object> latinText =
        structured(
            "\"datacontenttype\":\"text/plain; charset=ISO-8859-1\",\"data_base64\":\"aOls\"");
    assertThat(latinText.data()).isEqualTo("hél");
    Event<Object> json =
        structured("\"datacontenttype\":\"text/json\",\"data_base64\":\"eyJhIjoxfQ==\"");
    assertThat(json.data()).isEqualTo(Map.of("a", 1));
  }

  @Test
  void structuredDataNotOfItsTypeIsRefusedInCloudEventsTerms() {
    assertThatThrownBy(
            () -> structured("\"datacontenttype\":\"application/xml\",\"data\":{\"a\":1}"))
        .hasMessageStartingWith("data: ")
        .hasMessageContaining("JSON string", "a JSON object")
        .hasMessageNotContaining("java.");
    assertThatThrownBy(() -> structured("\"data_base64\":\"!!!\""))
        .hasMessageStartingWith("data_base64: ")
        .hasMessageNotContaining("Illegal base64");
    assertThatThrownBy(() -> structured("\"data_base64\":42"))
        .hasMessageStartingWith("data_base64: ");
    assertThatThrownBy(
            () ->
                structured(
                    "\"datacontenttype\":\"text/plain; charset=nonesuch\",\"data_base64\":\"AA==\""))
        .hasMessageStartingWith("datacontenttype: ");
  }

  @Test
  void aStructuredExtensionNumberMustBeA32BitInteger() {
    for (String n : List.of("1.5e400", "123456789012345678901234567890", "2147483648", "0.5")) {
      assertThatThrownBy(() -> structured("\"ext\":" + n))
          .as(n)
          .hasMessageStartingWith("extension 'ext': ")
          .hasMessageContaining("Integer");
    }
    assertThat(structured("\"ext\":-2147483648").extensions()).containsEntry("ext", "-2147483648");
  }

  @Test
  void structuredContentAfterTheEventIsRefused() {
    CloudEventsStructured reader = new CloudEventsStructured(CODEC);
    byte[] trailing =
        "{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"t.x\",\"source\":\"/s\"} garbage"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> reader.decode(trailing, null)).hasMessageContaining("malformed");
    assertThatThrownBy(() -> reader.decodeToStore(trailing, 0, trailing.length))
        .hasMessageContaining("malformed");
  }
}
