package dev.herald.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration metadata that the annotation processor generates, and the jar ships. */
class ConfigurationMetadataTest {
  @Test
  void everyPropertyIsDescribedWithItsDefault() throws Exception {
    JsonNode metadata;
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    Map<String, JsonNode> properties = new HashMap<>();
    metadata.get("properties").forEach(p -> properties.put(p.get("name").asText(), p));

    assertThat(properties)
        .containsKeys(
            "herald.transport",
            "herald.worker-threads",
            "herald.close-timeout",
            "herald.log.directory",
            "herald.kafka.bootstrap-servers",
            "herald.kafka.properties",
            "herald.codec.allowed-packages",
            "herald.subscription.mailbox-capacity",
            "herald.subscription.backpressure",
            "herald.subscription.block-timeout",
            "herald.subscription.retry.max-attempts",
            "herald.subscription.retry.initial-delay",
            "herald.subscription.retry.max-delay",
            "herald.subscription.retry.jitter",
            "herald.tracing.parent-child");
    properties.forEach(
        (name, p) ->
            assertThat(p.path("description").asText()).as(name + "'s description").isNotBlank());
    assertThat(properties.get("herald.transport").get("defaultValue").asText()).isEqualTo("memory");
    assertThat(properties.get("herald.close-timeout").get("defaultValue").asText())
        .isEqualTo("30s");
    assertThat(properties.get("herald.subscription.mailbox-capacity").get("defaultValue").asInt())
        .isEqualTo(8192);
    assertThat(properties.get("herald.subscription.backpressure").get("defaultValue").asText())
        .isEqualTo("fail");
  }
}
