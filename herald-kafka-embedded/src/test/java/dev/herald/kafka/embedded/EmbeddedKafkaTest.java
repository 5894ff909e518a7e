package dev.herald.kafka.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.contract.CapturingSlf4j;
import dev.herald.contract.CapturingSlf4j.Record;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * The embedded broker prints nothing on standard output: Kafka's test kit prints its storage
 * formatting there, and {@link EmbeddedKafka} hands those lines to its logger instead (SLF4J,
 * captured here by {@link CapturingSlf4j}).
 */
class EmbeddedKafkaTest {
  @Test
  void theTestKitsFormattingGoesToTheLoggerNotToStandardOutput() {
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    List<Record> records;
    try (CapturingSlf4j.Capture logs = CapturingSlf4j.capture()) {
      System.setOut(new PrintStream(printed, true, UTF_8));
      try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
        assertThat(kafka.bootstrapServers()).isNotBlank();
      } finally {
        System.setOut(stdout);
      }
      records = logs.records();
    }

    assertThat(printed.toString(UTF_8)).as("printed on standard output").isEmpty();
    assertThat(records)
        .filteredOn(r -> r.logger().equals("dev.herald.kafka.embedded"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.level()).isEqualTo(Level.INFO))
        .anySatisfy(r -> assertThat(r.message()).startsWith("Formatting"));
  }
}
