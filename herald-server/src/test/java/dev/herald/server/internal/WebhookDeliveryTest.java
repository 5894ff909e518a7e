package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class WebhookDeliveryTest {
  private static final long NOW = Instant.parse("2026-12-03T10:00:00Z").toEpochMilli();

  @Test
  void retryAfterReadsSecondsAndHttpDatesWithinABound() {
    assertThat(WebhookDelivery.retryAfterMillis("3", NOW)).hasValue(3000);
    assertThat(WebhookDelivery.retryAfterMillis(" 0 ", NOW)).hasValue(0);
    String in90s =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.ofEpochMilli(NOW + 90_000).atOffset(ZoneOffset.UTC));
    assertThat(WebhookDelivery.retryAfterMillis(in90s, NOW)).hasValue(90_000);
    assertThat(WebhookDelivery.retryAfterMillis("Wed, 02 Dec 2026 10:00:00 GMT", NOW)).hasValue(0);
    assertThat(WebhookDelivery.retryAfterMillis("86400", NOW)).hasValue(600_000);
    assertThat(WebhookDelivery.retryAfterMillis("999999999999999", NOW)).hasValue(600_000);
    assertThat(WebhookDelivery.retryAfterMillis("-1", NOW)).isEmpty();
    assertThat(WebhookDelivery.retryAfterMillis("soon", NOW)).isEmpty();
  }

  @Test
  void headerValuesArePercentEncodedAsTheHttpBindingAsks() {
    assertThat(WebhookDelivery.headerValue("/shop/orders")).isEqualTo("/shop/orders");
    assertThat(WebhookDelivery.headerValue("a b\"c%d")).isEqualTo("a%20b%22c%25d");
    assertThat(WebhookDelivery.headerValue("é")).isEqualTo("%C3%A9");
  }

  @Test
  void bytesGoAsTheyAreAndDataWithoutATypeAsJson() {
    WebhookDelivery.Binary bytes =
        WebhookDelivery.binaryRequest(
            Event.<byte[]>builder("a.b")
                .dataContentType("image/png")
                .data(new byte[] {1, 2})
                .build());
    assertThat(bytes.header("Content-Type")).isEqualTo("image/png");
    assertThat(bytes.body()).hasSize(2);

    WebhookDelivery.Binary none = WebhookDelivery.binaryRequest(Event.of("a.b", null));
    assertThat(none.header("Content-Type")).isNull();
    assertThat(none.body()).isNull();

    WebhookDelivery.Binary json = WebhookDelivery.binaryRequest(Event.of("a.b", 42));
    assertThat(json.header("Content-Type")).isEqualTo("application/json");
    assertThat(json.header("ce-type")).isEqualTo("a.b");
    assertThat(json.body()).hasSize(2);
  }
}
