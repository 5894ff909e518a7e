package dev.herald.examples.spring.shop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.EventBus;
import dev.herald.examples.spring.shop.ShopEvents.OrderPlaced;
import dev.herald.kafka.embedded.EmbeddedKafka;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * The "done when": the shop runs as a Spring Boot application with annotated listeners on
 * the Kafka transport (and on the log), every order is handled by each service, the metrics show in
 * a {@link SimpleMeterRegistry} and the traces in an {@link InMemorySpanExporter}, each process
 * span of {@code order.placed} linked to the send span of its order.
 */
class SpringShopTest {
  private static final int ORDERS = 20;
  private static final AttributeKey<String> MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  private static final AtomicInteger RUNS = new AtomicInteger();

  /** One broker for the class. */
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void theShopOnKafkaWithMetricsAndTraces() throws Exception {
    String run = "spring-shop-test-" + RUNS.incrementAndGet();
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ConfigurableApplicationContext shop =
        start(
            registry,
            spans,
            "herald.transport=kafka",
            "herald.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "herald.kafka.events-topic=" + run + ".events",
            "herald.kafka.dead-letter-topic=" + run + ".deadletter",
            "herald.kafka.group-id-prefix=" + run + ".")) {
      Map<String, String> outcomes = placeOrders(shop);
      assertThat(outcomes)
          .hasSize(ORDERS)
          .allSatisfy((id, outcome) -> assertThat(outcome).isEqualTo("shipped"));
      assertEveryServiceHandledEveryOrder(shop, outcomes.keySet());
      assertHealthy(shop, "kafka");
      assertMetrics(registry);
      assertTraces(shop, spans);
    }
  }

  @Test
  void theShopOnTheLog(@TempDir Path dir) throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ConfigurableApplicationContext shop =
        start(registry, spans, "herald.transport=log", "herald.log.directory=" + dir)) {
      Map<String, String> outcomes = placeOrders(shop);
      assertThat(outcomes).hasSize(ORDERS);
      assertEveryServiceHandledEveryOrder(shop, outcomes.keySet());
      assertHealthy(shop, "log");
      assertMetrics(registry);
      assertTraces(shop, spans);
    }
  }

  private static ConfigurableApplicationContext start(
      MeterRegistry registry, InMemorySpanExporter spans, String... properties) {
    OpenTelemetrySdk openTelemetry =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    return new SpringApplicationBuilder(ShopApplication.class)
        .profiles("test")
        .initializers(
            (GenericApplicationContext context) -> {
              context.registerBean(MeterRegistry.class, () -> registry);
              context.registerBean(OpenTelemetry.class, () -> openTelemetry);
            })
        // As command-line arguments, which take precedence over application.properties.
        .run(Arrays.stream(properties).map(p -> "--" + p).toArray(String[]::new));
  }

  private static Map<String, String> placeOrders(ConfigurableApplicationContext shop)
      throws Exception {
    Storefront storefront = shop.getBean(Storefront.class);
    List<CompletableFuture<String>> outcomes = new ArrayList<>();
    for (int i = 0; i < ORDERS; i++) {
      outcomes.add(storefront.place(new OrderPlaced("o-" + i, "sku-" + (i % 3), 1, 1000 + i)));
    }
    try {
      CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "not every order ended within 60 s; handled: inventory "
              + shop.getBean(Inventory.class).handled().ids().size()
              + ", payment "
              + shop.getBean(Payment.class).handled().ids().size()
              + ", shipping "
              + shop.getBean(Shipping.class).handled().ids().size()
              + ", notification "
              + shop.getBean(Notification.class).handled().ids().size()
              + "; "
              + shop.getBean(EventBus.class).stats(),
          e);
    }
    return IntStream.range(0, ORDERS)
        .boxed()
        .collect(Collectors.toMap(i -> "o-" + i, i -> outcomes.get(i).join()));
  }

  private static void assertEveryServiceHandledEveryOrder(
      ConfigurableApplicationContext shop, Set<String> orders) {
    assertThat(shop.getBean(Inventory.class).handled().ids()).isEqualTo(orders);
    assertThat(shop.getBean(Payment.class).handled().ids()).isEqualTo(orders);
    assertThat(shop.getBean(Shipping.class).handled().ids()).isEqualTo(orders);
    assertThat(shop.getBean(Notification.class).handled().ids()).isEqualTo(orders);
  }

  private static void assertHealthy(ConfigurableApplicationContext shop, String transport) {
    var health = shop.getBean("heraldHealthIndicator", HealthIndicator.class).health();
    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails())
        .containsEntry("transport", transport)
        .containsEntry(
            "subscriptions", shop.getBean(EventBus.class).stats().subscriptions().size());
  }

  private static void assertMetrics(MeterRegistry registry) {
    for (String subscription :
        List.of(
            "Inventory.reserve",
            "Payment.charge",
            "Shipping.ship",
            "Notification.shipped",
            "Storefront.notified")) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                FunctionCounter delivered =
                    registry
                        .find("herald.deliveries")
                        .tags("subscription", subscription, "outcome", "delivered")
                        .functionCounter();
                assertThat(delivered).as(subscription).isNotNull();
                assertThat(delivered.count()).as(subscription).isEqualTo(ORDERS);
              });
      assertThat(
              registry
                  .find("herald.handler.duration")
                  .tags("subscription", subscription, "outcome", "success")
                  .timer()
                  .count())
          .as(subscription)
          .isEqualTo(ORDERS);
    }
    assertThat(registry.find("herald.events.published").functionCounter().count())
        .isGreaterThanOrEqualTo(ORDERS * 5);
  }

  /**
   * Every handler call's process span is linked to the send span of the event it handled, on every
   * step of every order; the process span of each order's {@code order.placed} to that order's.
   */
  private static void assertTraces(
      ConfigurableApplicationContext shop, InMemorySpanExporter spans) {
    Map<String, String> placed = shop.getBean(Storefront.class).placedEventIds();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<SpanData> finished = spans.getFinishedSpanItems();
              Map<String, SpanData> sends =
                  finished.stream()
                      .filter(s -> s.getKind() == SpanKind.PRODUCER)
                      .collect(Collectors.toMap(s -> s.getAttributes().get(MESSAGE_ID), s -> s));
              List<SpanData> processes =
                  finished.stream().filter(s -> s.getKind() == SpanKind.CONSUMER).toList();
              // order.placed, stock.reserved, payment.charged, order.shipped, customer.notified
              assertThat(processes).hasSizeGreaterThanOrEqualTo(ORDERS * 5);
              for (SpanData process : processes) {
                SpanData send = sends.get(process.getAttributes().get(MESSAGE_ID));
                assertThat(send).as("the send span of %s", process).isNotNull();
                assertThat(process.getName())
                    .isEqualTo(send.getName().replace("send ", "process "));
                assertThat(process.getLinks())
                    .as("links of %s", process)
                    .extracting(
                        l -> l.getSpanContext().getTraceId() + "/" + l.getSpanContext().getSpanId())
                    .contains(send.getTraceId() + "/" + send.getSpanId());
              }
              for (Map.Entry<String, String> order : placed.entrySet()) {
                assertThat(sends.get(order.getValue()))
                    .as("the send span of %s", order)
                    .extracting(SpanData::getName)
                    .isEqualTo("send order.placed");
                assertThat(processes)
                    .as("the process span of %s", order)
                    .anyMatch(p -> order.getValue().equals(p.getAttributes().get(MESSAGE_ID)));
              }
            });
  }
}
