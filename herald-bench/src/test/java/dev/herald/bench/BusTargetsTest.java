package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The targets section judges each target from the figures it is given, and only from them. */
class BusTargetsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ThroughputRow row(String topology, String library, double perSecond, double bytes) {
    return new ThroughputRow(topology, library, perSecond, Double.NaN, Double.NaN, bytes);
  }

  private static JsonNode latency(String library, long rate, double p99, boolean saturated) {
    return JSON.createObjectNode()
        .put("library", library)
        .put("offeredPerSecond", rate)
        .put("p99Micros", p99)
        .put("saturated", saturated);
  }

  @Test
  void judgesRatiosLatencyAndAllocationFromTheRun() {
    List<ThroughputRow> rows =
        List.of(
            row("OnePublisherOneSubscriber", "herald-emit", 8_000_000, 72.0),
            row("OnePublisherOneSubscriber", "guava-async", 4_000_000, 232),
            row("OnePublisherOneSubscriber", "disruptor", 14_000_000, 0),
            row("OnePublisherFourSubscribers", "herald-emit", 3_000_000, 72.4),
            row("OnePublisherFourSubscribers", "disruptor", 9_000_000, 0));
    JsonNode lat =
        JSON.createArrayNode()
            .add(latency("herald-emit", 100_000, 10, false))
            .add(latency("herald-emit", 1_000_000, 40, false))
            .add(latency("disruptor", 1_000_000, 170, false));

    String md = BusTargets.markdown(rows, lat);

    assertThat(md)
        .contains("| Herald ≥ 10× Guava `AsyncEventBus`, 1→1 | 2.00× | no |")
        .contains("| Herald ≥ 0.5× Disruptor, 1→1 | 0.57× | yes |")
        .contains("| Herald ≥ 0.5× Disruptor, 1→4 | 0.33× | no |")
        .contains("| Herald p99 < 50 µs at 1,000,000 events/s offered, 1→1 | 40.0 µs"
            + " (Disruptor 170.0 µs) | yes |")
        .contains("72.0 B/event | yes |")
        .contains("would be 40,000,000 events/s 1→1, 2.9× the raw Disruptor");
  }

  @Test
  void aSaturatedRunOrAMissingFigureIsNeverMet() {
    List<ThroughputRow> rows = List.of(row("OnePublisherOneSubscriber", "herald-emit", 1, 96));
    JsonNode lat = JSON.createArrayNode().add(latency("herald-emit", 1_000_000, 1, true));

    String md = BusTargets.markdown(rows, lat);

    assertThat(md)
        .contains("| Herald ≥ 10× Guava `AsyncEventBus`, 1→1 | not measured | – |")
        .contains("| Herald p99 < 50 µs at 1,000,000 events/s offered, 1→1 | 1.0 µs | no |")
        .contains("96.0 B/event | no |")
        .doesNotContain("would be");
  }
}
