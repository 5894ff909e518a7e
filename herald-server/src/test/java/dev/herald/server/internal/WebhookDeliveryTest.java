package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import java.net.URI;
import java.net.http.HttpRequest;
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
    HttpRequest bytes =
        WebhookDelivery.binaryRequest(
            URI.create("http://127.0.0.1/x"),
            Event.<byte[]>builder("a.b")
                .dataContentType("image/png")
                .data(new byte[] {1, 2})
                .build());
    assertThat(bytes.headers().firstValue("Content-Type")).contains("image/png");
    assertThat(bytes.bodyPublisher().orElseThrow().contentLength()).isEqualTo(2);

    HttpRequest none =
        WebhookDelivery.binaryRequest(URI.create("http://127.0.0.1/x"), Event.of("a.b", null));
    assertThat(none.headers().firstValue("Content-Type")).isEmpty();
    assertThat(none.bodyPublisher().orElseThrow().contentLength()).isZero();

    HttpRequest json =
        WebhookDelivery.binaryRequest(URI.create("http://127.0.0.1/x"), Event.of("a.b", 42));
    assertThat(json.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(json.bodyPublisher().orElseThrow().contentLength()).isEqualTo(2);
  }
}
