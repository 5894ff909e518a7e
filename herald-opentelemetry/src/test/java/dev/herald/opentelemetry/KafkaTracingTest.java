package dev.herald.opentelemetry;

import static dev.herald.opentelemetry.TestTracing.links;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Event;
import dev.herald.EventBus;
import dev.herald.Herald;
import dev.herald.SubscribeOptions;
import dev.herald.kafka.KafkaTransport;
import dev.herald.kafka.embedded.EmbeddedKafka;
import dev.herald.spi.Transport;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The trace context through Kafka (the {@code ce_traceparent} record header), on one embedded
 * broker for the class; and one trace across two processes: a child JVM ({@link
 * TracedPublisherProcess}) publishes inside a span of its own SDK, and this process's durable
 * subscriber links its process span to the child's send span.
 */
@Timeout(value = 120, unit = SECONDS)
class KafkaTracingTest extends DurableTracingContract {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static EmbeddedKafka broker;

  /** Topics and groups of this test only: a new instance (and prefix) per test. */
  private final String prefix = "trace-" + PREFIXES.incrementAndGet() + ".";

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** A transport on {@code bootstrap} with topics and groups under {@code prefix}. */
  static KafkaTransport transport(String bootstrap, String prefix) {
    return KafkaTransport.builder(bootstrap)
        .eventsTopic(prefix + "events")
        .deadLetterTopic(prefix + "deadletter")
        .groupIdPrefix(prefix)
        .clientId(prefix + "herald")
        .replicationFactor(1)
        .commitInterval(Duration.ofMillis(100))
        .closeTimeout(Duration.ofSeconds(2))
        .build();
  }

  @Override
  protected Transport openTransport() {
    return transport(broker.bootstrapServers(), prefix);
  }

  @Test
  void oneTraceAcrossTwoProcesses() throws Exception {
    Process child =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                TracedPublisherProcess.class.getName(),
                broker.bootstrapServers(),
                prefix)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<String[]> childSpans = new ArrayList<>();
    String published = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(TracedPublisherProcess.SPAN)) {
          childSpans.add(line.split(" "));
        } else if (line.startsWith(TracedPublisherProcess.PUBLISHED)) {
          published = line.substring(TracedPublisherProcess.PUBLISHED.length());
        }
      }
    } finally {
      if (!child.waitFor(60, SECONDS)) {
        child.destroyForcibly();
      }
    }
    assertThat(child.exitValue()).isZero();
    assertThat(published).as("the child published").isNotNull();
    // span <kind> <name...> <traceId> <spanId> <parentSpanId>
    String[] send =
        childSpans.stream().filter(s -> s[1].equals("PRODUCER")).findFirst().orElseThrow();
    String[] checkout =
        childSpans.stream().filter(s -> s[1].equals("INTERNAL")).findFirst().orElseThrow();
    String sendTrace = send[send.length - 3];
    String sendSpan = send[send.length - 2];
    assertThat(sendTrace).isEqualTo(checkout[checkout.length - 3]);
    assertThat(send[send.length - 1]).isEqualTo(checkout[checkout.length - 2]);

    CompletableFuture<Event<?>> got = new CompletableFuture<>();
    String id = published;
    try (EventBus bus =
        Herald.builder()
            .transport(openTransport())
            .interceptor(HeraldTracing.create(tracing.sdk))
            .build()) {
      bus.subscribe(
          TracedPublisherProcess.TYPE,
          e -> {
            if (e.id().equals(id)) {
              got.complete(e);
            }
          },
          SubscribeOptions.defaults().group("billing"));
      got.get(60, SECONDS);
      SpanData process = tracing.await(SpanKind.CONSUMER, "process " + TracedPublisherProcess.TYPE);
      assertThat(links(process)).containsExactly(sendTrace + "/" + sendSpan);
    }
    try (TestTracing joined = new TestTracing();
        EventBus bus =
            Herald.builder()
                .transport(openTransport())
                .interceptor(HeraldTracing.builder(joined.sdk).parentChild(true).build())
                .build()) {
      bus.subscribe(
          TracedPublisherProcess.TYPE, e -> {}, SubscribeOptions.defaults().group("audit"));
      SpanData process = joined.await(SpanKind.CONSUMER, "process " + TracedPublisherProcess.TYPE);
      assertThat(process.getTraceId()).as("one trace, two processes").isEqualTo(sendTrace);
      assertThat(process.getParentSpanId()).isEqualTo(sendSpan);
    }
  }
}
