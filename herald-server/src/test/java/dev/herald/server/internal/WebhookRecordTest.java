package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookRecordTest {
  private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

  private static WebhookDefinition definition() throws Exception {
    JsonNode body =
        Json.MAPPER.readTree(
            "{\"types\": \"order.*\", \"url\": \"https://hooks.example.com/o\","
                + " \"retry\": {\"maxAttempts\": 3, \"backoffMillis\": 250}}");
    return WebhookDefinition.parseRequest(body, "0123456789abcdef", "alice", NOW);
  }

  @Test
  void aCreatedRecordReadsBackAsTheSameDefinitionInEveryFormACodecMayGiveItBackIn()
      throws Exception {
    WebhookDefinition d = definition();
    Event<Map<String, Object>> e = WebhookRecord.created(d);
    assertThat(e.type()).isEqualTo("herald.webhook");
    assertThat(e.key()).isEqualTo("herald.webhook");
    byte[] json = Json.MAPPER.writeValueAsBytes(e.data());

    for (Object data : new Object[] {e.data(), json, new String(json, StandardCharsets.UTF_8)}) {
      WebhookRecord.Parsed p = WebhookRecord.parse(e.withData(data)).orElseThrow();
      assertThat(p.action()).isEqualTo(WebhookRecord.Action.CREATED);
      assertThat(p.definition()).isEqualTo(d);
      assertThat(p.definition().group()).isEqualTo("webhook-0123456789abcdef");
    }
  }

  @Test
  void goneDeletedAndStartedRecordsReadBack() {
    assertThat(
            WebhookRecord.parse(WebhookRecord.ended(WebhookRecord.Action.GONE, "ab", NOW))
                .orElseThrow())
        .isEqualTo(new WebhookRecord.Parsed(WebhookRecord.Action.GONE, "ab", null));
    assertThat(
            WebhookRecord.parse(WebhookRecord.ended(WebhookRecord.Action.DELETED, "cd", NOW))
                .orElseThrow()
                .action())
        .isEqualTo(WebhookRecord.Action.DELETED);
    assertThat(WebhookRecord.parse(WebhookRecord.started(NOW)).orElseThrow().action())
        .isEqualTo(WebhookRecord.Action.STARTED);
  }

  @Test
  void otherTypesAreNotRecordsAndBadRecordsAreRefused() {
    assertThat(WebhookRecord.parse(Event.of("order.placed", Map.of("action", "created"))))
        .isEmpty();
    assertThatThrownBy(() -> WebhookRecord.parse(Event.of("herald.webhook", Map.of("action", "x"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                WebhookRecord.parse(
                    Event.of(
                        "herald.webhook",
                        Map.of(
                            "action",
                            "created",
                            "subscription",
                            Map.of(
                                "id", "0123456789abcdef",
                                "types", "a",
                                "created", NOW.toString())))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("url");
    assertThatThrownBy(() -> WebhookRecord.parse(Event.of("herald.webhook", "not json")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
